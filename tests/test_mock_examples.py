"""Real clients' callflow bodies: each survives a full round trip over HTTP."""

from __future__ import annotations

import pytest
from mock_support import Api, example, example_names


@pytest.mark.parametrize("name", example_names())
def test_example_round_trip(api: Api, name: str) -> None:
    body = example(name)

    created = api.request("PUT", api.url(), json=body)
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    callflow_id = data["id"]
    for key, value in body["data"].items():
        if key not in ("numbers", "flow"):
            assert data[key] == value

    rows = api.request("GET", api.url()).json()["data"]
    assert [row["id"] for row in rows] == [callflow_id]

    fetched = api.request("GET", api.url(callflow_id)).json()["data"]
    assert {k: v for k, v in fetched.items() if k != "metadata"} == data

    replaced = api.request("POST", api.url(callflow_id), json={"data": fetched})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["data"] == data

    patched = api.request(
        "PATCH", api.url(callflow_id), json={"data": {"name": "Patched"}}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"] == {**data, "name": "Patched"}

    deleted = api.request("DELETE", api.url(callflow_id))
    assert deleted.status_code == 200
    assert deleted.json()["data"]["_read_only"] == {"deleted": True}
    assert api.request("GET", api.url(callflow_id)).status_code == 404


def test_all_examples_coexist(api: Api) -> None:
    for name in example_names():
        response = api.request("PUT", api.url(), json=example(name))
        assert response.status_code == 201, (name, response.text)
    rows = api.request("GET", api.url()).json()["data"]
    assert len(rows) == len(example_names())


def test_example_count() -> None:
    assert len(example_names()) == 10
