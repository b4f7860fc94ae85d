"""Load tests of the mock: side by side with Prism and the bare app, and by store size.

Scenarios, in the order they run (the writes last, because they grow the store):

| key        | request                                                         |
|------------|-----------------------------------------------------------------|
| `get_one`  | GET one callflow, cycling over stored ids                       |
| `page`     | GET a list page of 50 from a stored id used as `start_key`      |
| `filtered` | GET the first page of `filter_type=mainUserCallflow`            |
| `patch`    | PATCH `name` of stored callflows in turn                        |
| `put`      | PUT a realistic callflow with numbers no other request uses     |
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import sys
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench import tools
from bench.loadgen import (
    Load,
    LoadError,
    LoadSettings,
    Measurement,
    measure_interleaved,
    next_run_id,
)
from bench.servers import Reply, ServerProcess, free_port, request
from bench.workload import UNIQUE_MARK, Workload

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "callflows.openapi.yaml"
TOKEN = "bench-token-0123456789abcdef"
JSON_HEADERS = {"Content-Type": "application/json"}
PATCH_PROBE = b'{"data":{"name":"Renamed by the probe"}}'


@dataclass(frozen=True, slots=True)
class Scenario:
    """One kind of request the benchmark sends."""

    key: str
    title: str
    script: str


SCENARIOS = (
    Scenario("get_one", "GET one callflow", "get.lua"),
    Scenario("page", "GET a list page of 50", "get.lua"),
    Scenario("filtered", "GET a filtered list", "get.lua"),
    Scenario("patch", "PATCH one field", "patch.lua"),
    Scenario("put", "PUT create, fresh numbers", "put.lua"),
)
SCALE_SCENARIOS = ("put", "get_one", "page")
BY_KEY = {scenario.key: scenario for scenario in SCENARIOS}


def mock_server(workload: Workload, work_dir: Path, label: str) -> ServerProcess:
    """Return the mock as `callflow-kit serve` runs it, preloaded from fixtures."""
    port = free_port()
    command = [
        str(tools.VENV_BIN / "callflow-kit"),
        "serve",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--fixtures={workload.fixtures}",
        f"--token={TOKEN}",
    ]
    return ServerProcess(
        f"mock ({label})", command, port, work_dir / f"mock-{label}.log", ROOT, 600.0
    )


def bare_server(responses: Path, work_dir: Path) -> ServerProcess:
    """Return the bare Starlette app serving the bodies in `responses`."""
    port = free_port()
    command = [
        str(tools.VENV_BIN / "python"),
        "-m",
        "bench.bare_app",
        f"--port={port}",
        f"--responses={responses}",
    ]
    return ServerProcess("bare", command, port, work_dir / "bare.log", ROOT)


def prism_server(work_dir: Path) -> ServerProcess:
    """Return `prism mock` on the derived spec, with its default (static) responses.

    Prism gets a copy of the spec, because it restarts, refusing connections for
    several seconds, whenever its spec file changes, as a `derive` run does.
    """
    spec = work_dir / SPEC.name
    shutil.copyfile(SPEC, spec)
    port = free_port()
    command = [str(tools.PRISM_BIN), "mock", "-h", "127.0.0.1", "-p", str(port)]
    command.append(str(spec))
    return ServerProcess("prism", command, port, work_dir / "prism.log", ROOT)


def load_for(scenario: Scenario, server: ServerProcess, workload: Workload) -> Load:
    """Return the wrk load of a scenario against a server."""
    files = {
        "get_one": workload.callflow_paths,
        "page": workload.page_paths,
        "filtered": workload.filter_paths,
        "patch": workload.callflow_paths,
    }
    if scenario.key == "put":
        templates = str(workload.put_templates)
        return Load(
            server.url + workload.put_path,
            scenario.script,
            lambda: [TOKEN, templates, str(next_run_id())],
        )
    paths = str(files[scenario.key])
    if scenario.key == "patch":
        return Load(
            server.url, scenario.script, lambda: [TOKEN, paths, str(next_run_id())]
        )
    return Load(server.url, scenario.script, lambda: [TOKEN, paths])


def probe(server: ServerProcess, scenario: Scenario, workload: Workload) -> Reply:
    """Send one request of the scenario and return the reply.

    A PUT probe sends every template once, each with its own numbers, and returns
    the first reply that is not 2xx, else the first reply.
    """
    headers = {"X-Auth-Token": TOKEN}
    if scenario.key == "put":
        lines = workload.put_templates.read_text(encoding="utf-8").splitlines()
        # A leading 0 keeps probe numbers apart from those of wrk runs.
        unique = f"0{next_run_id()}"
        replies = [
            request(
                server.url,
                "PUT",
                workload.put_path,
                headers | JSON_HEADERS,
                line.replace(UNIQUE_MARK, f"{unique}{index:02d}").encode(),
            )
            for index, line in enumerate(lines)
        ]
        failed = [reply for reply in replies if not 200 <= reply.status < 300]
        return failed[0] if failed else replies[0]
    if scenario.key == "patch":
        path = workload.first_callflow_path()
        return request(server.url, "PATCH", path, headers | JSON_HEADERS, PATCH_PROBE)
    files = {
        "get_one": workload.callflow_paths,
        "page": workload.page_paths,
        "filtered": workload.filter_paths,
    }
    path = files[scenario.key].read_text(encoding="utf-8").splitlines()[0]
    return request(server.url, "GET", path, headers)


def _measure(
    loads: dict[str, Load],
    settings: LoadSettings,
    servers: Iterable[ServerProcess],
    tolerated: Collection[str] = (),
) -> tuple[dict[str, Measurement], dict[str, str]]:
    """Measure the loads; when wrk fails, name the server that died, if one did."""
    try:
        return measure_interleaved(loads, settings, tolerated)
    except LoadError:
        time.sleep(2)  # a crashing server may take a moment to exit
        for server in servers:
            server.check_alive()
        raise


def _rows(body: bytes) -> int | None:
    """Return the number of rows of a list response, or None for other bodies."""
    try:
        data = orjson.loads(body).get("data")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return len(data) if isinstance(data, list) else None


def _served(reply: Reply) -> bool:
    return 200 <= reply.status < 300


@contextlib.contextmanager
def running(servers: Sequence[ServerProcess]) -> Iterator[None]:
    """Start the servers in order and stop all of them on the way out."""
    with contextlib.ExitStack() as stack:
        for server in servers:
            logger.info("starting %s", server.name)
            stack.enter_context(server)
        yield


def run_comparison(
    workload: Workload, settings: LoadSettings, work_dir: Path
) -> dict[str, Any]:
    """Measure every scenario on the mock, the bare app and Prism, interleaved."""
    mock = mock_server(workload, work_dir, f"{workload.size}")
    with running([mock]):
        replies = {s.key: probe(mock, s, workload) for s in SCENARIOS}
        for key, reply in replies.items():
            if not _served(reply):
                raise RuntimeError(
                    f"the mock returned HTTP {reply.status} to the {key} probe: "
                    f"{reply.body[:500]!r}"
                )
        responses = work_dir / "bare-responses.json"
        responses.write_bytes(
            orjson.dumps(
                {
                    k: {"status": r.status, "body": r.body.decode()}
                    for k, r in replies.items()
                }
            )
        )
        bare, prism = bare_server(responses, work_dir), prism_server(work_dir)
        with running([bare, prism]):
            servers = {"mock": mock, "bare": bare, "prism": prism}
            return _compare(servers, workload, settings)


def _compare(
    servers: dict[str, ServerProcess], workload: Workload, settings: LoadSettings
) -> dict[str, Any]:
    probes: dict[str, dict[str, Any]] = {}
    results: dict[str, dict[str, Any]] = {}
    failures: dict[str, dict[str, Any]] = {}
    for scenario in SCENARIOS:
        loads = {}
        probes[scenario.key] = {}
        for name, server in servers.items():
            reply = probe(server, scenario, workload)
            probes[scenario.key][name] = {
                "status": reply.status,
                "body": reply.body[:300].decode(errors="replace"),
                "rows": _rows(reply.body),
            }
            if _served(reply):
                loads[name] = load_for(scenario, server, workload)
        logger.info("comparing %s on %s", scenario.key, ", ".join(loads))
        measured, failed = _measure(loads, settings, servers.values(), ("prism",))
        results[scenario.key] = {name: m.to_json() for name, m in measured.items()}
        if failed:
            logger.warning("load failed during %s: %s", scenario.key, failed)
            failures[scenario.key] = {
                name: _failure(message, servers[name])
                for name, message in failed.items()
            }
            for name in failed:
                servers[name].stop()
                servers[name].start()
    started = {name: server.started_in for name, server in servers.items()}
    return {
        "stored": workload.size,
        "results": results,
        "probes": probes,
        "failures": failures,
        "started_in": started,
    }


def _failure(message: str, server: ServerProcess) -> dict[str, Any]:
    """Describe a failed run: wrk's message, whether the server exited, its log."""
    time.sleep(2)  # a crashing server may take a moment to exit
    return {
        "wrk": message.splitlines()[-1],
        "exit_status": server.exit_status(),
        "log_tail": server.log_tail(15),
    }


