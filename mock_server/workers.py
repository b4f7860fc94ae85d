"""Serve the mock from several uvicorn worker processes that share a Redis store.

The parent process binds the listening socket and starts the workers. Each
worker imports `create_worker_app`, which reads the settings from the
`CALLFLOW_KIT_WORKER_CONFIG` environment variable that the parent sets.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
from pathlib import Path
from typing import Any

import orjson
from uvicorn.supervisors import Multiprocess

from mock_server.app import MockApp, build_app
from mock_server.config import MockConfig
from mock_server.logs import BufferedStreamHandler, disable_record_fields
from mock_server.server import bind_socket, uvicorn_config

CONFIG_ENV = "CALLFLOW_KIT_WORKER_CONFIG"
LOG_LEVEL_ENV = "CALLFLOW_KIT_WORKER_LOG_LEVEL"
# The format `callflow-kit` gives its own log lines.
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
_PATH_FIELDS = ("fixtures", "state_file")


def encode_config(config: MockConfig) -> str:
    """Return `config` as JSON text for the workers' environment."""
    fields: dict[str, Any] = dataclasses.asdict(config)
    for name in _PATH_FIELDS:
        if fields[name] is not None:
            fields[name] = str(fields[name])
    return orjson.dumps(fields).decode()


def decode_config(text: str) -> MockConfig:
    """Return the MockConfig that `encode_config` wrote."""
    fields: dict[str, Any] = orjson.loads(text)
    for name in _PATH_FIELDS:
        if fields[name] is not None:
            fields[name] = Path(fields[name])
    return MockConfig(**fields)


def create_worker_app() -> MockApp:
    """Build one worker's app from the settings in the environment.

    A worker is a fresh process, so it sets up logging as the parent's CLI did,
    with the buffered handler that `serve` uses: without this its request lines
    would go nowhere. uvicorn's shutdown line writes the waiting ones.
    """
    level = int(os.environ.get(LOG_LEVEL_ENV, logging.INFO))
    handler = BufferedStreamHandler(sys.stderr)
    logging.basicConfig(level=level, format=LOG_FORMAT, handlers=[handler])
    disable_record_fields()
    return build_app(decode_config(os.environ[CONFIG_ENV]))


def serve_workers(config: MockConfig) -> None:
    """Serve `config.workers` processes on one socket until interrupted."""
    sock = bind_socket(config.host, config.port)
    os.environ[CONFIG_ENV] = encode_config(config)
    os.environ[LOG_LEVEL_ENV] = str(logging.getLogger().getEffectiveLevel())
    worker_config = uvicorn_config(
        f"{__name__}:create_worker_app", factory=True, workers=config.workers
    )
    Multiprocess(worker_config, sockets=[sock]).run()
