"""Callflow create, list, fetch, replace, patch and delete over HTTP."""

from __future__ import annotations

import asyncio
import re

import httpx
from mock_support import ACCOUNT_ID, Api, callflow, example
from raw_http import raw_request

SUCCESS_KEYS = {
    "auth_token",
    "status",
    "request_id",
    "node",
    "version",
    "timestamp",
    "revision",
    "data",
}
REVISION = re.compile(r"\d+-[0-9a-f]{32}")
UNIQUE_1000 = "1000 exists in callflow {id} ({name})"


# Create -------------------------------------------------------------------------


def test_create_returns_201_envelope(api: Api) -> None:
    response = api.create(callflow("1000", name="Main"))
    body = response.json()
    assert response.status_code == 201
    assert set(body) == SUCCESS_KEYS
    assert body["status"] == "success"
    assert body["auth_token"] == api.token
    assert re.fullmatch(r"[0-9a-f]{32}", body["data"]["id"])
    assert REVISION.fullmatch(body["revision"])


def test_create_location_header(api: Api) -> None:
    response = api.create(callflow("1000"))
    callflow_id = response.json()["data"]["id"]
    assert response.headers["location"] == api.url(callflow_id)


def test_create_fills_defaults(api: Api) -> None:
    data = api.create(callflow("1000")).json()["data"]
    assert data["patterns"] == []
    assert data["flow"] == {
        "module": "user",
        "children": {},
        "data": {"delay": 0, "strategy": "simultaneous", "timeout": 20},
    }


def test_create_normalises_numbers(api: Api) -> None:
    data = api.create(callflow("4155550100", "1000")).json()["data"]
    assert data["numbers"] == ["+14155550100", "1000"]


def test_create_drops_private_keeps_unknown(api: Api) -> None:
    extra = {"_rev": "9-x", "pvt_type": "user", "ui_metadata": {"origin": "voip"}}
    data = api.create(callflow("1000", **extra)).json()["data"]
    assert "_rev" not in data
    assert "pvt_type" not in data
    assert data["ui_metadata"] == {"origin": "voip"}


def test_create_honours_id(api: Api) -> None:
    wanted = "0123456789abcdef0123456789abcdef"
    response = api.create(callflow("1000", id=wanted))
    assert response.status_code == 201
    assert response.json()["data"]["id"] == wanted
    assert api.request("GET", api.url(wanted)).status_code == 200


def test_create_taken_id_conflict(api: Api) -> None:
    taken = api.create_id(callflow("1000"))
    response = api.create(callflow("1001", id=taken))
    body = response.json()
    assert response.status_code == 409
    assert body["error"] == "409"
    assert body["message"] == "datastore_conflict"
    assert body["data"] == {"message": "conflicting documents"}


def test_create_needs_number_or_pattern(api: Api) -> None:
    response = api.create({"flow": {"module": "user"}})
    body = response.json()
    assert response.status_code == 400
    assert body["message"] == "validation error"
    assert body["error"] == "400"
    assert body["data"] == {
        "numbers": {
            "required": {
                "message": "Callflows must be assigned at least one number or pattern"
            }
        }
    }


def test_create_duplicate_number_unique_error(api: Api) -> None:
    first = api.create_id(callflow("1000", name="Main Number"))
    response = api.create(callflow("1000", "1001"))
    assert response.status_code == 400
    assert response.json()["data"] == {
        "numbers": {
            "unique": {
                "message": UNIQUE_1000.format(id=first, name="Main Number"),
                "cause": "1000",
            }
        }
    }


def test_unique_error_names_id_when_unnamed(api: Api) -> None:
    first = api.create_id(callflow("1000"))
    response = api.create(callflow("1000"))
    unique = response.json()["data"]["numbers"]["unique"]
    assert unique["message"] == UNIQUE_1000.format(id=first, name=first)


