"""The ceiling for the mock's stack: Starlette on uvicorn returning stored bytes.

It serves the callflows paths with the response bodies the mock sent for each
benchmark scenario, read from a JSON file at start. A request costs routing,
reading the request body and sending the stored bytes, and nothing else. Run it
with the uvicorn settings that `callflow-kit serve` uses:

    python -m bench.bare_app --port 8001 --responses responses.json
"""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server.server import uvicorn_config

COLLECTION = "/v2/accounts/{account_id}/callflows"
DOCUMENT = "/v2/accounts/{account_id}/callflows/{callflow_id}"
MEDIA_TYPE = "application/json"


def build_app(responses: dict[str, tuple[int, bytes]]) -> Starlette:
    """Build the app from `(status, body)` pairs by scenario name.

    The names are `get_one`, `page`, `filtered`, `put` and `patch`.
    """

    def reply(scenario: str) -> Response:
        status, body = responses[scenario]
        return Response(body, status_code=status, media_type=MEDIA_TYPE)

    async def list_callflows(request: Request) -> Response:
        filtered = b"filter_" in request.scope["query_string"]
        return reply("filtered" if filtered else "page")

    async def create_callflow(request: Request) -> Response:
        await request.body()
        return reply("put")

    async def get_callflow(request: Request) -> Response:
        return reply("get_one")

    async def patch_callflow(request: Request) -> Response:
        await request.body()
        return reply("patch")

    return Starlette(
        routes=[
            Route(COLLECTION, list_callflows, methods=["GET"]),
            Route(COLLECTION, create_callflow, methods=["PUT"]),
            Route(DOCUMENT, get_callflow, methods=["GET"]),
            Route(DOCUMENT, patch_callflow, methods=["PATCH"]),
        ]
    )


def load_responses(path: Path) -> dict[str, tuple[int, bytes]]:
    """Read `{scenario: {"status": int, "body": str}}` as written by the benchmark."""
    raw = orjson.loads(path.read_bytes())
    return {
        name: (entry["status"], entry["body"].encode()) for name, entry in raw.items()
    }


def main() -> None:
    """Serve the bare app on 127.0.0.1 with `callflow-kit serve`'s uvicorn settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="TCP port to use.")
    parser.add_argument(
        "--responses",
        type=Path,
        required=True,
        help="JSON file of the response bodies by scenario.",
    )
    options = parser.parse_args()
    app = build_app(load_responses(options.responses))
    # The same settings as mock_server.cli: one process, the same event loop and
    # HTTP protocol class, lifespan on, no access log, no logging set-up.
    config = uvicorn_config(app, host="127.0.0.1", port=options.port)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
