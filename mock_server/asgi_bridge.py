"""A synchronous httpx transport that calls an ASGI app in this process."""

from __future__ import annotations

import asyncio

import httpx

from mock_server.app import MockApp


class ASGIBridge(httpx.BaseTransport):
    """Hand each request of a synchronous httpx.Client to an ASGI app.

    httpx's ASGITransport serves only AsyncClient. This transport runs it to
    completion on a private event loop for each request, so no socket is opened.
    The loop runs in the calling thread, so the client must not be used while
    another event loop runs there (inside an async test).
    """

    def __init__(self, app: MockApp) -> None:
        self._transport = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` to the app and return its complete response."""
        return self._loop.run_until_complete(self._send(request))

    async def _send(self, request: httpx.Request) -> httpx.Response:
        # A synchronous client's body stream cannot be read asynchronously, so
        # the request is rebuilt around its bytes.
        replayable = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.read(),
            extensions=request.extensions,
        )
        response = await self._transport.handle_async_request(replayable)
        body = await response.aread()
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=body,
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        """Close the event loop."""
        self._loop.close()
