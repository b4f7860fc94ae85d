"""The ASGI application: routing from the generated route table, and error rendering.

A request goes through Kazoo 4.3's checks in this order, and the first check that
fails decides the response:

1. body: size limit, JSON, envelope (400)            `mock_server.body`
2. path (404 not_found) and method (405)             `Router.match`
3. account id: malformed or unknown (404)            `_check_account`
4. token (401) and its account's reach (403)         `mock_server.auth`
5. content type of a write (415)
6. the handler: validation (400), lookup (404), If-Match (412), store (409)

Every MockError raised on the way becomes Kazoo's error envelope in `_dispatch`,
the only place that renders errors.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request
from starlette.responses import Response

from generated.handlers import CallflowsHandlers, OperationNotImplemented
from generated.routes import ROUTES, Route
from mock_server import admin
from mock_server.auth import (
    TokenInfo,
    api_login,
    authorize,
    find_token,
    login_data,
    user_login,
)
from mock_server.backends import create_state
from mock_server.body import (
    ClientDisconnected,
    decode_envelope,
    is_accepted,
    media_type,
    read_body,
)
from mock_server.config import MockConfig
from mock_server.context import SCOPE_KEY, RequestContext
from mock_server.envelope import error_response, json_response, success_body
from mock_server.errors import (
    BadIdentifier,
    HandlerNotImplemented,
    MalformedAccountId,
    MethodNotAllowed,
    MockError,
    UnsupportedMediaType,
)
from mock_server.handlers import MockHandlers, operation_models
from mock_server.routing import Endpoint, Operation, Router
from mock_server.state import MockState

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_ACCOUNT_ID = re.compile(r"[0-9a-f]{32}")
_WRITE_METHODS = frozenset({"PUT", "POST", "PATCH"})
_BODYLESS_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})


class MockApp:
    """The mock's ASGI application."""

    def __init__(self, state: MockState, handlers: CallflowsHandlers) -> None:
        self.state = state
        self.handlers = handlers
        self.router = Router()
        self._started = False

    async def startup(self) -> None:
        """Load the fixtures and issue the start token, once."""
        if not self._started:
            self._started = True
            await self.state.start()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.startup()
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except MockError as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.state.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _header_map(scope)
        context = RequestContext(
            request_id=headers.get("x-request-id") or self.state.ids.request_id(),
            auth_token=headers.get("x-auth-token") or None,
        )
        if scope["query_string"]:
            query = scope["query_string"].decode("latin-1")
            context.query = parse_qsl(query, keep_blank_values=True)
        context.pretty = _is_true(context.query_value("pretty_print")) or _is_true(
            headers.get("x-pretty-print")
        )
        context.cors = any(
            h in headers
            for h in (
                "origin",
                "access-control-request-method",
                "access-control-request-headers",
            )
        )
        scope[SCOPE_KEY] = context
        try:
            response = await self._dispatch(scope, receive, headers, context)
        except ClientDisconnected:
            logger.info("%s %s: client disconnected", scope["method"], _log_path(scope))
            return
        await response(scope, receive, send)
        # Skips building the path when INFO is off.
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "%s %s %d %s",
                scope["method"],
                _log_path(scope),
                response.status_code,
                context.request_id,
            )

    async def _dispatch(
        self,
        scope: Scope,
        receive: Receive,
        headers: Mapping[str, str],
        context: RequestContext,
    ) -> Response:
        """Run the checks and the endpoint; render any MockError as an envelope."""
        try:
            return await self._run(scope, receive, headers, context)
        except MockError as exc:
            return error_response(context, exc)
        except OperationNotImplemented as exc:
            return error_response(context, HandlerNotImplemented(exc.operation_id))
        except ClientDisconnected:
            raise  # `_http` logs it; no response can reach the client
        except Exception:
            logger.exception("request %s failed", context.request_id)
            return error_response(context, MockError("unspecified fault"))

    async def _run(
        self,
        scope: Scope,
        receive: Receive,
        headers: Mapping[str, str],
        context: RequestContext,
    ) -> Response:
        method: str = scope["method"]
        body = b""
        media = media_type(headers.get("content-type"))
        if method not in _BODYLESS_METHODS or _has_body(headers):
            length = headers.get("content-length")
            limit = self.state.config.max_upload_size
            body = await read_body(receive, limit, _int_or_none(length))
            envelope = decode_envelope(body, media)
            context.envelope, context.data = envelope, envelope["data"]
        context.auth_token = find_token(headers, context)
        await self.state.refresh(context.auth_token)
        if method == "POST":
            method = _tunnelled_verb(context) or method

        template, params = self.router.match_segments(_path_segments(scope))
        context.allowed_methods = tuple(template.operations)
        if method == "OPTIONS":
            context.cors = True
            return json_response(context, success_body(context, {}))
        operation = template.operations.get(method)
        if operation is None:
            raise MethodNotAllowed(template.operations)
        if operation.account_scoped:
            self._check_account(params["ACCOUNT_ID"])
            authorize(
                self.state.tokens,
                self.state.directory,
                context.auth_token,
                params["ACCOUNT_ID"],
            )
        if method in _WRITE_METHODS and not is_accepted(media):
            raise UnsupportedMediaType(media or "")
        request = Request(scope, _replay(body))
        return await operation.endpoint(request, context, params)

    def _check_account(self, account_id: str) -> None:
        if not _ACCOUNT_ID.fullmatch(account_id):
            raise MalformedAccountId(account_id)
        if account_id not in self.state.directory.accounts:
            raise BadIdentifier(account_id)

    # Routes --------------------------------------------------------------------

    def add_generated_routes(self, routes: Iterable[Route]) -> None:
        """Route each operation of the generated table to its handler method."""
        for route in routes:
            method = getattr(self.handlers, route.operation_id)
            wants_data = "data" in inspect.signature(method).parameters
            endpoint = _handler_endpoint(method, route.path_params, wants_data)
            scoped = "ACCOUNT_ID" in route.path_params
            self.router.add(route.method, route.path, Operation(endpoint, scoped))

    def add_login_routes(self) -> None:
        """Route Kazoo's `user_auth` and `api_auth` logins."""
        self.router.add("PUT", "/v2/user_auth", Operation(self._user_auth, False))
        self.router.add("PUT", "/v2/api_auth", Operation(self._api_auth, False))

    async def _user_auth(
        self, request: Request, context: RequestContext, params: dict[str, str]
    ) -> Response:
        account, user = user_login(self.state.directory, context.data)
        info = TokenInfo(account.id, user.id, "user_auth")
        return await self._login_response(context, info)

    async def _api_auth(
        self, request: Request, context: RequestContext, params: dict[str, str]
    ) -> Response:
        account = api_login(self.state.directory, context.data)
        info = TokenInfo(account.id, None, "api_auth")
        return await self._login_response(context, info)

    async def _login_response(
        self, context: RequestContext, info: TokenInfo
    ) -> Response:
        token = await self.state.issue_token(info)
        account = self.state.directory.accounts[info.account_id]
        data = login_data(self.state.directory, account, info.owner_id)
        body = success_body(context, data, auth_token=token)
        return json_response(context, body, 201)


