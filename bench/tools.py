"""The benchmark's tools: installing wrk, Prism and the `bench` extra, and versions.

wrk comes from Debian's packages, Prism from npm into `bench/prism/`, and the
`bench` extra of pyproject.toml (matplotlib, py-spy) into the running virtual
environment. Prism gets a prefix of its own because `npm install` (npm 11)
removes every package of the target `node_modules` that the install does not
name, which would delete the linter benchmark's tools in `bench/node_modules/`.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from mock_server import server

ROOT = Path(__file__).resolve().parent.parent
PRISM_PACKAGE = "@stoplight/prism-cli"
PRISM_VERSION = "5.16.0"
PRISM_PREFIX = ROOT / "bench" / "prism"
PRISM_BIN = PRISM_PREFIX / "node_modules" / ".bin" / "prism"
VENV_BIN = Path(sys.executable).parent


class ToolError(RuntimeError):
    """A tool is missing and could not be installed."""


def _run(command: list[str], description: str) -> str:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise ToolError(
            f"{description} failed (exit {completed.returncode}): "
            f"{' '.join(command)}\n"
            f"{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
        )
    return completed.stdout


def ensure_wrk() -> None:
    """Install wrk with apt-get when it is not on PATH."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        raise ToolError("wrk is missing; install it with `sudo apt-get install wrk`")
    try:
        _run(["apt-get", "install", "-y", "wrk"], "apt-get install wrk")
    except ToolError:
        _run(["apt-get", "update"], "apt-get update")
        _run(["apt-get", "install", "-y", "wrk"], "apt-get install wrk")


def ensure_prism() -> None:
    """Install the pinned Prism CLI into bench/prism/ unless it is there."""
    if PRISM_BIN.exists() and prism_version() == PRISM_VERSION:
        return
    if shutil.which("npm") is None:
        raise ToolError("npm is missing; install Node.js 20 or later with npm")
    _run(
        [
            "npm",
            "install",
            "--prefix",
            str(PRISM_PREFIX),
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",  # skips a telemetry post-install script
            f"{PRISM_PACKAGE}@{PRISM_VERSION}",
        ],
        "npm install",
    )


def prism_version() -> str:
    """Return the version the installed Prism CLI reports."""
    return _run([str(PRISM_BIN), "--version"], "prism --version").strip()


def bench_requirements() -> list[str]:
    """Return the requirements of pyproject.toml's `bench` extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements: list[str] = project["project"]["optional-dependencies"]["bench"]
    return requirements


def ensure_bench_extra() -> None:
    """Install the `bench` extra into this virtual environment when missing."""
    have_spy = (VENV_BIN / "py-spy").exists()
    if have_spy and importlib.util.find_spec("matplotlib") is not None:
        return
    _run(
        [sys.executable, "-m", "pip", "install", "--quiet", *bench_requirements()],
        "pip install of the bench extra",
    )


def py_spy() -> Path:
    """Return the py-spy executable of this virtual environment."""
    return VENV_BIN / "py-spy"


def uvicorn_implementations() -> tuple[str, str]:
    """Return the event loop and HTTP parser that the mock and the bare app run on.

    Both servers take them from `mock_server.server`, in this virtual environment.
    """
    return server.EVENT_LOOP, server.HTTP_IMPLEMENTATION


def machine() -> dict[str, str]:
    """Describe the machine: CPU model, cores, memory and kernel."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text(encoding="ascii").splitlines():
        if line.startswith("model name"):
            cpu = line.partition(":")[2].strip()
            break
    memory = "unknown"
    for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "kernel": f"{platform.system()} {platform.release()}",
    }


def versions() -> dict[str, str]:
    """Return the versions of everything the numbers depend on."""
    found = {"Python": platform.python_version()}
    for package in (
        "uvicorn",
        "httptools",
        "uvloop",
        "starlette",
        "pydantic",
        "orjson",
        "datamodel-code-generator",
        "py-spy",
    ):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    loop, http = uvicorn_implementations()
    found["uvicorn loop / HTTP"] = f"{loop} / {http}"
    found["Node.js"] = _run(["node", "--version"], "node --version").strip()
    found["Prism"] = prism_version()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    match = re.search(r"wrk (\S+)", wrk.stdout + wrk.stderr)
    found["wrk"] = match.group(1) if match else "unknown"
    return found