def test_unique_after_normalisation(api: Api) -> None:
    api.create_id(callflow("+14155550100"))
    response = api.create(callflow("4155550100"))
    assert response.status_code == 400
    assert response.json()["data"]["numbers"]["unique"]["cause"] == "+14155550100"


def test_duplicate_pattern_unique_error(api: Api) -> None:
    first = api.create_id({"patterns": ["^\\*2(\\d+)$"], "flow": {"module": "park"}})
    response = api.create({"patterns": ["^\\*2(\\d+)$"], "flow": {"module": "park"}})
    assert response.json()["data"] == {
        "patterns": {
            "unique": {
                "message": f"^\\*2(\\d+)$ exists in callflow {first} ({first})",
                "cause": "^\\*2(\\d+)$",
            }
        }
    }


def test_duplicates_in_list_unique_items(api: Api) -> None:
    response = api.create(callflow("4155550100", "+14155550100"))
    assert response.status_code == 400
    assert response.json()["data"] == {
        "numbers": {
            "uniqueItems": {
                "message": "List of items is not unique",
                "value": ["+14155550100", "+14155550100"],
            }
        }
    }


def test_unknown_module_error(api: Api) -> None:
    response = api.create({"numbers": ["1000"], "flow": {"module": "foo"}})
    assert response.status_code == 400
    assert response.json()["data"] == {
        "flow.module": {
            "error": {
                "message": "unable to find callflow schema for module foo",
                "value": "foo",
            }
        }
    }


def test_schema_error_shape(api: Api) -> None:
    response = api.create(callflow("1" * 37))
    assert response.status_code == 400
    assert response.json()["data"] == {
        "numbers.0": {
            "maxLength": {
                "message": "String must not be more than 36 characters",
                "target": 36,
                "cause": "1" * 37,
                "value": "1" * 37,
            }
        }
    }


# List ---------------------------------------------------------------------------


def test_list_empty(api: Api) -> None:
    response = api.request("GET", api.url())
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == []
    assert body["page_size"] == 0
    assert "revision" not in body
    assert "next_start_key" not in body


def test_list_row_fields(api: Api) -> None:
    data = example("02-ring-group-smartpbx-base")["data"]
    callflow_id = api.create_id(data)
    body = api.request("GET", api.url()).json()
    assert body["data"] == [
        {
            "id": callflow_id,
            "name": "Sales Base Group",
            "type": "baseGroup",
            "numbers": ["Zq8mR2xKp4LtV9wBn3YcH7fDs"],
            "patterns": [],
            "featurecode": False,
            "group_id": "90000000000000000000000000000006",
            "modules": ["ring_group"],
            "flags": [],
        }
    ]
    assert re.fullmatch(r"[0-9a-f]{32}", body["revision"])


def test_list_has_etag(api: Api) -> None:
    api.create_id(callflow("1000"))
    response = api.request("GET", api.url())
    assert response.headers["etag"] == f'"{response.json()["revision"]}"'


# Fetch --------------------------------------------------------------------------


def test_fetch_has_metadata_and_etag(api: Api) -> None:
    callflow_id = api.create_id(example("01-user-smartpbx-main")["data"])
    response = api.request("GET", api.url(callflow_id))
    body = response.json()
    assert response.status_code == 200
    assert set(body) == SUCCESS_KEYS
    assert response.headers["etag"] == f'"{body["revision"]}"'
    assert body["data"]["metadata"] == {
        "a11ce000000000000000000000000001": {
            "name": "Alice Example",
            "pvt_type": "user",
        },
        "face0000000000000000000000000004": {
            "name": "Alice voicemail",
            "pvt_type": "vmbox",
        },
    }


def test_fetch_metadata_names_callflow(api: Api) -> None:
    target = api.create_id(callflow("1000", name="support ring group"))
    flow = {"module": "callflow", "data": {"id": target}}
    source = api.create_id({"numbers": ["1001"], "flow": flow})
    metadata = api.request("GET", api.url(source)).json()["data"]["metadata"]
    assert metadata == {
        target: {
            "name": "support ring group",
            "numbers": ["1000"],
            "pvt_type": "callflow",
        }
    }


