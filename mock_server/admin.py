"""The admin API under `/__admin/`, a prefix Kazoo never uses, for test set-up.

| request                    | effect                                                  |
|----------------------------|---------------------------------------------------------|
| `POST /__admin/reset`      | back to the start: configured fixtures, only their      |
|                            | callflows, only the start token, the id sequence        |
|                            | restarted                                               |
| `PUT /__admin/fixtures`    | replace accounts, tokens and callflows with the fixture |
| (or `POST`)                | document in the envelope's `data` (the same format as   |
|                            | a fixture file)                                         |
| `GET /__admin/state`       | export the accounts and every stored callflow document, |
|                            | private fields and deleted ones included                |

Reset and fixtures return the primary account id and its new start token.
The admin API needs no token; `serve` can turn it off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from mock_server.context import RequestContext
from mock_server.envelope import json_response, success_body
from mock_server.fixtures import account_fixture, parse_fixtures
from mock_server.routing import Operation
from mock_server.state import MockState

if TYPE_CHECKING:
    from mock_server.app import MockApp

PREFIX = "/__admin"


def add_routes(app: MockApp) -> None:
    """Register the admin endpoints on the app's router."""
    admin = AdminApi(app.state)
    app.router.add("POST", f"{PREFIX}/reset", Operation(admin.reset, False))
    app.router.add("PUT", f"{PREFIX}/fixtures", Operation(admin.load, False))
    app.router.add("POST", f"{PREFIX}/fixtures", Operation(admin.load, False))
    app.router.add("GET", f"{PREFIX}/state", Operation(admin.export, False))


class AdminApi:
    """Endpoints that reset, load and export a MockState."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    async def reset(
        self, request: Request, context: RequestContext, params: dict[str, str]
    ) -> Response:
        """Return to the configured fixtures and only the callflows they define."""
        await self.state.reset()
        return json_response(context, success_body(context, self._summary()))

    async def load(
        self, request: Request, context: RequestContext, params: dict[str, str]
    ) -> Response:
        """Replace the whole state with the fixture document in `data`."""
        directory = parse_fixtures(context.data, "request data")
        await self.state.load(directory)
        return json_response(context, success_body(context, self._summary()))

    async def export(
        self, request: Request, context: RequestContext, params: dict[str, str]
    ) -> Response:
        """Return the accounts and stored callflows."""
        accounts = [account_fixture(a) for a in self.state.directory.accounts.values()]
        data = {"accounts": accounts, "callflows": await self.state.store.export()}
        return json_response(context, success_body(context, data))

    def _summary(self) -> dict[str, Any]:
        primary = self.state.directory.primary
        return {
            "account_id": primary.id if primary else None,
            "auth_token": self.state.startup_token,
            "accounts": list(self.state.directory.accounts),
        }
