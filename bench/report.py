"""The mock-server section of docs/benchmarks.md and its chart, from raw results.

The section sits between two HTML comment markers. Writing it replaces only what
lies between them, so the page's other sections (the linter's) stay as they are.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.profiling import APP, CATEGORIES, OTHER
from bench.serverbench import BY_KEY, SCALE_SCENARIOS, SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
CHART = ROOT / "docs" / "benchmarks-mock.png"
START = "<!-- mock-server benchmarks: start"
END = "<!-- mock-server benchmarks: end -->"
START_LINE = f"{START} (`make bench` rewrites everything up to the end marker) -->"

PRISM_MIN = 5.0
BARE_MIN = 0.6

MISSED_WHY = {
    "page": (
        "Why: every page of the run starts at another stored id, so the mock "
        "hashes each page's rows (about 8 KB) with MD5 for the revision and ETag "
        "Kazoo sends, about a quarter of its time per request outside HTTP, and "
        "parses the paging parameters; Prism returns one fixed row."
    ),
    "filtered": (
        "Why: the first page of a filtered list comes from a view and is cached "
        "until the next write, so what remains is the work of any request plus "
        "parsing the filter parameters. Prism's own rate here varies by about "
        "1.5x from run to run, which moves this ratio as much."
    ),
}
"""Measured causes of a missed Prism target, added to the page when it is missed."""
FLAT_MAX = 1.2
RSS_MAX_MB = 400.0
BUILD_MAX = 1.5
SERVERS = ("mock", "bare", "prism")
SERVER_NAMES = {"mock": "The mock", "bare": "The bare endpoint", "prism": "Prism"}
INCLUSIVE_ROWS = (
    ("logging", "all of logging"),
    ("pydantic validation", "all of pydantic"),
    (APP, "under `MockApp.__call__`, sending included"),
)
# Frames that wrap every request, which the profile notes skip to name the work.
WRAPPERS = frozenset(
    {
        "MockApp.__call__",
        "MockApp._http",
        "MockApp._dispatch",
        "MockApp._run",
        "_handler_endpoint.<locals>.endpoint",
    }
)


@dataclass(frozen=True, slots=True)
class Target:
    """One performance target and how the run measured against it."""

    goal: str
    measured: str
    met: bool | None  # None: the run could not measure it
    note: str = ""

    def row(self) -> str:
        """Return the target as a Markdown table row."""
        verdict = {True: "met", False: "**missed**", None: "not measured"}[self.met]
        note = f" {self.note}" if self.note else ""
        return f"| {self.goal} | {self.measured} | {verdict}.{note} |"


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def _ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _times(value: float) -> str:
    return f"{value:.2f}x"


def _size(value: int) -> str:
    return f"{value:,}"


def _speedup(faster: dict[str, Any], slower: dict[str, Any]) -> float:
    """Return the median over rounds of one target's rate over another's.

    Round i of both ran back to back, so their ratio is steadier than the
    ratio of two medians when the machine's load changes during the run.
    """
    pairs = zip(faster["rounds"], slower["rounds"], strict=False)
    return float(statistics.median(a["rate"] / b["rate"] for a, b in pairs))


def _slowdown(large: dict[str, Any], small: dict[str, Any]) -> float:
    """Return the median over rounds of one target's p50 latency over another's."""
    pairs = zip(large["rounds"], small["rounds"], strict=False)
    ratios = [a["latency_ms"]["p50"] / b["latency_ms"]["p50"] for a, b in pairs]
    return float(statistics.median(ratios))


# Targets -------------------------------------------------------------------------


def targets(results: dict[str, Any]) -> list[Target]:
    """Evaluate every target that the results cover."""
    found: list[Target] = []
    comparison = results.get("comparison")
    profile = results.get("profile")
    if comparison:
        found += _prism_targets(comparison, profile)
        found += _bare_targets(comparison, profile)
    if results.get("scale"):
        found += _scale_targets(results["scale"], results.get("memory"))
    if results.get("build"):
        found.append(_build_target(results["build"]))
    return found


def _prism_targets(
    comparison: dict[str, Any], profile: dict[str, Any] | None
) -> list[Target]:
    found = []
    for scenario in SCENARIOS:
        measured = comparison["results"][scenario.key]
        failure = comparison.get("failures", {}).get(scenario.key, {}).get("prism")
        if failure:
            found.append(
                Target(
                    f"{scenario.title}: ≥ {PRISM_MIN:g}x Prism's requests/s",
                    f"Prism failed under this load ({_describe_failure(failure)})",
                    None,
                )
            )
            continue
        if "prism" not in measured:
            status = comparison["probes"][scenario.key]["prism"]["status"]
            found.append(
                Target(
                    f"{scenario.title}: ≥ {PRISM_MIN:g}x Prism's requests/s",
                    f"Prism cannot serve it (HTTP {status})",
                    None,
                    "The target covers only the scenarios Prism serves.",
                )
            )
            continue
        ratio = _speedup(measured["mock"], measured["prism"])
        met = ratio >= PRISM_MIN
        note = "" if met else _shortfall(ratio, PRISM_MIN, profile, scenario.key)
        ceiling = _speedup(measured["bare"], measured["prism"])
        if not met:
            note += f" The bare endpoint reaches {_times(ceiling)} Prism here"
            if ceiling < PRISM_MIN:
                note += ", so no handler on this server stack can meet the target"
            note += "."
            if scenario.key in MISSED_WHY:
                note += " " + MISSED_WHY[scenario.key]
        found.append(
            Target(
                f"{scenario.title}: ≥ {PRISM_MIN:g}x Prism's requests/s",
                f"{_times(ratio)} ({_rate(measured['mock']['rate'])} vs "
                f"{_rate(measured['prism']['rate'])} req/s)",
                met,
                note,
            )
        )
    return found


def _describe_failure(failure: dict[str, Any]) -> str:
    status = failure["exit_status"]
    state = "still running" if status is None else f"exited with {status}"
    return f"wrk: `{failure['wrk']}`; the process was {state}"


def _bare_targets(
    comparison: dict[str, Any], profile: dict[str, Any] | None
) -> list[Target]:
    measured = comparison["results"]["get_one"]
    ratio = _speedup(measured["mock"], measured["bare"])
    met = ratio >= BARE_MIN
    note = "" if met else _shortfall(ratio, BARE_MIN, profile, "get_one")
    return [
        Target(
            f"GET one callflow: ≥ {BARE_MIN:g}x the bare endpoint's requests/s",
            f"{_times(ratio)} ({_rate(measured['mock']['rate'])} vs "
            f"{_rate(measured['bare']['rate'])} req/s)",
            met,
            note,
        )
    ]


def _shortfall(
    ratio: float, goal: float, profile: dict[str, Any] | None, key: str
) -> str:
    gap = f"Short by {goal / ratio:.2f}x (reached {ratio / goal:.0%} of the target)."
    notes = _profile_notes(profile, key)
    return f"{gap} {notes}" if notes else gap


def _profile_notes(profile: dict[str, Any] | None, key: str) -> str:
    """Summarise where the profile of a scenario spends its samples."""
    if not profile or key not in profile["scenarios"]:
        return ""
    summary = profile["scenarios"][key]
    inclusive = summary["inclusive"]
    work = [f for f in summary["mock_functions"] if f["function"] not in WRAPPERS]
    named = ", ".join(f"`{f['function']}` {f['inclusive']:.0%}" for f in work[:3])
    return (
        f"Profile: {inclusive[APP]:.0%} of samples under `MockApp.__call__`, "
        f"{inclusive['logging']:.0%} in logging; largest mock functions: {named}."
    )


def _flat_ratio(scale: dict[str, Any], key: str) -> tuple[float, int, int]:
    sizes = scale["sizes"]
    small, large = str(min(sizes)), str(max(sizes))
    measured = scale["results"][key]
    ratio = _slowdown(measured[large], measured[small])
    return ratio, min(sizes), max(sizes)


def _round_ratios(scale: dict[str, Any], key: str) -> str:
    """List the latency ratio of each round, which shows how noisy the median is."""
    sizes = scale["sizes"]
    measured = scale["results"][key]
    pairs = zip(
        measured[str(max(sizes))]["rounds"],
        measured[str(min(sizes))]["rounds"],
        strict=False,
    )
    ratios = [a["latency_ms"]["p50"] / b["latency_ms"]["p50"] for a, b in pairs]
    return ", ".join(_times(ratio) for ratio in ratios)


def _scale_targets(
    scale: dict[str, Any], memory: dict[str, Any] | None
) -> list[Target]:
    found = []
    for key in SCALE_SCENARIOS:
        ratio, small, large = _flat_ratio(scale, key)
        met = ratio <= FLAT_MAX
        note = "" if met else f"Over by {ratio / FLAT_MAX:.2f}x."
        if key == "put":
            note = (note + " " + _put_growth_note(scale)).strip()
        found.append(
            Target(
                f"{BY_KEY[key].title}: median latency at {_size(large)} stored ÷ at "
                f"{_size(small)} ≤ {FLAT_MAX:g}",
                f"{_times(ratio)} (rounds: {_round_ratios(scale, key)})",
                met,
                note,
            )
        )
    largest = str(max(scale["sizes"]))
    rss = scale["loaded"][largest]["rss_mb"]
    met = rss <= RSS_MAX_MB
    note = "" if met else f"Over by {rss - RSS_MAX_MB:.0f} MB. {_memory_note(memory)}"
    found.append(
        Target(
            f"RSS with {_size(int(largest))} callflows ≤ {RSS_MAX_MB:g} MB",
            f"{rss:.0f} MB after loading (peak "
            f"{scale['loaded'][largest]['peak_mb']:.0f} MB while loading)",
            met,
            note.strip(),
        )
    )
    return found


def _memory_note(memory: dict[str, Any] | None) -> str:
    """Name the source line whose allocations make up most of the live heap."""
    if not memory or not memory["lines"]:
        return ""
    top = memory["lines"][0]
    return (
        f"The largest live allocation, per tracemalloc, is at `{top['where']}` "
        f"(`{top['code']}`): {top['bytes_per_callflow']:,.0f} of "
        f"{memory['bytes_per_callflow']:,.0f} bytes per callflow."
    )


def _put_growth_note(scale: dict[str, Any]) -> str:
    added = scale["results"]["put"][str(min(scale["sizes"]))]["requests"]
    return (
        f"The PUT rounds themselves add callflows: about {_size(added)} at the "
        "smallest size."
    )


def _build_target(build: dict[str, Any]) -> Target:
    median = build["median_s"]
    ratio = median["derive_generate"] / median["dmcg"]
    met = ratio <= BUILD_MAX
    note = ""
    if not met:
        note = (
            f"Over by {ratio / BUILD_MAX:.2f}x: derive takes {median['derive']:.2f} s "
            f"and generate {median['generate'] - median['dmcg']:.2f} s more than "
            "datamodel-code-generator alone, which it runs on the same spec."
        )
    return Target(
        f"derive + generate ≤ {BUILD_MAX:g}x datamodel-code-generator alone",
        f"{_times(ratio)} ({median['derive_generate']:.2f} s vs "
        f"{median['dmcg']:.2f} s)",
        met,
        note,
    )


# Sections ------------------------------------------------------------------------


def render(results: dict[str, Any], chart_name: str) -> str:
    """Return the whole Markdown section, markers included."""
    parts = [
        START_LINE,
        "## Mock server",
        _intro(results, chart_name),
        _targets_section(results),
        _comparison_section(results),
        _scale_section(results),
        _build_section(results),
        _profile_section(results),
        _method_section(results),
        END,
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def _intro(results: dict[str, Any], chart_name: str) -> str:
    elapsed = results.get("elapsed_s")
    took = f", which took {elapsed / 60:.1f} minutes" if elapsed else ""
    return (
        f"Measured {results.get('measured_at', '')} by `make bench` "
        f"(`.venv/bin/python -m bench.run`){took}. The machine is shared, so "
        "absolute numbers drift between runs. Servers (and store sizes) take turns "
        "round by round, and every ratio is the median over rounds of the ratio "
        "within a round.\n\n"
        f"![Requests per second by scenario, latency and memory by store size]"
        f"({chart_name})"
    )


def _targets_section(results: dict[str, Any]) -> str:
    rows = [target.row() for target in targets(results)]
    if not rows:
        return ""
    return "\n".join(
        ["### Targets", "", "| target | measured | result |", "|---|---|---|", *rows]
    )


def _comparison_section(results: dict[str, Any]) -> str:
    comparison = results.get("comparison")
    if not comparison:
        return ""
    lines = [
        f"### Mock, Prism and the bare endpoint ({_size(comparison['stored'])} stored "
        "callflows)",
        "",
        "Requests per second (median of the rounds) and the mock's median / 99th "
        "percentile latency in milliseconds. The bare endpoint returns the mock's "
        "own response bytes for each scenario without doing any work.",
        "",
        "| scenario | mock req/s | bare req/s | Prism req/s | mock ÷ bare "
        "| mock ÷ Prism | mock p50 / p99 ms | Prism p50 / p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in SCENARIOS:
        measured = comparison["results"][scenario.key]
        mock, bare, prism = (measured.get(name) for name in SERVERS)
        cells = [
            scenario.title,
            _rate(mock["rate"]) if mock else "-",
            _rate(bare["rate"]) if bare else "-",
            _rate(prism["rate"]) if prism else _missing_prism(comparison, scenario.key),
            _times(_speedup(mock, bare)) if mock and bare else "-",
            _times(_speedup(mock, prism)) if mock and prism else "-",
            f"{_ms(mock['p50_ms'])} / {_ms(mock['p99_ms'])}" if mock else "-",
            f"{_ms(prism['p50_ms'])} / {_ms(prism['p99_ms'])}" if prism else "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    failed = _failures(comparison["results"])
    lines += ["", failed] if failed else []
    lines += ["", _prism_notes(comparison)]
    return "\n".join(lines)


def _missing_prism(comparison: dict[str, Any], key: str) -> str:
    if comparison.get("failures", {}).get(key, {}).get("prism"):
        return "failed"
    return "not served"


def _failures(results: dict[str, dict[str, Any]]) -> str:
    found = [
        f"{name} on {BY_KEY[key].title}: {measured['failed']:,} of "
        f"{measured['requests']:,}"
        for key, by_server in results.items()
        for name, measured in by_server.items()
        if measured["failed"]
    ]
    if not found:
        return "No response was 4xx or 5xx and no socket error occurred."
    return "4xx and 5xx responses or socket errors: " + "; ".join(found) + "."


def _prism_notes(comparison: dict[str, Any]) -> str:
    probes = comparison["probes"]
    note = (
        "Prism runs `prism mock` with its defaults: it validates each request and "
        "its own response against the spec, logs each request, and returns a "
        "response generated from the spec's schemas, the same for every request "
        "to an operation. It stores nothing."
    )
    rows = probes["page"]["prism"].get("rows")
    mock_rows = probes["page"]["mock"].get("rows")
    if rows is not None and mock_rows is not None and rows != mock_rows:
        note += (
            f" Its list pages hold {rows} row(s) where the mock's hold {mock_rows}, "
            "so its list responses are smaller."
        )
    for key, by_server in comparison.get("failures", {}).items():
        for name, failure in by_server.items():
            note += (
                f" {SERVER_NAMES[name]} failed during {BY_KEY[key].title} "
                f"({_describe_failure(failure)}); the run dropped its rounds of "
                "that scenario and restarted it for the next one."
            )
    return note


def _scale_section(results: dict[str, Any]) -> str:
    scale = results.get("scale")
    if not scale:
        return ""
    sizes = scale["sizes"]
    lines = [
        "### Store size",
        "",
        "One mock per size, each loaded from a fixture file at start; rounds "
        "interleave over the sizes. Latencies are medians of the rounds' p50 in "
        "milliseconds; RSS is VmRSS from /proc right after loading.",
        "",
        "| stored | load s | RSS MB | PUT p50 | GET one p50 | page p50 | PUT req/s "
        "| GET one req/s | page req/s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    measured = scale["results"]
    for size in sizes:
        key = str(size)
        loaded = scale["loaded"][key]
        cells = [
            _size(size),
            f"{loaded['started_in']:.1f}",
            f"{loaded['rss_mb']:.0f}",
            *(_ms(measured[s][key]["p50_ms"]) for s in SCALE_SCENARIOS),
            *(_rate(measured[s][key]["rate"]) for s in SCALE_SCENARIOS),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    ratios = [_flat_ratio(scale, key)[0] for key in SCALE_SCENARIOS]
    lines.append(
        f"| {_size(max(sizes))} ÷ {_size(min(sizes))} | | | "
        + " | ".join(_times(r) for r in ratios)
        + " | | | |"
    )
    failed = _failures(measured)
    lines += ["", failed, "", _put_growth_note(scale)]
    memory = results.get("memory")
    if memory:
        lines += ["", *_memory_lines(memory)]
    return "\n".join(lines)


def _memory_lines(memory: dict[str, Any]) -> list[str]:
    lines = [
        f"Live Python heap after loading {_size(memory['size'])} callflows from a "
        f"fixture file, traced with tracemalloc (`python -m bench.memory`): "
        f"{memory['bytes_per_callflow']:,.0f} bytes per callflow. The source lines "
        "that allocated most of it, with their live bytes divided by the number "
        "of callflows (a smaller mock loaded first, untraced, so that what is "
        "built once per process is left out):",
        "",
        "| allocated at | code | bytes per callflow |",
        "|---|---|---:|",
    ]
    for line in memory["lines"]:
        code = line["code"].replace("|", "\\|")
        lines.append(
            f"| `{line['where']}` | `{code}` | {line['bytes_per_callflow']:,.0f} |"
        )
    return lines


def _build_section(results: dict[str, Any]) -> str:
    build = results.get("build")
    if not build:
        return ""
    median = build["median_s"]
    rows = [
        ("`callflow-kit derive` (callflows spec)", median["derive"]),
        ("`callflow-kit generate`", median["generate"]),
        ("derive + generate", median["derive_generate"]),
        ("datamodel-code-generator alone, same spec and options", median["dmcg"]),
        (
            f"`callflow-kit derive` of the Kazoo 4.3 corpus ({build['corpus_pages']} "
            f"pages, {build['corpus_schemas']} schemas)",
            median["corpus"],
        ),
    ]
    lines = [
        "### Build time",
        "",
        f"Wall time of each command as a separate process, median of "
        f"{build['rounds']} rounds after one warm-up round.",
        "",
        "| command | seconds |",
        "|---|---:|",
        *(f"| {name} | {seconds:.2f} |" for name, seconds in rows),
    ]
    return "\n".join(lines)


def _profile_section(results: dict[str, Any]) -> str:
    profile = results.get("profile")
    if not profile:
        return ""
    names = [name for name, _ in CATEGORIES] + [OTHER]
    lines = [
        "### Where the mock spends its time",
        "",
        f"py-spy sampled the mock for {profile['seconds']:g} s per scenario under "
        f"the same load, with {_size(profile['stored'])} callflows stored. The first "
        "rows give the share of samples by the library of the innermost Python "
        "frame (C code such as orjson or socket calls counts toward its Python "
        "caller); the last rows count every sample whose stack passes through "
        "the named code.",
        "",
        "| library | " + " | ".join(s.title for s in SCENARIOS) + " |",
        "|---|" + "---:|" * len(SCENARIOS),
    ]
    scenarios = profile["scenarios"]
    for name in names:
        cells = [f"{scenarios[s.key]['self'].get(name, 0.0):.0%}" for s in SCENARIOS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for name, label in INCLUSIVE_ROWS:
        cells = [f"{scenarios[s.key]['inclusive'][name]:.0%}" for s in SCENARIOS]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Mock functions with the largest share of samples (inclusive):", ""]
    for scenario in SCENARIOS:
        work = [
            f"`{f['function']}` {f['inclusive']:.0%}"
            for f in scenarios[scenario.key]["mock_functions"]
            if f["function"] not in WRAPPERS
        ]
        lines.append(f"- {scenario.title}: " + ", ".join(work[:6]) + ".")
    return "\n".join(lines)


def _method_section(results: dict[str, Any]) -> str:
    settings = results.get("settings", {})
    machine = results.get("machine", {})
    versions = results.get("versions", {})
    build = results.get("build", {})
    lines = [
        "### Machine, versions and method",
        "",
        f"- Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
        f"{machine.get('memory', '?')} memory, {machine.get('kernel', '?')}.",
        "- Versions: "
        + ", ".join(f"{name} {version}" for name, version in versions.items())
        + ".",
        f"- Load: wrk with {settings.get('threads')} thread and "
        f"{settings.get('connections')} connections on 127.0.0.1, "
        f"{settings.get('warmup'):g} s warm-up, then {settings.get('rounds')} rounds "
        f"of {settings.get('duration'):g} s per server, interleaved; the tables show "
        "the median round. wrk keeps every connection busy, so latencies are "
        "service times at that concurrency.",
        "- Data: every stored callflow is one of the client request bodies in "
        "`tests/data/callflow-examples/`, in turn, with its own id and numbers; "
        "PUT sends the same bodies with numbers and patterns no other request "
        "uses. GET one and PATCH cycle over up to 5,000 stored ids; list pages "
        "start at stored ids spread over the whole list (`page_size=50&start_key=`"
        "); the filtered list is `?filter_type=mainUserCallflow` (one stored body "
        "in five matches).",
        "- Servers: the mock and the bare endpoint run in one uvicorn process each "
        "with the same settings from `mock_server.server.uvicorn_config`: the "
        "uvloop event loop, the httptools parser and no access log. The mock logs "
        "one INFO line per request to a file, as `callflow-kit serve` does by "
        "default.",
        "",
        "Commands (PORT, TOKEN and the data files are chosen by the run):",
        "",
        "```sh",
        "make bench                      # runs bench-lint, then bench-mock",
        ".venv/bin/python -m bench.run   # bench-mock",
        ".venv/bin/callflow-kit serve --host=127.0.0.1 --port=PORT "
        "--fixtures=fixtures-N.json --token=TOKEN",
        ".venv/bin/python -m bench.bare_app --port=PORT "
        "--responses=bare-responses.json",
        "cp spec/callflows.openapi.yaml $OUT/   # Prism restarts when its spec changes",
        "bench/prism/node_modules/.bin/prism mock -h 127.0.0.1 -p PORT "
        "$OUT/callflows.openapi.yaml",
        f"wrk --threads={settings.get('threads')} "
        f"--connections={settings.get('connections')} "
        f"--duration={settings.get('duration')}s "
        f"--timeout={settings.get('timeout')}s "
        "--script=get.lua URL -- TOKEN PATHS_FILE     # and put.lua, patch.lua",
        "py-spy record --pid=PID --duration=SECONDS --rate=200 --format=raw",
        *build.get("commands", {}).values(),
        "```",
    ]
    return "\n".join(lines)


# Chart -----------------------------------------------------------------------------


def draw_chart(results: dict[str, Any], path: Path) -> None:
    """Draw the comparison bars and the store-size curves into one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (bars, latency, memory) = plt.subplots(
        1, 3, figsize=(16, 4.8), gridspec_kw={"width_ratios": [1.6, 1, 1]}
    )
    comparison = results.get("comparison")
    if comparison:
        width = 0.27
        for offset, name in enumerate(SERVERS):
            values = [
                comparison["results"][s.key].get(name, {}).get("rate", 0.0)
                for s in SCENARIOS
            ]
            xs = [i + (offset - 1) * width for i in range(len(SCENARIOS))]
            bars.bar(xs, values, width, label=name)
        bars.set_xticks(range(len(SCENARIOS)))
        bars.set_xticklabels([_wrap(s.title) for s in SCENARIOS], fontsize=8)
        bars.set_yscale("log")
        bars.set_ylabel("requests/s (log scale)")
        bars.set_title(f"Requests/s, {_size(comparison['stored'])} stored")
        bars.set_ylim(top=bars.get_ylim()[1] * 6)  # room for the legend
        bars.legend(loc="upper center", ncols=3, fontsize=8)
    scale = results.get("scale")
    if scale:
        sizes = scale["sizes"]
        for key in SCALE_SCENARIOS:
            values = [scale["results"][key][str(n)]["p50_ms"] for n in sizes]
            latency.plot(sizes, values, marker="o", label=BY_KEY[key].title)
        latency.set_xscale("log")
        latency.set_ylim(bottom=0)
        latency.set_xlabel("stored callflows")
        latency.set_ylabel("median latency, ms")
        latency.set_title("Mock latency by store size")
        latency.legend(fontsize=8)
        rss = [scale["loaded"][str(n)]["rss_mb"] for n in sizes]
        memory.plot(sizes, rss, marker="o", label="mock RSS after loading")
        memory.axhline(RSS_MAX_MB, color="grey", linestyle="--", label="target")
        memory.set_xscale("log")
        memory.set_ylim(bottom=0)
        memory.set_xlabel("stored callflows")
        memory.set_ylabel("MB")
        memory.set_title("Mock memory by store size")
        memory.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _wrap(title: str) -> str:
    words = title.split()
    half = (len(words) + 1) // 2
    return " ".join(words[:half]) + "\n" + " ".join(words[half:])


# Page ------------------------------------------------------------------------------


def replace_section(text: str, section: str) -> str:
    """Put `section` in place of the marked section of `text`, or append it."""
    start = text.find(START)
    end = text.find(END)
    if start == -1 or end == -1 or end < start:
        return text.rstrip("\n") + "\n\n" + section
    return text[:start] + section.rstrip("\n") + text[end + len(END) :]


def write(results: dict[str, Any], doc: Path, chart: Path) -> None:
    """Draw the chart and write the section into the page."""
    chart.parent.mkdir(parents=True, exist_ok=True)
    draw_chart(results, chart)
    section = render(results, _relative(chart, doc.parent))
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    doc.write_text(replace_section(text, section), encoding="utf-8")


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
