"""Time `callflow-kit lint` against Spectral 6 and Redocly CLI 2 on Kazoo's spec.

Installs both npm packages under bench/ (bench/node_modules/, not committed),
runs each linter once as a warm-up and then ROUNDS times, alternating the tools
within each round, and writes the medians and ratios into the lint section of
docs/benchmarks.md. Run it from anywhere: `make bench-lint`.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
BENCH = PROJECT / "bench"
NODE_BIN = BENCH / "node_modules" / ".bin"
SPEC = Path("tests/data/kazoo-oas3-master/openapi.yml")
SPECTRAL_RULESET = Path("bench/lint/spectral.yaml")
PAGE = PROJECT / "docs" / "benchmarks.md"
START = "<!-- lint benchmark: start (written by bench/lint/run.py) -->"
END = "<!-- lint benchmark: end -->"
PACKAGES = ("@stoplight/spectral-cli@6", "@redocly/cli@2")
ROUNDS = 7

# These variables switch off Redocly CLI's usage data and update checks.
QUIET_NODE_ENV = {
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    "NO_UPDATE_NOTIFIER": "1",
}


@dataclass(frozen=True)
class Linter:
    """One linter: a name, the command that lints the spec, and its version."""

    name: str
    command: tuple[str, ...]
    version: str


def install_node_tools() -> None:
    """Install Spectral and Redocly CLI into bench/node_modules with npm."""
    if shutil.which("npm") is None:
        sys.exit("npm not found: install Node.js 20 or later to run this benchmark")
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(BENCH),
            "--no-save",
            "--no-package-lock",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            *PACKAGES,
        ],
        check=True,
        cwd=PROJECT,
    )


def _version(command: list[str]) -> str:
    result = subprocess.run(
        command, capture_output=True, text=True, cwd=PROJECT, env=_environment()
    )
    return result.stdout.strip().splitlines()[0] if result.stdout.strip() else "unknown"


def _environment() -> dict[str, str]:
    return {**os.environ, **QUIET_NODE_ENV}


def linters() -> list[Linter]:
    """Return the three linters with their commands and versions."""
    ours = Path(sys.executable).parent / "callflow-kit"
    spectral = NODE_BIN / "spectral"
    redocly = NODE_BIN / "redocly"
    return [
        Linter(
            "callflow-kit lint",
            (str(ours), "lint", str(SPEC)),
            metadata.version("callflow-kit"),
        ),
        Linter(
            "Spectral",
            (str(spectral), "lint", "--ruleset", str(SPECTRAL_RULESET), str(SPEC)),
            _version([str(spectral), "--version"]),
        ),
        Linter(
            "Redocly CLI",
            (str(redocly), "lint", str(SPEC)),
            _version([str(redocly), "--version"]),
        ),
    ]


def time_once(linter: Linter) -> float:
    """Run the linter once and return its wall time in seconds."""
    started = time.perf_counter()
    # Every linter exits non-zero here, since Kazoo's spec has findings.
    subprocess.run(
        linter.command,
        cwd=PROJECT,
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started


def measure(tools: list[Linter], rounds: int) -> dict[str, list[float]]:
    """Warm each linter up once, then time it `rounds` times, interleaved."""
    for linter in tools:
        time_once(linter)
    times: dict[str, list[float]] = {linter.name: [] for linter in tools}
    for _ in range(rounds):
        for linter in tools:
            times[linter.name].append(time_once(linter))
    return times


# Times the stages of one lint run in a fresh interpreter; prints JSON seconds.
_STAGE_SCRIPT = """
import json, sys, time
started = time.perf_counter()
from pathlib import Path
import openapi_schema_validator, openapi_spec_validator
from generator.lint import _CHECKS
from generator.lint.bundle import bundle_spec
from generator.lint.findings import Reporter
from generator.lint.loader import load_spec
from generator.lint.structure import _schema_validator
from generator.lint.walk import index_spec
times = {"imports": time.perf_counter() - started}

mark = time.perf_counter()
spec = load_spec(Path(sys.argv[1]))
times["YAML parsing with line marks"] = time.perf_counter() - mark

mark = time.perf_counter()
index, reporter = index_spec(spec), Reporter({})
for _, check in _CHECKS:
    list(check(spec, index, reporter))
times["walk and rules"] = time.perf_counter() - mark

mark = time.perf_counter()
bundle = bundle_spec(spec)
times["prance resolution"] = time.perf_counter() - mark

