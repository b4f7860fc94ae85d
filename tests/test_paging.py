"""Start-key encoding, paging parameters, and walking pages over HTTP."""

from __future__ import annotations

import pytest
from mock_support import Api, callflow

from mock_server.paging import (
    DEFAULT_PAGE_SIZE,
    PageRequest,
    decode_start_key,
    encode_start_key,
    page_request,
)

KAZOO_ID = "3c2a1f0e9b8d7c6b5a4f3e2d1c0b9a88"
KAZOO_ID_KEY = "g20AAAAgM2MyYTFmMGU5YjhkN2M2YjVhNGYzZTJkMWMwYjlhODg"


def test_encode_start_key_short() -> None:
    assert encode_start_key("abc") == "g20AAAADYWJj"


def test_encode_start_key_kazoo_id() -> None:
    assert encode_start_key(KAZOO_ID) == KAZOO_ID_KEY


def test_decode_start_key_round_trip() -> None:
    assert decode_start_key(KAZOO_ID_KEY) == KAZOO_ID


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(KAZOO_ID, id="plain-id"),
        pytest.param("not base64 !", id="not-base64"),
        pytest.param("g20AAAAKYWJj", id="length-mismatch"),
        pytest.param("YWJjZGVm", id="not-a-binary-term"),
    ],
)
def test_decode_start_key_raw_fallback(raw: str) -> None:
    assert decode_start_key(raw) == raw


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param({}, PageRequest(), id="defaults"),
        pytest.param({"page_size": "10"}, PageRequest(page_size=10), id="size"),
        pytest.param({"page_size": "0"}, PageRequest(), id="zero-size"),
        pytest.param({"page_size": "-3"}, PageRequest(), id="negative-size"),
        pytest.param({"page_size": "ten"}, PageRequest(), id="text-size"),
        pytest.param({"paginate": "false"}, PageRequest(paginate=False), id="off"),
        pytest.param({"paginate": False}, PageRequest(paginate=False), id="off-bool"),
        pytest.param({"paginate": "true"}, PageRequest(), id="on"),
        pytest.param(
            {"start_key": KAZOO_ID_KEY},
            PageRequest(start_key=KAZOO_ID),
            id="encoded-start",
        ),
        pytest.param(
            {"start_key": KAZOO_ID}, PageRequest(start_key=KAZOO_ID), id="raw-start"
        ),
    ],
)
def test_page_request(values: dict[str, object], expected: PageRequest) -> None:
    assert page_request(values) == expected


def test_default_page_size_is_kazoo_default() -> None:
    assert DEFAULT_PAGE_SIZE == 50


# Over HTTP --------------------------------------------------------------------


def _create_many(api: Api, count: int) -> list[str]:
    return sorted(api.create_id(callflow(str(2000 + i))) for i in range(count))


def test_list_page_size_and_next_key(api: Api) -> None:
    ids = _create_many(api, 5)
    body = api.request("GET", api.url(), params={"page_size": "2"}).json()
    assert [row["id"] for row in body["data"]] == [ids[1], ids[0]]
    assert body["page_size"] == 2
    assert body["next_start_key"] == encode_start_key(ids[2])
    assert "start_key" not in body


def test_list_last_page_has_no_next_key(api: Api) -> None:
    ids = _create_many(api, 3)
    params = {"page_size": "2", "start_key": encode_start_key(ids[2])}
    body = api.request("GET", api.url(), params=params).json()
    assert [row["id"] for row in body["data"]] == [ids[2]]
    assert body["page_size"] == 1
    assert body["start_key"] == encode_start_key(ids[2])
    assert "next_start_key" not in body


def test_list_raw_start_key_accepted(api: Api) -> None:
    ids = _create_many(api, 3)
    params = {"page_size": "5", "start_key": ids[1]}
    body = api.request("GET", api.url(), params=params).json()
    assert [row["id"] for row in body["data"]] == [ids[2], ids[1]]
    assert body["start_key"] == encode_start_key(ids[1])


def test_list_walk_returns_each_once(api: Api) -> None:
    ids = _create_many(api, 23)
    seen: list[str] = []
    params = {"page_size": "4"}
    for _ in range(10):
        body = api.request("GET", api.url(), params=params).json()
        seen += [row["id"] for row in body["data"]]
        if "next_start_key" not in body:
            break
        params = {"page_size": "4", "start_key": body["next_start_key"]}
    assert sorted(seen) == ids
    assert len(seen) == len(set(seen))


def test_list_default_page_is_fifty(api: Api) -> None:
    _create_many(api, 51)
    body = api.request("GET", api.url()).json()
    assert body["page_size"] == 50
    assert len(body["data"]) == 50
    assert "next_start_key" in body


def test_list_paginate_false_returns_all(api: Api) -> None:
    ids = _create_many(api, 52)
    body = api.request("GET", api.url(), params={"paginate": "false"}).json()
    assert [row["id"] for row in body["data"]] == ids[::-1]
    assert "page_size" not in body
    assert "next_start_key" not in body
    assert "start_key" not in body


def test_list_page_size_in_body(api: Api) -> None:
    _create_many(api, 3)
    response = api.request("GET", api.url(), json={"data": {"page_size": 1}})
    assert response.json()["page_size"] == 1
