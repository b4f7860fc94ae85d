"""Hostile requests over real HTTP: each gets Kazoo's error envelope, never a 5xx."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from mock_support import ACCOUNT_ID, Api, callflow
from raw_http import RawConnection, RawResponse, raw_request, request_bytes

from mock_server.body import MAX_JSON_DEPTH

ERROR_KEYS = {
    "auth_token",
    "request_id",
    "node",
    "version",
    "timestamp",
    "status",
    "message",
    "error",
    "data",
}
DEPTH_ERROR = {
    "json": {
        "invalid": {
            "message": "JSON must not be nested more than 128 levels deep",
            "target": "body",
        }
    }
}
MAX_SIZE_ERROR = {
    "file": {
        "maxSize": {
            "message": "Payload or Files must not be more than 8000000 bytes",
            "target": 8000000,
        }
    }
}
COLLECTION = f"/v2/accounts/{ACCOUNT_ID}/callflows"


def error_body(response: httpx.Response | RawResponse, status: int) -> Any:
    """Check that `response` is Kazoo's error envelope with `status`; return it."""
    code = getattr(response, "status_code", None) or getattr(response, "status", 0)
    assert code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body, dict)
    assert set(body) == ERROR_KEYS
    assert body["status"] == "error"
    assert body["error"] == str(status)
    return body


def raw(api: Api, method: str, target: str, **kwargs: Any) -> RawResponse:
    headers = {"X-Auth-Token": api.token, **kwargs.pop("headers", {})}
    host, port = api.server.config.host, api.server.config.port
    return raw_request(host, port, method, target, headers, **kwargs)


def nested_flow_body(depth: int) -> bytes:
    """Return a create body whose flow has `depth` levels of children."""
    opening = '{"module":"user","children":{"_":' * depth
    flow = opening + '{"module":"user"}' + "}}" * depth
    return b'{"data":{"numbers":["1000"],"flow":' + flow.encode() + b"}}"


def nested_array_body(levels: int) -> bytes:
    """Return a valid create body with an unknown key of `levels` nested arrays."""
    arrays = b"[" * levels + b"]" * levels
    return b'{"data":{"numbers":["1000"],"flow":{"module":"user"},"x":' + arrays + b"}}"


# Nesting ---------------------------------------------------------------------------


def test_children_10000_deep(api: Api) -> None:
    response = api.request("PUT", api.url(), content=nested_flow_body(10_000))
    assert error_body(response, 400)["data"] == DEPTH_ERROR


def test_nesting_at_limit_accepted(api: Api) -> None:
    # The envelope and `data` are levels 1 and 2, so the arrays reach the limit.
    body = nested_array_body(MAX_JSON_DEPTH - 2)
    response = api.request("PUT", api.url(), content=body)
    assert response.status_code == 201
    fetched = api.request("GET", api.url(response.json()["data"]["id"]))
    assert fetched.json()["data"]["x"] == response.json()["data"]["x"]


def test_nesting_over_limit_rejected(api: Api) -> None:
    response = api.request(
        "PUT", api.url(), content=nested_array_body(MAX_JSON_DEPTH - 1)
    )
    assert error_body(response, 400)["data"] == DEPTH_ERROR


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param(
            "PUT",
            COLLECTION,
            b'{"data":' + b"[" * 300 + b"]" * 300 + b"}",
            id="deep-data-array",
        ),
        pytest.param(
            "PUT",
            COLLECTION,
            b'{"x":' + b"[" * 300 + b"]" * 300 + b"}",
            id="deep-without-data",
        ),
        pytest.param(
            "PUT",
            COLLECTION,
            b'{"data":' + b"[" * 2000 + b"]" * 2000 + b"}",
            id="beyond-decoder-limit",
        ),
        pytest.param("PUT", "/v2/user_auth", nested_flow_body(500), id="user-auth"),
        pytest.param("PUT", "/__admin/fixtures", nested_flow_body(500), id="admin"),
        pytest.param("PUT", "/v2/nowhere", nested_flow_body(500), id="unknown-path"),
    ],
)
def test_deep_body_rejected(api: Api, method: str, path: str, body: bytes) -> None:
    response = api.request(method, path, content=body)
    assert error_body(response, 400)["data"] == DEPTH_ERROR


