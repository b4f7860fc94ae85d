"""Concurrent requests over real HTTP: uniqueness, merged patches, stable paging."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from mock_support import Api, callflow

T = TypeVar("T")


async def with_client(api: Api, work: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    """Run `work` with an async client for the live mock, 50 connections at most."""
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(
        base_url=api.server.base_url,
        headers={"X-Auth-Token": api.token},
        limits=limits,
        timeout=60,
    ) as client:
        return await work(client)


def test_same_number_exactly_one_wins(api: Api) -> None:
    async def put_all(client: httpx.AsyncClient) -> list[httpx.Response]:
        body = {"data": callflow("1000")}
        return await asyncio.gather(
            *(client.put(api.url(), json=body) for _ in range(200))
        )

    responses = asyncio.run(with_client(api, put_all))
    created = [r for r in responses if r.status_code == 201]
    rejected = [r for r in responses if r.status_code == 400]
    assert len(created) == 1
    assert len(rejected) == 199
    winner = created[0].json()["data"]["id"]
    unique = {
        "numbers": {
            "unique": {
                "message": f"1000 exists in callflow {winner} ({winner})",
                "cause": "1000",
            }
        }
    }
    assert all(r.json()["data"] == unique for r in rejected)
    listed = api.request("GET", api.url()).json()["data"]
    assert [row["id"] for row in listed] == [winner]


def test_same_pattern_exactly_one_wins(api: Api) -> None:
    async def put_all(client: httpx.AsyncClient) -> list[int]:
        body = {"data": {"patterns": ["^9(\\d+)$"], "flow": {"module": "user"}}}
        replies = await asyncio.gather(
            *(client.put(api.url(), json=body) for _ in range(100))
        )
        return sorted(reply.status_code for reply in replies)

    assert asyncio.run(with_client(api, put_all)) == [201] + [400] * 99


def test_patches_of_different_fields_all_kept(api: Api) -> None:
    callflow_id = api.create_id(callflow("1000"))
    fields = {f"field_{i}": i for i in range(20)}

    async def patch_all(client: httpx.AsyncClient) -> list[int]:
        replies = await asyncio.gather(
            *(
                client.patch(api.url(callflow_id), json={"data": {key: value}})
                for key, value in fields.items()
            )
        )
        return [reply.status_code for reply in replies]

    statuses = asyncio.run(with_client(api, patch_all))
    assert statuses == [200] * len(fields)
    stored = api.request("GET", api.url(callflow_id)).json()
    assert {key: stored["data"][key] for key in fields} == fields
    assert stored["revision"].startswith(f"{len(fields) + 1}-")


def test_paging_walk_never_repeats(api: Api) -> None:
    """Walk pages of 7 while writers create and delete; no id comes twice."""
    stable = {api.create_id(callflow(str(2000 + i))) for i in range(150)}

    async def writer(client: httpx.AsyncClient, first: int, stop: asyncio.Event) -> int:
        operations = 0
        for number in range(first, first + 300):
            if stop.is_set():
                break
            reply = await client.put(api.url(), json={"data": callflow(str(number))})
            new_id = reply.json()["data"]["id"]
            if number % 2:
                await client.delete(api.url(new_id))
            operations += 1
        return operations

    async def walk(client: httpx.AsyncClient) -> list[str]:
        seen: list[str] = []
        params: dict[str, Any] = {"page_size": 7}
        while True:
            page = (await client.get(api.url(), params=params)).json()
            seen += [row["id"] for row in page["data"]]
            if "next_start_key" not in page:
                return seen
            params["start_key"] = page["next_start_key"]
            await asyncio.sleep(0)

    async def run(client: httpx.AsyncClient) -> tuple[list[str], list[int]]:
        stop = asyncio.Event()
        writers = [
            asyncio.create_task(writer(client, 5000 + 1000 * i, stop)) for i in range(4)
        ]
        await asyncio.sleep(0.05)
        seen = await walk(client)
        stop.set()
        return seen, list(await asyncio.gather(*writers))

    seen, operations = asyncio.run(with_client(api, run))
    assert len(seen) == len(set(seen))
    assert stable <= set(seen)
    assert sum(operations) > 0
