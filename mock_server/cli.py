"""Run the mock with uvicorn, printing what a user needs to call it."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

import uvicorn

from mock_server.app import MockApp, build_app
from mock_server.config import MockConfig


def serve(config: MockConfig) -> None:
    """Serve the mock until interrupted; raise MockError for invalid fixtures."""
    asyncio.run(_serve(config))


async def _serve(config: MockConfig) -> None:
    app = build_app(config)
    await app.startup()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=config.host,
            port=config.port,
            lifespan="on",
            access_log=False,
            log_config=None,
        )
    )
    print_banner(app, sys.stdout)
    await server.serve()


def print_banner(app: MockApp, out: TextIO) -> None:
    """Print the base URL, account, token, fixture logins and a curl command."""
    state = app.state
    base = state.config.base_url
    primary = state.directory.primary
    lines = [f"Kazoo 4.3 callflows mock on {base}"]
    if primary is not None and state.startup_token is not None:
        lines.append(f"  account id: {primary.id} ({primary.name})")
        lines.append(f"  auth token: {state.startup_token}")
    lines.append("Fixture accounts (log in with PUT /v2/user_auth or /v2/api_auth):")
    for account in state.directory.accounts.values():
        lines.append(f"  {account.name}  {account.id}")
        for user in account.users:
            lines.append(f"    user {user.username}  password {user.password}")
        if account.api_key:
            lines.append(f"    api_key {account.api_key}")
    if state.config.admin:
        lines.append(f"Admin API: {base}/__admin/ (reset, fixtures, state)")
    if primary is not None and state.startup_token is not None:
        url = f"{base}/v2/accounts/{primary.id}/callflows"
        lines.append("Try:")
        lines.append(f'  curl -H "X-Auth-Token: {state.startup_token}" {url}')
    out.write("\n".join(lines) + "\n")
    out.flush()
