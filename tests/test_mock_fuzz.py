"""Fuzz the request parser and validator with Hypothesis, in process and over HTTP.

Each example is one ASGI request with a generated method, path, query string,
headers and body (random bytes, JSON of any shape, or callflow-like data with
deep flows). The app must respond to every one with a status below 500 and, except
for HEAD, a JSON envelope. Afterwards the same app serves real HTTP correctly.

`make test` runs a few hundred examples; `make fuzz` sets
CALLFLOW_KIT_FUZZ_EXAMPLES to run many more.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mock_support import ACCOUNT_ID, CHILD_ACCOUNT_ID, OTHER_ACCOUNT_ID, SEED, callflow
from redis_support import DB_FUZZ, redis_url, wipe

from generated.flow_nodes import FLOW_NODES
from mock_server import jsoncodec
from mock_server.app import MockApp, build_app
from mock_server.body import decode_envelope
from mock_server.config import MockConfig
from mock_server.errors import MockError
from mock_server.testing import LiveServer
from mock_server.validation import check_callflow

EXAMPLES = int(os.environ.get("CALLFLOW_KIT_FUZZ_EXAMPLES", "300"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ENVELOPE_KEYS = {"request_id", "node", "version", "timestamp", "status", "data"}
TOKEN = "fuzz-start-token"
KNOWN_ID = "f0" * 16
CALLFLOW_MODEL = build_app(MockConfig()).state.callflow_model


# Strategies ------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=30,
)
modules = st.sampled_from(sorted(FLOW_NODES)) | st.text(max_size=10)
flows = st.recursive(
    st.fixed_dictionaries(
        {"module": modules},
        optional={
            "data": st.dictionaries(st.text(max_size=12), json_values, max_size=4)
        },
    ),
    lambda inner: st.fixed_dictionaries(
        {
            "module": modules,
            "children": st.dictionaries(
                st.sampled_from(["_", "1", "2", "timeout", "", "a.b"]),
                inner,
                max_size=3,
            ),
        }
    ),
    max_leaves=12,
)
numbers = st.lists(
    st.from_regex(r"\+?[0-9*#]{1,12}", fullmatch=True) | json_scalars, max_size=6
)
callflow_data = st.fixed_dictionaries(
    {},
    optional={
        "numbers": numbers,
        "patterns": st.lists(st.text(max_size=20) | json_scalars, max_size=3),
        "flow": flows | json_values,
        "name": st.text(max_size=40) | json_scalars,
        "id": st.just(KNOWN_ID) | st.text(max_size=40),
        "featurecode": json_values,
        "metaflow": json_values,
        "_read_only": json_values,
        "pvt_x": json_values,
    },
)
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "data": callflow_data | json_values,
        "auth_token": st.just(TOKEN) | st.text(max_size=10),
        "verb": st.sampled_from(["PUT", "PATCH", "DELETE", "GET", "x"]),
        "page_size": json_scalars,
    },
)
bodies = (
    st.just(b"")
    | st.binary(max_size=200)
    | json_values.map(jsoncodec.dumps)
    | envelopes.map(jsoncodec.dumps)
    | st.integers(100, 3000).map(lambda n: b'{"data":' + b"[" * n + b"]" * n + b"}")
)
segments = st.sampled_from(
    ["", "..", ".", "%2F", "%2e%2e", KNOWN_ID, "f" * 32, ACCOUNT_ID, "%00", "%ff"]
) | st.text(max_size=12).map(lambda text: quote(text, safe=""))
accounts = st.sampled_from([ACCOUNT_ID, CHILD_ACCOUNT_ID, OTHER_ACCOUNT_ID]) | segments
paths = st.one_of(
    accounts.map(lambda a: f"/v2/accounts/{a}/callflows"),
    st.tuples(accounts, segments).map(
        lambda p: f"/v2/accounts/{p[0]}/callflows/{p[1]}"
    ),
    st.sampled_from(["/v2/user_auth", "/v2/api_auth", "/__admin/state", "/"]),
    st.lists(segments, max_size=6).map(lambda parts: "/" + "/".join(parts)),
)
query_keys = st.sampled_from(
    [
        "page_size",
        "start_key",
        "paginate",
        "filter_name",
        "filter_not_flow.module",
        "has_key",
        "created_from",
        "modified_to",
        "auth_token",
        "pretty_print",
        "verb",
        "should_soft_delete",
    ]
) | st.text(max_size=8)
queries = st.lists(
    st.tuples(query_keys, st.just(TOKEN) | st.text(max_size=12)), max_size=4
).map(lambda pairs: urlencode(pairs).encode())
content_types = st.none() | st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "text/csv",
        "text/plain",
        "application/json; charset=latin-1",
        ";",
    ]
)


@dataclass
class FuzzRequest:
    """One generated request, and how its body is split into ASGI messages."""

    method: str
    path: str
    query: bytes
    headers: list[tuple[bytes, bytes]]
    chunks: list[bytes]


@st.composite
def requests(draw: st.DrawFn) -> FuzzRequest:
    method = draw(
        st.sampled_from(["GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS"])
        | st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=7)
    )
    body = draw(bodies)
    headers: list[tuple[bytes, bytes]] = []
    content_type = draw(content_types)
    if content_type is not None:
        headers.append((b"content-type", content_type.encode("latin-1")))
    token = draw(st.sampled_from([TOKEN, None, "bogus"]))
    if token is not None:
        headers.append((b"x-auth-token", token.encode()))
    if draw(st.booleans()):
        headers.append((b"if-match", draw(st.text(max_size=12)).encode("utf-8")))
    if body:
        headers.append((b"content-length", str(len(body)).encode()))
    cut = draw(st.integers(0, len(body)))
    return FuzzRequest(
        method, draw(paths), draw(queries), headers, [body[:cut], body[cut:]]
    )


# In-process ASGI driver ----------------------------------------------------------


async def call(app: MockApp, request: FuzzRequest) -> tuple[int, bytes]:
    """Send one request to the app; return the status and body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": request.path,
        "raw_path": request.path.encode("utf-8"),
        "query_string": request.query,
        "root_path": "",
        "headers": request.headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i == 0}
        for i, chunk in enumerate(request.chunks)
    ]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, body


