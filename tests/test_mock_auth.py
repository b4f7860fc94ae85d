"""Logins with user_auth and api_auth, and what their tokens may reach."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
from mock_support import (
    ACCOUNT_ID,
    API_KEY,
    CHILD_ACCOUNT_ID,
    OTHER_ACCOUNT_ID,
    Api,
    callflow,
)

ALICE_ID = "a11ce000000000000000000000000001"


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def user_auth(api: Api, data: dict[str, Any]) -> httpx.Response:
    return api.request("PUT", "/v2/user_auth", token=None, json={"data": data})


def alice(**identifier: str) -> dict[str, Any]:
    credentials = md5("alice@example.test:alice-demo-password")
    return {"credentials": credentials, **identifier}


def test_user_auth_by_account_name(api: Api) -> None:
    response = user_auth(api, alice(account_name="Example Telecom"))
    body = response.json()
    assert response.status_code == 201
    assert body["status"] == "success"
    assert len(body["auth_token"]) == 64
    assert body["data"]["account_id"] == ACCOUNT_ID
    assert body["data"]["owner_id"] == ALICE_ID
    assert body["data"]["account_name"] == "Example Telecom"


def test_user_auth_name_compared_loosely(api: Api) -> None:
    response = user_auth(api, alice(account_name="example-telecom"))
    assert response.status_code == 201


def test_user_auth_sha_by_realm(api: Api) -> None:
    secret = b"alice@example.test:alice-demo-password"
    data = {
        "credentials": hashlib.sha1(secret).hexdigest(),
        "method": "sha",
        "account_realm": "example.sip.callflow-kit.test",
    }
    assert user_auth(api, data).status_code == 201


def test_user_auth_by_phone_number(api: Api) -> None:
    response = user_auth(api, alice(phone_number="+15550100000"))
    assert response.status_code == 201
    assert response.json()["data"]["account_id"] == ACCOUNT_ID


def test_user_auth_token_works(api: Api) -> None:
    token = user_auth(api, alice(account_name="Example Telecom")).json()["auth_token"]
    response = api.request("PUT", api.url(), token=token, json={"data": callflow("1")})
    assert response.status_code == 201
    assert response.json()["auth_token"] == token


def test_user_auth_wrong_password(api: Api) -> None:
    data = {"credentials": md5("alice@example.test:wrong"), "account_name": "Example"}
    response = user_auth(api, data)
    body = response.json()
    assert response.status_code == 401
    assert body["message"] == "invalid_credentials"
    assert body["data"] == {"message": "invalid credentials"}


def test_user_auth_wrong_account(api: Api) -> None:
    response = user_auth(api, alice(account_name="Other Telecom"))
    assert response.status_code == 401


def test_user_auth_no_identifier(api: Api) -> None:
    assert user_auth(api, alice()).status_code == 401


def test_user_auth_missing_credentials(api: Api) -> None:
    response = user_auth(api, {"account_name": "Example Telecom"})
    assert response.status_code == 400
    assert response.json()["data"] == {
        "credentials": {
            "required": {
                "message": "Field is required but missing",
                "value": "credentials",
            }
        }
    }


def test_user_auth_bad_method(api: Api) -> None:
    response = user_auth(api, alice(account_name="Example Telecom", method="sha1"))
    assert response.status_code == 400
    assert response.json()["data"]["method"]["enum"]["target"] == ["md5", "sha"]


def test_user_auth_get_not_allowed(api: Api) -> None:
    response = api.request("GET", "/v2/user_auth", token=None)
    assert response.status_code == 405


def api_auth(api: Api, data: dict[str, Any]) -> httpx.Response:
    return api.request("PUT", "/v2/api_auth", token=None, json={"data": data})


def test_api_auth(api: Api) -> None:
    response = api_auth(api, {"api_key": API_KEY})
    body = response.json()
    assert response.status_code == 201
    assert body["data"]["account_id"] == ACCOUNT_ID
    assert body["data"]["account_name"] == "Example Telecom"
    assert "owner_id" not in body["data"]
    assert api.request("GET", api.url(), token=body["auth_token"]).status_code == 200


def test_api_auth_unknown_key(api: Api) -> None:
    key = "f" * 64
    response = api_auth(api, {"api_key": key})
    body = response.json()
    assert response.status_code == 404
    assert body["message"] == "bad identifier"
    assert body["data"] == [key]


def test_api_auth_short_key(api: Api) -> None:
    response = api_auth(api, {"api_key": "abc"})
    assert response.status_code == 400
    assert response.json()["data"] == {
        "api_key": {
            "minLength": {
                "message": "String must be at least 64 characters",
                "target": 64,
                "cause": "abc",
                "value": "abc",
            }
        }
    }


def test_api_auth_extra_key(api: Api) -> None:
    response = api_auth(api, {"api_key": API_KEY, "x": 1})
    assert response.status_code == 400
    assert list(response.json()["data"]) == ["x"]
    assert list(response.json()["data"]["x"]) == ["additionalProperties"]


def test_parent_token_reaches_child(api: Api) -> None:
    response = api.request("GET", api.url(account_id=CHILD_ACCOUNT_ID))
    assert response.status_code == 200


def test_child_token_forbidden_on_parent(api: Api) -> None:
    credentials = md5("carol@branch.example.test:carol-demo-password")
    login = user_auth(
        api, {"credentials": credentials, "account_name": "Example Branch"}
    )
    token = login.json()["auth_token"]
    assert api.request("GET", api.url(), token=token).status_code == 403
    child = api.request("GET", api.url(account_id=CHILD_ACCOUNT_ID), token=token)
    assert child.status_code == 200


def test_api_key_token_of_other_account(api: Api) -> None:
    key = "0ddba110" * 8
    token = api_auth(api, {"api_key": key}).json()["auth_token"]
    assert api.request("GET", api.url(), token=token).status_code == 403
    own = api.request("GET", api.url(account_id=OTHER_ACCOUNT_ID), token=token)
    assert own.status_code == 200


def test_bearer_token(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.token}"}
    response = api.request("GET", api.url(), token=None, headers=headers)
    assert response.status_code == 200
