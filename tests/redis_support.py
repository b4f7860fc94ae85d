"""The Redis server that the Redis variants of the tests use.

`CALLFLOW_KIT_TEST_REDIS` names it, such as `redis://127.0.0.1:6390/0`; `.ci/run`
starts one and sets it. Without it the Redis tests skip, except under CI=true,
where they fail. Each use gets its own database number, and `wipe` deletes only
the mock's keys (prefix `callflow-kit:`) from it. Two test sessions running at
the same time need two Redis servers, because their resets clear each other's
state.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
import redis

REDIS_ENV = "CALLFLOW_KIT_TEST_REDIS"

# Database numbers, so that servers running at the same time never share keys.
DB_LIVE_SERVER = 1
DB_STORE = 2
DB_WORKERS = 3
DB_CONCURRENCY = 4
DB_SECURITY = 5
DB_FUZZ = 6
DB_FIXTURES = 7


def redis_url(db: int) -> str:
    """Return the test Redis URL with database `db`, or skip when none is set."""
    base = os.environ.get(REDIS_ENV)
    if not base:
        reason = (
            f"no test Redis server: set {REDIS_ENV}=redis://127.0.0.1:PORT/0 "
            "(.ci/run starts one)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    url = urlsplit(base)._replace(path=f"/{db}").geturl()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        pytest.fail(f"{REDIS_ENV} is set, but {url} does not answer: {exc}")
    return url


def wipe(url: str) -> None:
    """Delete every key of the mock from the database of `url`."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match="callflow-kit:*", count=1000))
    if keys:
        client.unlink(*keys)
    client.close()