mark = time.perf_counter()
list(_schema_validator(spec.version).iter_errors(bundle.document))
times["openapi-spec-validator"] = time.perf_counter() - mark
print(json.dumps(times))
"""


def stage_times(rounds: int) -> dict[str, float]:
    """Return the median time of each stage of `callflow-kit lint`, in seconds."""
    runs = []
    for _ in range(rounds):
        result = subprocess.run(
            [sys.executable, "-c", _STAGE_SCRIPT, str(SPEC)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(result.stdout))
    return {stage: statistics.median(run[stage] for run in runs) for stage in runs[0]}


def machine() -> str:
    """Return the CPU model, cores, memory, OS, Python and Node versions."""
    cpu = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split()[1])
        memory = f", {kilobytes / 1024 / 1024:.0f} GiB memory"
    node = _version(["node", "--version"])
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; Node.js {node}"
    )


def _relative(command: tuple[str, ...]) -> str:
    parts = []
    for part in command:
        path = Path(part)
        parts.append(
            str(path.relative_to(PROJECT)) if path.is_relative_to(PROJECT) else part
        )
    return " ".join(parts)


def section(
    tools: list[Linter],
    times: dict[str, list[float]],
    stages: dict[str, float],
    rounds: int,
) -> str:
    """Return the Markdown section with the medians, ratios, stages and commands."""
    ours = statistics.median(times[tools[0].name])
    rows = []
    for linter in tools:
        median = statistics.median(times[linter.name])
        rows.append(
            f"| {linter.name} {linter.version} | {median:.2f} s | "
            f"{min(times[linter.name]):.2f} s | {median / ours:.2f} |"
        )
    commands = "\n".join(_relative(linter.command) for linter in tools)
    stage_rows = [f"| {stage} | {seconds:.2f} s |" for stage, seconds in stages.items()]
    redocly = statistics.median(times[tools[2].name])
    return "\n".join(
        [
            START,
            "## Linting Kazoo's OpenAPI spec",
            "",
            f"Measured on {date.today().isoformat()} by `make bench-lint` "
            "(`bench/lint/run.py`): Kazoo's own generated OpenAPI 3.0 spec, "
            f"`{SPEC}` and the 83 files it refers to. Each linter ran once as a "
            f"warm-up, then {rounds} rounds, the three tools alternating within a "
            "round; the times are wall-clock times of the whole process, start-up "
            "included. The ratio is the median time over callflow-kit's.",
            "",
            f"Machine: {machine()}.",
            "",
            "| linter | median | fastest | time / callflow-kit |",
            "|---|---|---|---|",
            *rows,
            "",
            f"callflow-kit is {ours / redocly:.1f} times as slow as Redocly CLI and "
            f"{statistics.median(times[tools[1].name]) / ours:.1f} times as fast as "
            "Spectral. Where its time goes, as medians of "
            f"{rounds} runs of the stages in a fresh interpreter (the process "
            "start-up of Python, the CLI and the report rendering are not included):",
            "",
            "| stage | time |",
            "|---|---|",
            *stage_rows,
            "",
            "The imports are mostly openapi-spec-validator's and "
            "openapi-schema-validator's dependencies (pydantic, pydantic-settings, "
            "jsonschema-path, requests). PyYAML builds a node with start and end "
            "marks for every value of the 84 files, so that findings carry lines. "
            "prance copies every reference target while it resolves.",
            "",
            "Commands, run from the project folder (Spectral with the `spectral:oas` "
            "ruleset, Redocly CLI with its default `recommended` ruleset):",
            "",
            "```",
            commands,
            "```",
            END,
        ]
    )


def write_section(text: str) -> None:
    """Replace the lint section of docs/benchmarks.md, or append it."""
    page = PAGE.read_text(encoding="utf-8") if PAGE.exists() else "# Benchmarks\n"
    if START in page and END in page:
        before, rest = page.split(START, 1)
        after = rest.split(END, 1)[1]
        page = before + text + after
    else:
        page = page.rstrip("\n") + "\n\n" + text + "\n"
    PAGE.write_text(page, encoding="utf-8")


def main() -> None:
    """Install the npm linters, time all three and update the benchmarks page."""
    install_node_tools()
    tools = linters()
    times = measure(tools, ROUNDS)
    stages = stage_times(ROUNDS)
    text = section(tools, times, stages, ROUNDS)
    write_section(text)
    print(text)


if __name__ == "__main__":
    main()