@dataclass
class Fuzzed:
    """The app under fuzzing, the event loop it runs on and its settings."""

    app: MockApp
    loop: asyncio.AbstractEventLoop
    config: MockConfig


@pytest.fixture(scope="module", params=["memory", "redis"])
def fuzzed(request: pytest.FixtureRequest) -> Iterator[Fuzzed]:
    """An app with one callflow of known id, in memory or on Redis."""
    store = None
    if request.param == "redis":
        store = redis_url(DB_FUZZ)
        wipe(store)
    config = MockConfig(seed=SEED, token=TOKEN, store=store)
    app = build_app(config)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(app.startup())
        setup = FuzzRequest(
            "PUT",
            f"/v2/accounts/{ACCOUNT_ID}/callflows",
            b"",
            [(b"x-auth-token", TOKEN.encode())],
            [orjson.dumps({"data": callflow("1000", id=KNOWN_ID)}), b""],
        )
        assert loop.run_until_complete(call(app, setup))[0] == 201
        yield Fuzzed(app, loop, config)
    finally:
        loop.run_until_complete(app.state.close())
        loop.close()


@FUZZ_SETTINGS
@given(request=requests())
def test_fuzz_requests_answered(fuzzed: Fuzzed, request: FuzzRequest) -> None:
    status, body = fuzzed.loop.run_until_complete(call(fuzzed.app, request))
    assert status < 500, body
    if request.method != "HEAD":
        envelope = orjson.loads(body)
        assert set(envelope) >= ENVELOPE_KEYS


def test_server_answers_after_fuzz(fuzzed: Fuzzed) -> None:
    # A Redis client belongs to the event loop it was used on, so on Redis a new
    # app, like a restarted process, serves the state that the fuzzing left.
    app = fuzzed.app if fuzzed.config.store is None else build_app(fuzzed.config)
    with LiveServer(app=app) as server:
        url = f"{server.base_url}/v2/accounts/{ACCOUNT_ID}/callflows"
        headers = {"X-Auth-Token": TOKEN}
        assert httpx.get(url, headers=headers).status_code == 200
        httpx.post(f"{server.base_url}/__admin/reset").raise_for_status()
        created = httpx.put(url, json={"data": callflow("7000")}, headers=headers)
        assert created.status_code == 201
        callflow_id = created.json()["data"]["id"]
        fetched = httpx.get(f"{url}/{callflow_id}", headers=headers)
        assert fetched.json()["data"]["numbers"] == ["7000"]
        listed = httpx.get(url, headers=headers).json()["data"]
        assert [row["id"] for row in listed] == [callflow_id]


# The parser and the validator alone ------------------------------------------------


@FUZZ_SETTINGS
@given(body=bodies, media=content_types)
def test_fuzz_decode_envelope(body: bytes, media: str | None) -> None:
    try:
        envelope = decode_envelope(body, media)
    except MockError as exc:
        assert exc.status_code == 400
    else:
        assert isinstance(envelope["data"], dict | list)


@FUZZ_SETTINGS
@given(data=callflow_data | json_values)
def test_fuzz_check_callflow(data: Any) -> None:
    document, errors = check_callflow(CALLFLOW_MODEL, data)
    assert isinstance(document, dict)
    jsoncodec.dumps(errors)
    if not errors:
        jsoncodec.dumps(document)