def _handler_endpoint(
    method: Callable[..., Awaitable[Response]],
    path_params: tuple[str, ...],
    wants_data: bool,
) -> Endpoint:
    """Adapt a handler method to the app's endpoint signature."""
    names = [(param, param.lower()) for param in path_params]

    async def endpoint(
        request: Request, context: RequestContext, params: dict[str, str]
    ) -> Response:
        arguments: dict[str, Any] = {lower: params[name] for name, lower in names}
        if wants_data:
            arguments["data"] = context.data
        return await method(request, **arguments)

    return endpoint


def _replay(body: bytes) -> Receive:
    """Return a `receive` that hands the already-read body to Starlette's Request."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _header_map(scope: Scope) -> dict[str, str]:
    """Return the request headers by name; the first of repeated headers wins.

    ASGI servers pass header names in lower case, so plain dict lookups work.
    """
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers


def _path_segments(scope: Scope) -> list[str]:
    """Split the raw path at `/`, then percent-decode each segment, as cowboy does.

    So `%2F` stays inside an id instead of splitting it, and an id that a PUT
    chose with a `/` in it can be read back.
    """
    raw_path = scope.get("raw_path")
    if not raw_path:
        return str(scope["path"]).strip("/").split("/")
    text: str = raw_path.decode("latin-1").strip("/")
    if "%" not in text:
        return text.split("/")
    return [unquote(part) for part in text.split("/")]


def _has_body(headers: Mapping[str, str]) -> bool:
    return "content-length" in headers or "transfer-encoding" in headers


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _is_true(value: str | None) -> bool:
    return value is not None and value.lower() == "true"


def _tunnelled_verb(context: RequestContext) -> str | None:
    """Return the method a POST names in `verb`, as Kazoo's verb tunnelling reads it."""
    verb = context.request_value("verb")
    return verb.upper() if isinstance(verb, str) and verb else None


def build_app(config: MockConfig, state: MockState | None = None) -> MockApp:
    """Build the mock for `config`: generated routes, logins and the admin API."""
    models = operation_models(ROUTES)
    if state is None:
        state = create_state(config, callflow_model=models.get("create_callflow"))
    app = MockApp(state, MockHandlers(state, models))
    app.add_generated_routes(ROUTES)
    app.add_login_routes()
    if config.admin:
        admin.add_routes(app)
    return app


def _log_path(scope: Scope) -> str:
    """Return the path as the client sent it, still percent-encoded.

    The decoded path can contain a newline (`%0a`) that would forge a log line.
    The raw path cannot, and it never contains the query string with its tokens.
    """
    raw = scope.get("raw_path")
    if isinstance(raw, bytes):
        return raw.decode("ascii", "backslashreplace")
    path: str = scope["path"]
    return path.encode("unicode_escape").decode("ascii")
