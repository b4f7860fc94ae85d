"""JSONP: `?jsonp=NAME` wraps the envelope as `NAME(<json>)`."""

from __future__ import annotations

import json

import pytest
from mock_support import Api, callflow


def unwrap(body: str, callback: str) -> dict[str, object]:
    """Return the envelope inside `callback(...)`."""
    assert body.startswith(f"{callback}(")
    assert body.endswith(")")
    envelope: dict[str, object] = json.loads(body[len(callback) + 1 : -1])
    return envelope


def test_jsonp_success(api: Api) -> None:
    api.create_id(callflow("1000"))
    response = api.request("GET", api.url(), params={"jsonp": "cb"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/javascript"
    envelope = unwrap(response.text, "cb")
    assert envelope["status"] == "success"
    assert len(envelope["data"]) == 1  # type: ignore[arg-type]


def test_jsonp_error(api: Api) -> None:
    response = api.request("GET", api.url(), token=None, params={"jsonp": "a.b_1"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/javascript"
    assert unwrap(response.text, "a.b_1")["message"] == "invalid_credentials"


def test_jsonp_validation_error(api: Api) -> None:
    response = api.create({"numbers": []}, params={"jsonp": "cb"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/javascript"
    assert unwrap(response.text, "cb")["error"] == "400"


def test_jsonp_in_request_data(api: Api) -> None:
    response = api.create({**callflow("1000"), "jsonp": "cb"})
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/javascript"
    assert unwrap(response.text, "cb")["status"] == "success"


@pytest.mark.parametrize(
    "callback",
    [
        pytest.param("", id="empty"),
        pytest.param("alert(1);x", id="code"),
        pytest.param("1cb", id="leading-digit"),
        pytest.param("a..b", id="empty-part"),
        pytest.param("c\u00e9", id="non-ascii"),
        pytest.param("a" * 129, id="too-long"),
    ],
)
def test_jsonp_invalid_ignored(api: Api, callback: str) -> None:
    response = api.request("GET", api.url(), params={"jsonp": callback})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["status"] == "success"