def run_scale(
    workloads: Sequence[Workload], settings: LoadSettings, work_dir: Path
) -> dict[str, Any]:
    """Measure PUT, GET one and a list page on one mock per stored size."""
    servers = {w.size: mock_server(w, work_dir, f"scale-{w.size}") for w in workloads}
    by_size = {w.size: w for w in workloads}
    with running(list(servers.values())):
        loaded = {
            size: {
                "started_in": server.started_in,
                "rss_mb": server.memory().rss,
                "peak_mb": server.memory().peak,
            }
            for size, server in servers.items()
        }
        results: dict[str, dict[str, Any]] = {}
        for key in SCALE_SCENARIOS:
            scenario = BY_KEY[key]
            loads = {
                str(size): load_for(scenario, server, by_size[size])
                for size, server in servers.items()
            }
            logger.info("scale: %s", key)
            measured, _ = _measure(loads, settings, servers.values())
            results[key] = {name: m.to_json() for name, m in measured.items()}
        after = {str(size): server.memory().rss for size, server in servers.items()}
    return {
        "sizes": [w.size for w in workloads],
        "loaded": {str(size): info for size, info in loaded.items()},
        "results": results,
        "rss_after_mb": after,
    }


def memory_breakdown(workload: Workload, warmup: Workload) -> dict[str, Any]:
    """Measure the live heap per stored callflow in a fresh process (bench.memory)."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.memory",
            f"--fixtures={workload.fixtures}",
            f"--size={workload.size}",
            f"--warmup-fixtures={warmup.fixtures}",
        ],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=600,
    )
    result: dict[str, Any] = orjson.loads(completed.stdout)
    return result
