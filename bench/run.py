"""Run the mock-server benchmarks and write their section of docs/benchmarks.md.

    .venv/bin/python -m bench.run     # everything: about 9 minutes on 2 cores
    .venv/bin/python -m bench.run --sections build --build-rounds 1

Installs what is missing first: wrk (apt-get), Prism (npm, into bench/prism/) and
the `bench` extra (pip). Every server listens on 127.0.0.1 and is stopped before
the run ends. Raw results go to bench/out/results.json; `--render-only` rebuilds
the page and chart from that file.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench import report, tools
from bench.buildtime import measure_build
from bench.loadgen import LoadSettings
from bench.profiling import profile_scenarios
from bench.serverbench import memory_breakdown, run_comparison, run_scale
from bench.workload import Workload, build_workload

logger = logging.getLogger("bench")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "out" / "results.json"
SECTIONS = ("compare", "profile", "scale", "build")
MEMORY_SIZE = 1_000
"""Largest store size whose heap bench.memory traces (tracing is slow)."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0]
    )
    add = parser.add_argument
    add("--duration", type=int, default=3, help="Seconds per measured round.")
    add("--warmup", type=int, default=2, help="Seconds of discarded warm-up load.")
    add("--rounds", type=int, default=3, help="Measured rounds per scenario.")
    add("--connections", type=int, default=16, help="Open connections wrk keeps busy.")
    add(
        "--compare-size",
        type=int,
        default=1000,
        help="Callflows stored for the comparison with Prism and the bare app.",
    )
    add(
        "--sizes",
        default="100,1000,10000,100000",
        help="Comma-separated stored callflow counts for the scale test.",
    )
    add("--build-rounds", type=int, default=3, help="Timed rounds of each build.")
    add(
        "--profile-seconds",
        type=int,
        default=6,
        help="Seconds py-spy samples each scenario.",
    )
    add(
        "--sections",
        default=",".join(SECTIONS),
        help="Comma-separated parts to run; others keep their previous results.",
    )
    add("--results", type=Path, default=RESULTS, help="JSON file of raw results.")
    add("--doc", type=Path, default=report.DOC, help="Markdown page to update.")
    add("--chart", type=Path, default=report.CHART, help="PNG chart to write.")
    add(
        "--render-only",
        action="store_true",
        help="Rebuild the page and chart from --results without measuring.",
    )
    return parser.parse_args(argv)


def measure(options: argparse.Namespace, results: dict[str, Any]) -> None:
    """Run the chosen sections, storing each one's results under its name."""
    sections = [s.strip() for s in options.sections.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise SystemExit(f"unknown sections {unknown}; choose from {list(SECTIONS)}")
    settings = LoadSettings(
        connections=options.connections,
        duration=options.duration,
        warmup=options.warmup,
        rounds=options.rounds,
    )
    sizes = [int(size) for size in options.sizes.split(",")]
    results["settings"] = dataclasses.asdict(settings)
    results["machine"] = tools.machine()
    results["versions"] = tools.versions()
    results["measured_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")

    with tempfile.TemporaryDirectory(prefix="callflow-kit-bench-") as scratch:
        work = Path(scratch)
        if "build" in sections:
            logger.info("timing the build")
            results["build"] = measure_build(work / "build", options.build_rounds)
        compare = build_workload(options.compare_size, work / "data")
        if "compare" in sections:
            results["comparison"] = run_comparison(compare, settings, work)
        if "profile" in sections:
            logger.info("profiling the mock")
            results["profile"] = profile_scenarios(
                compare, settings, options.profile_seconds, work
            )
        if "scale" in sections:
            logger.info("building fixtures of %s callflows", sizes)
            workloads = [build_workload(size, work / "data") for size in sizes]
            results["scale"] = run_scale(workloads, settings, work)
            small = sorted((w for w in workloads if w.size <= MEMORY_SIZE), key=_size)
            if len(small) >= 2:
                logger.info("tracing memory with %d callflows", small[-1].size)
                results["memory"] = memory_breakdown(small[-1], small[0])


def _size(workload: Workload) -> int:
    return workload.size


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks, save the raw results, render the page and chart."""
    options = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    results: dict[str, Any] = {}
    if options.results.exists():
        results = orjson.loads(options.results.read_bytes())

    if not options.render_only:
        began = time.monotonic()
        tools.ensure_wrk()
        tools.ensure_prism()
        tools.ensure_bench_extra()
        measure(options, results)
        results["elapsed_s"] = time.monotonic() - began
        options.results.parent.mkdir(parents=True, exist_ok=True)
        options.results.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
        logger.info("raw results in %s", options.results)

    report.write(results, options.doc, options.chart)
    logger.info("wrote %s and %s", options.doc, options.chart)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