def test_deep_patch_rejected(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000"))
    response = api.request("PATCH", api.url(callflow_id), content=nested_flow_body(500))
    assert error_body(response, 400)["data"] == DEPTH_ERROR


# Body size -------------------------------------------------------------------------


def test_body_at_limit_accepted(api: Api) -> None:
    envelope = b'{"data":{"numbers":["1000"],"flow":{"module":"user"}}}'
    body = envelope + b" " * (8_000_000 - len(envelope))
    response = api.request("PUT", api.url(), content=body)
    assert response.status_code == 201


def test_body_too_large_chunked(api: Api) -> None:
    """The 400 comes while the chunked body is still unfinished."""
    host, port = api.server.config.host, api.server.config.port
    head = request_bytes(
        "PUT",
        COLLECTION,
        {"X-Auth-Token": api.token, "Transfer-Encoding": "chunked"},
    )
    chunk = b"f4240\r\n" + b" " * 1_000_000 + b"\r\n"  # 0xf4240 = 1,000,000 bytes

    def send_chunks(connection: RawConnection) -> None:
        try:
            connection.send(head)
            for _ in range(9):
                connection.send(chunk)
        except OSError:
            pass  # the server may close the connection once it has responded

    with RawConnection(host, port) as connection:
        sender = threading.Thread(target=send_chunks, args=(connection,))
        sender.start()
        response = connection.read_response()
        sender.join()
    assert error_body(response, 400)["data"] == MAX_SIZE_ERROR


# Invalid JSON and envelopes --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b'{"data": nope}', "invalid_json around 10", id="bare-word"),
        pytest.param(b'{"data": {}} x', "invalid_json around 14", id="trailing"),
        pytest.param(b'{"data": {"a": 1,}}', "invalid_json around 17", id="comma"),
        pytest.param(b'{"data": {"a"', "truncated_json around 14", id="truncated"),
        pytest.param(
            b'{"data": {"a": "\xff"}}', "invalid_string around 1", id="invalid-utf8"
        ),
        pytest.param(
            b'{"data": {"a": "\xed\xa0\x80"}}',
            "invalid_string around 1",
            id="utf8-surrogate",
        ),
        pytest.param(
            b'{"data": {"a": "\\ud800"}}',
            "invalid_json around 17",
            id="lone-surrogate-escape",
        ),
        pytest.param(
            b'{"data": {"a": "x\x01y"}}',
            "invalid_json around 18",
            id="raw-control-character",
        ),
        pytest.param(
            b'\xef\xbb\xbf{"data": {}}', "invalid_string around 1", id="byte-order-mark"
        ),
        pytest.param(b'{"data": NaN}', "invalid_json around 10", id="nan"),
    ],
)
def test_invalid_json_rejected(api: Api, body: bytes, message: str) -> None:
    response = api.request("PUT", api.url(), content=body)
    invalid = error_body(response, 400)["data"]["json"]["invalid"]
    assert invalid == {"message": message, "target": "body"}


@pytest.mark.parametrize(
    "value",
    [pytest.param(v, id=repr(v)) for v in ["x", 5, 1.5, True, None]],
)
def test_scalar_data_rejected(api: Api, value: Any) -> None:
    response = api.request("PUT", api.url(), json={"data": value})
    data_error = error_body(response, 400)["data"]["data"]["type"]
    assert data_error == {
        "message": "Value did not match type(s): object, array",
        "target": "object, array",
        "value": value,
    }


