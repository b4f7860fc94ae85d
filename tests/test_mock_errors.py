"""Envelope details and every error response, over HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from mock_support import ACCOUNT_ID, OTHER_ACCOUNT_ID, Api, callflow

from generated.handlers import CallflowsHandlers
from generated.routes import ROUTES
from mock_server.app import MockApp
from mock_server.config import MockConfig
from mock_server.state import MockState
from mock_server.testing import LiveServer

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


def test_error_envelope_keys(api: Api) -> None:
    body = api.request("GET", api.url("f" * 32)).json()
    assert set(body) == ERROR_KEYS
    assert body["status"] == "error"


def test_request_id_echoed(api: Api) -> None:
    response = api.request("GET", api.url(), headers={"X-Request-ID": "req-42"})
    assert response.json()["request_id"] == "req-42"
    assert response.headers["x-request-id"] == "req-42"


def test_request_id_generated(api: Api) -> None:
    response = api.request("GET", api.url())
    assert len(response.json()["request_id"]) == 32
    assert response.headers["x-request-id"] == response.json()["request_id"]


def test_envelope_node_and_version(api: Api) -> None:
    body = api.request("GET", api.url()).json()
    assert len(body["node"]) == 22
    assert body["version"].startswith("4.3.")
    assert body["timestamp"].endswith("Z")


def test_cors_headers_with_origin(api: Api) -> None:
    response = api.request("GET", api.url(), headers={"Origin": "http://ui.test"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-max-age"] == "86400"
    assert response.headers["access-control-allow-methods"] == "GET, PUT, OPTIONS"
    assert "x-auth-token" in response.headers["access-control-allow-headers"]


def test_cors_headers_on_errors(api: Api) -> None:
    response = api.request("GET", api.url("f" * 32))
    assert response.headers["access-control-allow-origin"] == "*"


def test_no_cors_headers_without_origin(api: Api) -> None:
    response = api.request("GET", api.url())
    assert "access-control-allow-origin" not in response.headers


def test_options_preflight(api: Api) -> None:
    response = api.request("OPTIONS", api.url("f" * 32), token=None)
    assert response.status_code == 200
    assert response.headers["access-control-allow-methods"] == (
        "GET, POST, PATCH, DELETE, OPTIONS"
    )


def test_pretty_print(api: Api) -> None:
    plain = api.request("GET", api.url())
    pretty = api.request("GET", api.url(), params={"pretty_print": "true"})
    assert "\n" not in plain.text
    assert '\n  "status": "success"' in pretty.text


def test_pretty_print_header(api: Api) -> None:
    response = api.request("GET", api.url(), headers={"X-Pretty-Print": "true"})
    assert '\n  "data": []' in response.text


def test_invalid_json(api: Api) -> None:
    response = api.request("PUT", api.url(), content=b'{"data": {')
    body = response.json()
    assert response.status_code == 400
    assert body["message"] == "validation error"
    assert body["data"] == {
        "json": {"invalid": {"message": "truncated_json around 11", "target": "body"}}
    }


def test_json_not_an_object(api: Api) -> None:
    response = api.request("PUT", api.url(), content=b"[1]")
    assert response.status_code == 400
    assert response.json()["data"] == {
        "json": {"invalid": {"message": "All JSON must be valid", "target": "body"}}
    }


def test_envelope_without_data(api: Api) -> None:
    response = api.request("PUT", api.url(), json={"numbers": ["1000"]})
    assert response.status_code == 400
    assert response.json()["data"] == {
        "data": {
            "required": {
                "message": "Field is required but missing",
                "value": {"numbers": ["1000"]},
            }
        }
    }


def test_data_wrong_type(api: Api) -> None:
    response = api.request("PUT", api.url(), json={"data": "x"})
    assert response.status_code == 400
    assert response.json()["data"] == {
        "data": {
            "type": {
                "message": "Value did not match type(s): object, array",
                "target": "object, array",
                "value": "x",
            }
        }
    }


def test_body_error_before_routing(api: Api) -> None:
    response = api.request("PUT", "/v2/nowhere", content=b"{")
    assert response.status_code == 400


def test_missing_token(api: Api) -> None:
    response = api.request("GET", api.url(), token=None)
    body = response.json()
    assert response.status_code == 401
    assert body["auth_token"] == "undefined"
    assert body["error"] == "401"
    assert body["message"] == "invalid_credentials"
    assert body["data"] == {"message": "invalid credentials"}


def test_unknown_token(api: Api) -> None:
    response = api.request("GET", api.url(), token="not-a-token")
    assert response.status_code == 401
    assert response.json()["message"] == "invalid_credentials"


def test_token_in_query(api: Api) -> None:
    params = {"auth_token": api.token}
    response = api.request("GET", api.url(), token=None, params=params)
    assert response.status_code == 200


def test_token_in_body(api: Api) -> None:
    body = {"data": callflow("1000"), "auth_token": api.token}
    response = api.request("PUT", api.url(), token=None, json=body)
    assert response.status_code == 201


def test_token_in_data(api: Api) -> None:
    body = {"data": {**callflow("1000"), "auth_token": api.token}}
    response = api.request("PUT", api.url(), token=None, json=body)
    assert response.status_code == 201
    assert "auth_token" not in response.json()["data"]


def test_other_account_forbidden(api: Api) -> None:
    response = api.request("GET", api.url(account_id=OTHER_ACCOUNT_ID))
    body = response.json()
    assert response.status_code == 403
    assert body["error"] == "403"
    assert body["message"] == "forbidden"
    assert body["data"] == {"message": "forbidden"}


def test_malformed_account_id(api: Api) -> None:
    response = api.request("GET", "/v2/accounts/xyz/callflows")
    body = response.json()
    assert response.status_code == 404
    assert body["message"] == "bad identifier"
    assert body["data"] == {"message": "invalid account_id 'xyz'"}


def test_unknown_account_before_auth(api: Api) -> None:
    unknown = "e" * 32
    response = api.request("GET", api.url(account_id=unknown), token=None)
    assert response.status_code == 404
    assert response.json()["message"] == "bad_identifier"
    assert response.json()["data"] == {"cause": unknown, "message": "bad identifier"}


def test_unknown_path(api: Api) -> None:
    response = api.request("GET", api.url("f" * 32) + "/extra")
    body = response.json()
    assert response.status_code == 404
    assert body["message"] == "not_found"
    assert body["data"] == {"message": "not found"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", f"/v2/accounts/{ACCOUNT_ID}/callflows", id="post-list"),
        pytest.param("PATCH", f"/v2/accounts/{ACCOUNT_ID}/callflows", id="patch-list"),
        pytest.param(
            "PUT", f"/v2/accounts/{ACCOUNT_ID}/callflows/{'f' * 32}", id="put-one"
        ),
    ],
)
def test_method_not_allowed(api: Api, method: str, path: str) -> None:
    response = api.request(method, path)
    body = response.json()
    assert response.status_code == 405
    assert body["message"] == "invalid_method"
    assert body["data"] == {"message": "method not allowed"}


def test_verb_tunnelling(api: Api) -> None:
    response = api.request(
        "POST", api.url(), params={"verb": "PUT"}, json={"data": callflow("1000")}
    )
    assert response.status_code == 201


def test_unsupported_media_type(api: Api) -> None:
    response = api.request(
        "PUT",
        api.url(),
        content=b'{"data": {}}',
        headers={"Content-Type": "text/plain"},
    )
    body = response.json()
    assert response.status_code == 415
    assert body["error"] == "415"
    assert body["message"] == "unsupported_media_type"


def test_form_content_type_json_body(api: Api) -> None:
    response = api.request(
        "PUT",
        api.url(),
        content=b'{"data": {"numbers": ["1000"], "flow": {"module": "user"}}}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 201


def test_file_upload_type_means_empty_data(api: Api) -> None:
    response = api.request(
        "PUT",
        api.url(),
        content=b"a,b\n",
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 400
    assert list(response.json()["data"]["numbers"]) == ["required"]


MAX_SIZE_ERROR = {
    "file": {
        "maxSize": {
            "message": "Payload or Files must not be more than 8000000 bytes",
            "target": 8000000,
        }
    }
}


def test_body_too_large_by_length(api: Api) -> None:
    host, port = api.server.config.host, api.server.config.port
    request = (
        f"PUT {api.url()} HTTP/1.1\r\nHost: {host}\r\n"
        f"X-Auth-Token: {api.token}\r\nContent-Type: application/json\r\n"
        "Content-Length: 8000001\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(request.encode())
        reply = _read_response(connection)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b'"maxSize"' in body


def test_body_too_large_streamed(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(9):
            yield b" " * 1_000_000

    response = api.request("PUT", api.url(), content=chunks())
    assert response.status_code == 400
    assert response.json()["data"] == MAX_SIZE_ERROR


def _read_response(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_not_implemented_handler() -> None:
    state = MockState(MockConfig(seed=1))
    app = MockApp(state, CallflowsHandlers())
    app.add_generated_routes(ROUTES)
    with LiveServer(app=app) as server, Api(server) as api:
        response = api.request("GET", api.url())
    body = response.json()
    assert response.status_code == 501
    assert body["error"] == "501"
    assert body["message"] == "not_implemented"
    assert body["data"] == {"cause": "list_callflows", "message": "not implemented"}
