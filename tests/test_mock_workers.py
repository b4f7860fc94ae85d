"""Two uvicorn workers on one Redis: uniqueness, tokens and resets across processes."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Iterator

import httpx
import pytest
from mock_support import ACCOUNT_ID, callflow
from redis_support import DB_WORKERS, redis_url, wipe
from serve_support import ServeProcess

TOKEN = "workers-test-token"
URL = f"/v2/accounts/{ACCOUNT_ID}/callflows"


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """Serve with two workers on the workers' Redis database."""
    store = redis_url(DB_WORKERS)
    wipe(store)
    log = tmp_path_factory.mktemp("workers") / "serve.log"
    options = ["--workers", "2", "--store", store, "--token", TOKEN]
    server = ServeProcess(*options, log=log)
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def base_url(workers: ServeProcess) -> str:
    response = httpx.post(f"{workers.base_url}/__admin/reset")
    assert response.status_code == 200
    return workers.base_url


def fresh_get(base_url: str, token: str) -> httpx.Response:
    """GET the callflows on a new connection, which either worker may accept."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        return client.get(URL, headers={"X-Auth-Token": token})


def test_two_worker_processes(workers: ServeProcess) -> None:
    assert workers.spawned_workers() == 2


def test_workers_log_requests(base_url: str, workers: ServeProcess) -> None:
    response = fresh_get(base_url, TOKEN)
    request_id = response.json()["request_id"]
    line = f"INFO mock_server.app: GET {URL} 200 {request_id}"
    # Workers write request lines in batches, a fraction of a second later.
    deadline = time.monotonic() + 30
    while line not in workers.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert line in workers.log_path.read_text()


def test_same_number_one_wins_across_workers(base_url: str) -> None:
    async def put_all() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=100)
        headers = {"X-Auth-Token": TOKEN}
        async with httpx.AsyncClient(
            base_url=base_url, headers=headers, limits=limits, timeout=60
        ) as client:
            body = {"data": callflow("1000")}
            return await asyncio.gather(
                *(client.put(URL, json=body) for _ in range(200))
            )

    responses = asyncio.run(put_all())
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [400] * 199
    winner = next(r for r in responses if r.status_code == 201).json()["data"]["id"]
    rejected = next(r for r in responses if r.status_code == 400).json()["data"]
    assert rejected["numbers"]["unique"]["message"] == (
        f"1000 exists in callflow {winner} ({winner})"
    )


def test_login_token_works_on_every_worker(base_url: str) -> None:
    secret = hashlib.md5(b"alice@example.test:alice-demo-password").hexdigest()
    data = {"credentials": secret, "account_name": "Example Telecom"}
    for _ in range(10):
        with httpx.Client(base_url=base_url, timeout=30) as client:
            login = client.put("/v2/user_auth", json={"data": data})
        assert login.status_code == 201
        token = login.json()["auth_token"]
        statuses = {fresh_get(base_url, token).status_code for _ in range(6)}
        assert statuses == {200}


def test_reset_seen_by_every_worker(base_url: str) -> None:
    with httpx.Client(base_url=base_url, headers={"X-Auth-Token": TOKEN}) as client:
        assert client.put(URL, json={"data": callflow("1000")}).status_code == 201
        assert client.post("/__admin/reset").status_code == 200
    listings = [fresh_get(base_url, TOKEN).json()["data"] for _ in range(10)]
    assert listings == [[]] * 10