ARRAY_ERROR = {
    "data": {
        "type": {
            "message": "Value did not match type(s): object",
            "target": "object",
            "value": [1, 2],
        }
    }
}


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_array_data_rejected_on_update(api: Api, method: str) -> None:
    callflow_id = api.create_id(callflow("1000"))
    response = api.request(method, api.url(callflow_id), json={"data": [1, 2]})
    assert error_body(response, 400)["data"] == ARRAY_ERROR


@pytest.mark.parametrize("path", [COLLECTION, "/v2/user_auth", "/v2/api_auth"])
def test_array_data_rejected_on_put(api: Api, path: str) -> None:
    response = api.request("PUT", path, json={"data": [1, 2]})
    assert error_body(response, 400)["data"] == ARRAY_ERROR


def test_array_data_admin_fixtures(api: Api) -> None:
    response = api.request("PUT", "/__admin/fixtures", json={"data": [1, 2]})
    body = error_body(response, 400)
    assert body["message"] == "invalid_fixtures"


# Large values ----------------------------------------------------------------------


def test_numbers_100000_entries(api: Api) -> None:
    numbers = [str(2_000_000 + i) for i in range(100_000)]
    created = api.create(callflow(*numbers))
    assert created.status_code == 201
    callflow_id = created.json()["data"]["id"]
    fetched = api.request("GET", api.url(callflow_id)).json()["data"]
    assert fetched["numbers"] == [f"+{n}" if len(n) > 7 else n for n in numbers]

    clash = api.create(callflow("9999", numbers[-1]))
    unique = error_body(clash, 400)["data"]["numbers"]["unique"]
    assert unique["cause"] == numbers[-1]

    deleted = api.request("DELETE", api.url(callflow_id))
    assert deleted.status_code == 200
    assert api.create(callflow(numbers[-1])).status_code == 201


def test_numbers_100000_last_wrong_type(api: Api) -> None:
    numbers: list[Any] = [str(2_000_000 + i) for i in range(99_999)] + [1000]
    response = api.create(callflow(*numbers))
    errors = error_body(response, 400)["data"]
    assert list(errors) == ["numbers.99999"]
    assert errors["numbers.99999"]["type"]["value"] == 1000


def test_megabyte_strings_stored(api: Api) -> None:
    big = "é" * 1_000_000
    data = callflow("1000", name=big, extra={big[:10]: big})
    data["flow"] = {"module": "user", "data": {"id": big}}
    created = api.create(data)
    assert created.status_code == 201
    fetched = api.request("GET", api.url(created.json()["data"]["id"]))
    assert fetched.json()["data"]["name"] == big
    assert fetched.json()["data"]["flow"]["data"]["id"] == big


def test_megabyte_key_stored(api: Api) -> None:
    key = "k" * 1_000_000
    created = api.create(callflow("1000", **{key: 1}))
    assert created.status_code == 201
    assert created.json()["data"][key] == 1


def test_megabyte_number_rejected(api: Api) -> None:
    big = "5" * 1_000_000
    errors = error_body(api.create(callflow(big)), 400)["data"]
    assert errors["numbers.0"]["maxLength"]["target"] == 36
    assert errors["numbers.0"]["maxLength"]["value"] == "+" + big


# Unicode and control characters ----------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Zürich ☎ 𝄞 \u200f\u202e", id="unicode"),
        pytest.param("a\u0000b\u001f\u007f", id="control"),
        pytest.param("\ufeff\ufffe", id="noncharacters"),
    ],
)
def test_unicode_values_round_trip(api: Api, name: str) -> None:
    created = api.create(callflow("1000", name=name, **{name: name}))
    assert created.status_code == 201
    fetched = api.request("GET", api.url(created.json()["data"]["id"])).json()
    assert fetched["data"]["name"] == name
    assert fetched["data"][name] == name
    listed = api.request("GET", api.url(), params={"filter_name": name}).json()
    assert [row["name"] for row in listed["data"]] == [name]


