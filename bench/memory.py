"""The mock's live heap after loading a fixture, by allocating line (tracemalloc).

Runs in its own process, loads the fixture file as `callflow-kit serve` does at
start, and prints one JSON object: the live heap per stored callflow and the
source lines that allocated the most of what is still alive.

    python -m bench.memory --fixtures fixtures-1000.json --size 1000 \
        --warmup-fixtures fixtures-100.json
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import linecache
import logging
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import orjson

from mock_server.app import build_app
from mock_server.config import MockConfig

ROOT = Path(__file__).resolve().parent.parent


def measure(fixtures: Path, size: int, warmup: Path, top: int) -> dict[str, Any]:
    """Load the fixtures into a mock and return the live heap by source line.

    A first mock loads `warmup` untraced, so that what is built once per process
    (pydantic's validators, caches) stays out of the per-callflow figures.
    """
    asyncio.run(build_app(MockConfig(fixtures=warmup)).startup())
    app = build_app(MockConfig(fixtures=fixtures))
    gc.collect()
    tracemalloc.start()
    asyncio.run(app.startup())
    gc.collect()
    live, _ = tracemalloc.get_traced_memory()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    lines = []
    for statistic in snapshot.statistics("lineno")[:top]:
        frame = statistic.traceback[0]
        lines.append(
            {
                "where": f"{_short(frame.filename)}:{frame.lineno}",
                "code": linecache.getline(frame.filename, frame.lineno).strip(),
                "bytes_per_callflow": statistic.size / size,
            }
        )
    return {"size": size, "bytes_per_callflow": live / size, "lines": lines}


def _short(filename: str) -> str:
    """Return a file name relative to the project or to site-packages."""
    path = Path(filename)
    if path.is_relative_to(ROOT) and ".venv" not in path.parts:
        return path.relative_to(ROOT).as_posix()
    parts = path.parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    return "/".join(parts[-2:])  # the standard library: the last two path parts


def main() -> None:
    """Print the measurement as JSON on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, required=True, help="Fixture file.")
    parser.add_argument(
        "--size", type=int, required=True, help="Callflows in the fixture file."
    )
    parser.add_argument(
        "--warmup-fixtures",
        type=Path,
        required=True,
        help="Small fixture file loaded untraced first.",
    )
    parser.add_argument("--top", type=int, default=6, help="Source lines to list.")
    options = parser.parse_args()
    logging.disable(logging.INFO)
    result = measure(
        options.fixtures, options.size, options.warmup_fixtures, options.top
    )
    sys.stdout.buffer.write(orjson.dumps(result) + b"\n")


if __name__ == "__main__":
    main()
