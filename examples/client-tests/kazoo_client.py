"""A small client of Kazoo's callflows API, the code under test in this example."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx


class CallflowClient:
    """Manage one account's callflows through an httpx client.

    The client carries the base URL and the `X-Auth-Token` header.
    """

    def __init__(self, http: httpx.Client, account_id: str) -> None:
        self.http = http
        self.path = f"/v2/accounts/{account_id}/callflows"

    def add_extension(self, number: str, user_id: str) -> str:
        """Create a callflow that rings a user on `number`; return its id."""
        flow = {"module": "user", "data": {"id": user_id}}
        response = self.http.put(
            self.path, json={"data": {"numbers": [number], "flow": flow}}
        )
        response.raise_for_status()
        callflow_id: str = response.json()["data"]["id"]
        return callflow_id

    def create(self, data: dict[str, Any]) -> str:
        """Create a callflow from its `data` object; return its id."""
        response = self.http.put(self.path, json={"data": data})
        response.raise_for_status()
        callflow_id: str = response.json()["data"]["id"]
        return callflow_id

    def delete(self, callflow_id: str) -> None:
        """Delete a callflow."""
        self.http.delete(f"{self.path}/{callflow_id}").raise_for_status()

    def find_by_number(self, number: str) -> str | None:
        """Return the id of the callflow that contains `number`, or None."""
        response = self.http.get(self.path, params={"paginate": "false"})
        response.raise_for_status()
        for row in response.json()["data"]:
            if number in row.get("numbers", []):
                callflow_id: str = row["id"]
                return callflow_id
        return None


async def count_callflows(http: httpx.AsyncClient, account_id: str) -> int:
    """Return how many callflows an account has."""
    response = await http.get(
        f"/v2/accounts/{account_id}/callflows", params={"paginate": "false"}
    )
    response.raise_for_status()
    return len(response.json()["data"])


def log_in(base_url: str, username: str, password: str, account_name: str) -> str:
    """Log a user in with `PUT /v2/user_auth`; return the new auth token."""
    secret = f"{username.lower()}:{password}".encode()
    credentials = hashlib.md5(secret, usedforsecurity=False).hexdigest()
    data = {"credentials": credentials, "account_name": account_name}
    response = httpx.put(f"{base_url}/v2/user_auth", json={"data": data})
    response.raise_for_status()
    token: str = response.json()["auth_token"]
    return token