def test_unicode_number_stored(api: Api) -> None:
    created = api.create(callflow("١٢٣٤"))
    assert created.status_code == 201
    assert created.json()["data"]["numbers"] == ["١٢٣٤"]


def test_request_id_latin1_echoed(api: Api) -> None:
    response = raw(api, "GET", COLLECTION, headers={"X-Request-ID": "r\xe9q\xff"})
    assert response.status == 200
    assert response.headers["x-request-id"] == "r\xe9q\xff"


# Ids in paths ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("segment", "cause"),
    [
        pytest.param("..", "..", id="dot-dot"),
        pytest.param("%2e%2e", "..", id="encoded-dot-dot"),
        pytest.param("a%2Fb", "a/b", id="encoded-slash"),
        pytest.param("..%2F..%2Fetc", "../../etc", id="traversal"),
        pytest.param("abc", "abc", id="short"),
        pytest.param("f" * 1000, "f" * 1000, id="long"),
        pytest.param("%00", "\u0000", id="nul"),
        pytest.param("%ff", "\ufffd", id="invalid-utf8"),
        pytest.param("%C3%A9", "é", id="unicode"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_odd_callflow_ids(api: Api, method: str, segment: str, cause: str) -> None:
    body = b'{"data": {"numbers": ["1000"], "flow": {"module": "user"}}}'
    response = raw(api, method, f"{COLLECTION}/{segment}", body=body)
    assert error_body(response, 404)["data"] == {
        "cause": cause,
        "message": "bad identifier",
    }


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(f"{COLLECTION}/a/b", id="slash"),
        pytest.param(f"{COLLECTION}/../{'f' * 32}", id="dot-dot-segment"),
    ],
)
def test_odd_paths_not_found(api: Api, target: str) -> None:
    body = error_body(raw(api, "GET", target), 404)
    assert body["data"] == {"message": "not found"}


@pytest.mark.parametrize(
    "account",
    ["..", "%2e%2e", "a%2Fb", "x" * 31, "X" * 32, "%C3%A9" * 16],
)
def test_odd_account_ids(api: Api, account: str) -> None:
    response = raw(api, "GET", f"/v2/accounts/{account}/callflows")
    assert error_body(response, 404)["message"] == "bad identifier"


@pytest.mark.parametrize("chosen_id", ["a/b", "..", "x", "é" * 40, "%2F"])
def test_chosen_id_readable(api: Api, chosen_id: str) -> None:
    created = api.create(callflow("1000", id=chosen_id))
    assert created.status_code == 201
    location = created.headers["location"]
    fetched = raw(api, "GET", location)
    assert fetched.status == 200
    assert fetched.json()["data"]["id"] == chosen_id  # type: ignore[index]


# Query strings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "foo=bar&x&=&&==",
        "page_size=abc",
        "page_size=-1",
        "page_size=0",
        "page_size=1e3",
        "page_size=" + "9" * 5000,
        "start_key=%FF%FE",
        "start_key=g20AAAAg",
        "paginate=maybe",
        "created_from=abc&modified_to=-",
        "filter_name=[&filter_not_x={",
        "has_key=&key_missing=&has_value=&value_missing=",
        "filter_" + "a." * 500 + "b=1",
        "pretty_print=true&pretty_print=false",
    ],
)
def test_odd_query_strings(api: Api, query: str) -> None:
    api.create_id(callflow("1000"))
    response = raw(api, "GET", f"{COLLECTION}?{query}")
    assert response.status == 200
    assert response.json()["status"] == "success"  # type: ignore[index]


def test_repeated_page_size_first_wins(api: Api) -> None:
    for number in ("1000", "1001", "1002"):
        api.create_id(callflow(number))
    response = raw(api, "GET", f"{COLLECTION}?page_size=1&page_size=3")
    assert len(response.json()["data"]) == 1  # type: ignore[index]


