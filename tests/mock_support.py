"""Helpers for the mock server's tests: a client for the live mock, sample data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from mock_server.testing import LiveServer

EXAMPLES = Path(__file__).parent / "data" / "callflow-examples"
SEED = 4242

# Accounts of the packaged default fixtures.
ACCOUNT_ID = "3c2a1f0e9b8d7c6b5a4f3e2d1c0b9a88"
CHILD_ACCOUNT_ID = "c41d0000000000000000000000000003"
OTHER_ACCOUNT_ID = "0ddba110000000000000000000000004"
API_KEY = "5394c2711a62669c4fdf2426cc0589725fa8c5040884c5bb8916d68494c98180"


def example(name: str) -> dict[str, Any]:
    """Return a request body from tests/data/callflow-examples by file stem."""
    body: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return body


def example_names() -> list[str]:
    """Return the stems of every callflow example, in file order."""
    return sorted(path.stem for path in EXAMPLES.glob("*.json"))


class Api:
    """An httpx client for the live mock, authenticated with the start token."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.base_url, timeout=30)

    @property
    def token(self) -> str:
        """Return the start token of the first account."""
        return self.server.token

    def url(self, callflow_id: str | None = None, account_id: str = ACCOUNT_ID) -> str:
        """Return the callflows collection path, or one callflow's path."""
        path = f"/v2/accounts/{account_id}/callflows"
        return path if callflow_id is None else f"{path}/{callflow_id}"

    def request(
        self, method: str, path: str, *, token: str | None = "", **kwargs: Any
    ) -> httpx.Response:
        """Send a request with the start token unless `token` is given (None: none)."""
        headers = dict(kwargs.pop("headers", {}))
        token = self.token if token == "" else token
        if token is not None:
            headers.setdefault("X-Auth-Token", token)
        return self.http.request(method, path, headers=headers, **kwargs)

    def create(self, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
        """PUT a callflow built from `data` in the first account."""
        return self.request("PUT", self.url(), json={"data": data}, **kwargs)

    def create_id(self, data: dict[str, Any]) -> str:
        """Create a callflow that must succeed and return its id."""
        response = self.create(data)
        assert response.status_code == 201, response.text
        callflow_id: str = response.json()["data"]["id"]
        return callflow_id

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.http.close()

    def reset(self) -> None:
        """Return the server to its start state through the admin API."""
        response = self.http.post("/__admin/reset")
        assert response.status_code == 200, response.text


def callflow(*numbers: str, **fields: Any) -> dict[str, Any]:
    """Return minimal valid callflow data with these numbers and extra fields."""
    data: dict[str, Any] = {"numbers": list(numbers), "flow": {"module": "user"}}
    data.update(fields)
    return data
