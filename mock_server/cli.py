"""Run the mock with uvicorn, printing what a user needs to call it."""

from __future__ import annotations

import shlex
import sys
from typing import TextIO

import uvicorn

from mock_server.app import MockApp, build_app
from mock_server.config import MockConfig, is_loopback
from mock_server.logs import buffered_log_output
from mock_server.server import run, uvicorn_config
from mock_server.state import freeze_heap
from mock_server.workers import serve_workers


def serve(config: MockConfig) -> None:
    """Serve the mock until interrupted; raise MockError for invalid fixtures.

    With several workers this process prepares the shared state and prints the
    banner, then the workers serve. Log lines are written in batches while the
    server runs (`mock_server.logs`).
    """
    if config.workers > 1:
        run(_prepare(config))
        serve_workers(config)
    else:
        with buffered_log_output():
            run(_serve(config))


async def _prepare(config: MockConfig) -> None:
    app = build_app(config)
    try:
        await app.startup()
        print_banner(app, sys.stdout)
    finally:
        await app.state.close()


async def _serve(config: MockConfig) -> None:
    app = build_app(config)
    await app.startup()
    freeze_heap()
    server = uvicorn.Server(uvicorn_config(app, host=config.host, port=config.port))
    print_banner(app, sys.stdout)
    await server.serve()


def print_banner(app: MockApp, out: TextIO) -> None:
    """Print the base URL, account, token, fixture logins and a curl command.

    Each fixture account is listed with every value `PUT /v2/user_auth` accepts
    for it (name, realm, phone numbers) and its users and API key. An `export`
    line sets `BASE_URL`, `ACCOUNT_ID` and `TOKEN` for the README's examples.
    """
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
        if account.realm:
            lines.append(f"    realm {account.realm}")
        if account.phone_numbers:
            lines.append(f"    phone numbers {', '.join(account.phone_numbers)}")
        for user in account.users:
            lines.append(f"    user {user.username}  password {user.password}")
        if account.api_key:
            lines.append(f"    api_key {account.api_key}")
    if state.config.admin:
        lines.append(f"Admin API: {base}/__admin/ (reset, fixtures, state)")
        if not is_loopback(state.config.host):
            lines.append(
                "  warning: the admin API needs no token and listens on "
                f"{state.config.host}, so other machines can reset or read the state"
            )
    if primary is not None and state.startup_token is not None:
        url = f"{base}/v2/accounts/{primary.id}/callflows"
        exports = {"BASE_URL": base, "ACCOUNT_ID": primary.id}
        exports["TOKEN"] = state.startup_token
        assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in exports.items())
        lines.append("Shell variables for the examples:")
        lines.append(f"  export {assignments}")
        lines.append("Try:")
        lines.append(f'  curl -H "X-Auth-Token: {state.startup_token}" {url}')
    out.write("\n".join(lines) + "\n")
    out.flush()
