"""Render findings as text, JSON, SARIF 2.1.0 or GitHub workflow annotations."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

from generator.lint.findings import RULES, Finding, Severity

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
}
_GITHUB_COMMANDS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}


def _tool_version() -> str:
    # Imported here: importlib.metadata adds about 15 ms to every other format.
    from importlib import metadata

    try:
        return metadata.version("callflow-kit")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary_line(findings: Sequence[Finding], files: Sequence[Path]) -> str:
    """Return e.g. '3 errors, 1 warning, 0 infos in 85 files'."""
    counts = {severity: 0 for severity in Severity}
    for finding in findings:
        counts[finding.severity] += 1
    parts = [_plural(counts[severity], severity.value) for severity in Severity]
    return ", ".join(parts) + f" in {_plural(len(files), 'file')}"


def render_text(findings: Sequence[Finding], files: Sequence[Path]) -> str:
    """Render findings grouped by file, one line each, then a summary line."""
    lines: list[str] = []
    ordered = sorted(findings, key=Finding.sort_key)
    for path, group in groupby(
        ordered, key=lambda finding: finding.location.display_path
    ):
        lines.append(path)
        for finding in group:
            line = finding.location.line or "-"
            pointer = finding.location.pointer or "/"
            lines.append(
                f"  {line:>5}  {finding.severity.value:<7}  {finding.rule}  "
                f"{finding.message}  [#{pointer}]"
            )
        lines.append("")
    lines.append(summary_line(findings, files))
    return "\n".join(lines) + "\n"


def render_json(findings: Sequence[Finding], files: Sequence[Path]) -> str:
    """Render findings as one JSON object with a summary and a list of findings."""
    counts = {severity.value: 0 for severity in Severity}
    for finding in findings:
        counts[finding.severity.value] += 1
    document = {
        "summary": {**counts, "files": len(files)},
        "findings": [
            {
                "rule": finding.rule,
                "severity": finding.severity.value,
                "message": finding.message,
                "file": finding.location.display_path,
                "pointer": finding.location.pointer,
                "line": finding.location.line,
            }
            for finding in sorted(findings, key=Finding.sort_key)
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _artifact(finding: Finding) -> dict[str, str]:
    path = finding.location.display_path
    if Path(path).is_absolute():
        return {"uri": finding.location.path.as_uri()}
    return {"uri": path, "uriBaseId": "%SRCROOT%"}


def _sarif_result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(finding)}
    physical["region"] = {"startLine": finding.location.line or 1}
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "level": _SARIF_LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {
                        "fullyQualifiedName": "#" + finding.location.pointer,
                        "kind": "object",
                    }
                ],
            }
        ],
    }


def render_sarif(findings: Sequence[Finding], files: Sequence[Path]) -> str:
    """Render a SARIF 2.1.0 log for code-scanning upload, rules included."""
    rule_ids = list(RULES)
    rule_index = {rule_id: number for number, rule_id in enumerate(rule_ids)}
    rules = [
        {
            "id": rule.id,
            "name": rule.id,
            "shortDescription": {"text": rule.description},
            "defaultConfiguration": {"level": _SARIF_LEVELS[rule.severity]},
        }
        for rule in RULES.values()
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "callflow-kit lint",
                        "semanticVersion": _tool_version(),
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
                "results": [
                    _sarif_result(finding, rule_index)
                    for finding in sorted(findings, key=Finding.sort_key)
                ],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: Sequence[Finding], files: Sequence[Path]) -> str:
    """Render one workflow command per finding: `::error file=…,line=…::…`."""
    lines = []
    for finding in sorted(findings, key=Finding.sort_key):
        properties = [f"file={_escape_property(finding.location.display_path)}"]
        if finding.location.line is not None:
            properties.append(f"line={finding.location.line}")
        properties.append(f"title={_escape_property(finding.rule)}")
        command = _GITHUB_COMMANDS[finding.severity]
        lines.append(
            f"::{command} {','.join(properties)}::{_escape_data(finding.message)}"
        )
    lines.append(summary_line(findings, files))
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[Sequence[Finding], Sequence[Path]], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
}


def render(
    output_format: str, findings: Sequence[Finding], files: Sequence[Path]
) -> str:
    """Render findings in one of FORMATS."""
    return RENDERERS[output_format](findings, files)