def test_fetch_metadata_empty(api: Api) -> None:
    flow = {"module": "user", "data": {"id": "ffffffffffffffffffffffffffffffff"}}
    callflow_id = api.create_id({"numbers": ["1000"], "flow": flow})
    data = api.request("GET", api.url(callflow_id)).json()["data"]
    assert data["metadata"] == {}


def test_fetch_unknown_id(api: Api) -> None:
    response = api.request("GET", api.url("ffffffffffffffffffffffffffffffff"))
    body = response.json()
    assert response.status_code == 404
    assert body["message"] == "bad_identifier"
    assert body["error"] == "404"
    assert body["data"] == {
        "cause": "ffffffffffffffffffffffffffffffff",
        "message": "bad identifier",
    }


def test_fetch_stale_if_match(api: Api) -> None:
    response = api.create(callflow("1000"))
    old_rev = response.json()["revision"]
    callflow_id = response.json()["data"]["id"]
    api.request("PATCH", api.url(callflow_id), json={"data": {"name": "x"}})
    stale = api.request(
        "GET", api.url(callflow_id), headers={"If-Match": f'"{old_rev}"'}
    )
    assert stale.status_code == 412
    assert stale.json()["error"] == "412"


# Replace ------------------------------------------------------------------------


def test_replace_drops_missing_fields(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000", name="Main", type="main"))
    response = api.request(
        "POST", api.url(callflow_id), json={"data": callflow("1000", name="New")}
    )
    data = response.json()["data"]
    assert response.status_code == 200
    assert data["name"] == "New"
    assert "type" not in data
    assert "metadata" not in data


def test_replace_changes_revision(api: Api) -> None:
    created = api.create(callflow("1000")).json()
    callflow_id = created["data"]["id"]
    response = api.request(
        "POST", api.url(callflow_id), json={"data": callflow("1000")}
    )
    assert response.json()["revision"].startswith("2-")
    assert response.json()["revision"] != created["revision"]


def test_replace_own_numbers_ok(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000", "1001"))
    response = api.request(
        "POST", api.url(callflow_id), json={"data": callflow("1001")}
    )
    assert response.status_code == 200


def test_replace_id_in_body_ignored(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000"))
    data = callflow("1000", id="0" * 32, metadata={"x": {}})
    response = api.request("POST", api.url(callflow_id), json={"data": data})
    assert response.json()["data"]["id"] == callflow_id
    assert "metadata" not in response.json()["data"]


def test_replace_missing_is_404_before_400(api: Api) -> None:
    response = api.request("POST", api.url("f" * 32), json={"data": {}})
    assert response.status_code == 404
    assert response.json()["message"] == "bad_identifier"


def test_replace_stale_if_match(api: Api) -> None:
    created = api.create(callflow("1000")).json()
    callflow_id = created["data"]["id"]
    api.request("POST", api.url(callflow_id), json={"data": callflow("1000")})
    response = api.request(
        "POST",
        api.url(callflow_id),
        json={"data": callflow("1000")},
        headers={"If-Match": f'"{created["revision"]}"'},
    )
    assert response.status_code == 412


def test_replace_current_if_match(api: Api) -> None:
    created = api.create(callflow("1000")).json()
    response = api.request(
        "POST",
        api.url(created["data"]["id"]),
        json={"data": callflow("1000")},
        headers={"If-Match": f'"{created["revision"]}"'},
    )
    assert response.status_code == 200


# Patch --------------------------------------------------------------------------


def test_patch_merges_and_null_removes(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000", name="Main", type="main"))
    patch = {"data": {"name": None, "custom": "value"}}
    response = api.request("PATCH", api.url(callflow_id), json=patch)
    data = response.json()["data"]
    assert response.status_code == 200
    assert "name" not in data
    assert data["type"] == "main"
    assert data["custom"] == "value"
    assert data["numbers"] == ["1000"]


def test_patch_validates_merged(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000"))
    response = api.request(
        "PATCH", api.url(callflow_id), json={"data": {"numbers": []}}
    )
    assert response.status_code == 400
    assert list(response.json()["data"]["numbers"]) == ["required"]


def test_patch_own_numbers_ok_others_conflict(api: Api) -> None:
    first = api.create_id(callflow("1000", name="First"))
    second = api.create_id(callflow("2000"))
    same = api.request("PATCH", api.url(second), json={"data": {"numbers": ["2000"]}})
    taken = api.request("PATCH", api.url(second), json={"data": {"numbers": ["1000"]}})
    assert same.status_code == 200
    assert taken.status_code == 400
    assert taken.json()["data"]["numbers"]["unique"] == {
        "message": UNIQUE_1000.format(id=first, name="First"),
        "cause": "1000",
    }


def test_patch_data_not_an_object(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000"))
    response = api.request("PATCH", api.url(callflow_id), json={"data": [1]})
    assert response.status_code == 400
    assert response.json()["data"] == {
        "data": {
            "type": {
                "message": "Value did not match type(s): object",
                "target": "object",
                "value": [1],
            }
        }
    }


# Delete -------------------------------------------------------------------------


def test_delete_soft_read_only(api: Api) -> None:
    created = api.create(callflow("1000", name="Main")).json()
    callflow_id = created["data"]["id"]
    response = api.request("DELETE", api.url(callflow_id))
    body = response.json()
    assert response.status_code == 200
    assert body["data"]["_read_only"] == {"deleted": True}
    assert body["data"]["name"] == "Main"
    assert body["revision"] == created["revision"]
    assert api.request("GET", api.url(callflow_id)).status_code == 404
    assert api.request("GET", api.url()).json()["data"] == []


def test_delete_frees_numbers(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000"))
    api.request("DELETE", api.url(callflow_id))
    assert api.create(callflow("1000")).status_code == 201


def test_delete_keeps_id_taken(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000"))
    api.request("DELETE", api.url(callflow_id))
    assert api.create(callflow("1001", id=callflow_id)).status_code == 409


def test_delete_unknown(api: Api) -> None:
    response = api.request("DELETE", api.url("f" * 32))
    assert response.status_code == 404
    assert response.json()["data"] == {"cause": "f" * 32, "message": "bad identifier"}


def test_child_account_callflows(api: Api) -> None:
    child = "c41d0000000000000000000000000003"
    response = api.request(
        "PUT", api.url(account_id=child), json={"data": callflow("1")}
    )
    assert response.status_code == 201
    assert api.request("GET", api.url(account_id=ACCOUNT_ID)).json()["data"] == []


# Concurrency --------------------------------------------------------------------


async def _put_all(api: Api, count: int) -> list[int]:
    headers = {"X-Auth-Token": api.token}
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(
        base_url=api.server.base_url, headers=headers, limits=limits, timeout=60
    ) as client:
        body = {"data": callflow("1000")}
        replies = await asyncio.gather(
            *(client.put(api.url(), json=body) for _ in range(count))
        )
    return sorted(reply.status_code for reply in replies)


def test_concurrent_same_number_one_wins(api: Api) -> None:
    statuses = asyncio.run(_put_all(api, 200))
    assert statuses == [201] + [400] * 199
    assert len(api.request("GET", api.url()).json()["data"]) == 1


def test_id_with_slash_reachable(api: Api) -> None:
    created = api.create(callflow("1000", id="a/b c"))
    location = created.headers["location"]
    target = api.url("a%2Fb%20c")
    headers = {"X-Auth-Token": api.token}
    host, port = api.server.config.host, api.server.config.port
    fetched = raw_request(host, port, "GET", target, headers)
    deleted = raw_request(host, port, "DELETE", target, headers)
    assert created.status_code == 201
    assert location == target
    assert fetched.status == 200
    assert fetched.json()["data"]["id"] == "a/b c"  # type: ignore[index]
    assert deleted.status == 200