def test_repeated_filters_all_apply(api: Api) -> None:
    api.create_id(callflow("1000", name="A"))
    query = "filter_name=A&filter_name=B"
    response = raw(api, "GET", f"{COLLECTION}?{query}")
    assert response.json()["data"] == []  # type: ignore[index]


def test_repeated_token_first_wins(api: Api) -> None:
    host, port = api.server.config.host, api.server.config.port
    target = f"{COLLECTION}?auth_token=wrong&auth_token={api.token}"
    response = raw_request(host, port, "GET", target)
    assert error_body(response, 401)["message"] == "invalid_credentials"


# Content types ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        pytest.param(None, 201, id="missing"),
        pytest.param("application/json; charset=utf-8", 201, id="charset"),
        pytest.param("APPLICATION/JSON", 201, id="upper-case"),
        pytest.param("application/x-json", 201, id="x-json"),
        pytest.param(";;;", 201, id="empty-type"),
        pytest.param("text/plain", 415, id="text"),
        pytest.param("application/xml", 415, id="xml"),
        pytest.param("application/json\xe9", 415, id="latin1"),
        pytest.param("multipart/form-data; boundary=x", 201, id="form-json-body"),
        pytest.param("application/octet-stream", 400, id="file-upload"),
    ],
)
def test_content_types(api: Api, content_type: str | None, status: int) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    body = b'{"data": {"numbers": ["1000"], "flow": {"module": "user"}}}'
    response = raw(api, "PUT", COLLECTION, headers=headers, body=body)
    assert response.status == status


def test_form_body_not_json(api: Api) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = raw(api, "PUT", COLLECTION, headers=headers, body=b"a=1&b=%ZZ")
    numbers = error_body(response, 400)["data"]["numbers"]
    assert list(numbers) == ["required"]


def test_content_type_ignored_on_get(api: Api) -> None:
    response = raw(api, "GET", COLLECTION, headers={"Content-Type": "text/plain"})
    assert response.status == 200


# HEAD and OPTIONS ------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", [COLLECTION, f"{COLLECTION}/{'f' * 32}", "/v2/user_auth"]
)
def test_head_not_allowed_connection_usable(api: Api, target: str) -> None:
    host, port = api.server.config.host, api.server.config.port
    headers = {"X-Auth-Token": api.token}
    with RawConnection(host, port) as connection:
        connection.send(request_bytes("HEAD", target, headers))
        head = connection.read_response(head=True)
        connection.send(request_bytes("GET", COLLECTION, headers))
        follow_up = connection.read_response()
    assert head.status == 405
    assert head.body == b""
    assert follow_up.status == 200


def test_head_unknown_path(api: Api) -> None:
    response = raw(api, "HEAD", "/v2/nowhere")
    assert response.status == 404
    assert response.body == b""


@pytest.mark.parametrize(
    ("target", "methods"),
    [
        pytest.param(COLLECTION, "GET, PUT, OPTIONS", id="collection"),
        pytest.param(
            f"{COLLECTION}/{'f' * 32}", "GET, POST, PATCH, DELETE, OPTIONS", id="item"
        ),
        pytest.param("/v2/user_auth", "PUT, OPTIONS", id="user-auth"),
    ],
)
def test_options_lists_methods(api: Api, target: str, methods: str) -> None:
    response = raw(api, "OPTIONS", target, headers={"X-Auth-Token": "nonsense"})
    assert response.status == 200
    assert response.headers["access-control-allow-methods"] == methods
    assert response.json()["status"] == "success"  # type: ignore[index]


def test_options_unknown_path(api: Api) -> None:
    response = raw(api, "OPTIONS", "/v2/nowhere")
    assert error_body(response, 404)["message"] == "not_found"


def test_options_with_body(api: Api) -> None:
    response = raw(api, "OPTIONS", COLLECTION, body=b"{not json")
    assert error_body(response, 400)["data"]["json"]["invalid"]["target"] == "body"
