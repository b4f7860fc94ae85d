"""Output formats: text grouped by file, JSON, SARIF 2.1.0 and GitHub annotations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lint_support import base_spec, lint_document, write_yaml

from generator.lint import LintRun
from generator.lint.findings import RULES, Finding, Location, Severity
from generator.lint.report import render


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LintRun:
    """Lint a two-file spec with one error in each file and one warning."""
    monkeypatch.chdir(tmp_path)
    document = base_spec()
    schemas = document["components"]["schemas"]
    schemas["Item"]["properties"]["name"] = {"$ref": "parts.yaml#/Name"}
    del document["paths"]["/items/{ITEM_ID}"]["get"]["summary"]
    document["paths"]["/items/{ITEM_ID}"]["post"]["operationId"] = "get_item"
    write_yaml(tmp_path / "parts.yaml", {"Name": {"type": "string", "enum": [1, "a"]}})
    return lint_document(tmp_path, document)


def test_text_grouped_by_file(run: LintRun) -> None:
    text = render("text", run.findings, run.files)
    lines = text.splitlines()
    assert lines[0] == "openapi.yaml"
    assert re.match(r"^ +13  warning  operation-summary-missing  GET ", lines[1])
    assert re.match(r"^ +27  error    operation-id-duplicate  operationId ", lines[2])
    assert lines[3] == ""
    assert lines[4] == "parts.yaml"
    assert lines[5].startswith(
        "      4  error    enum-type-mismatch  enum value 1 is integer"
    )
    assert lines[5].endswith("[#/Name/enum/0]")
    assert lines[-1] == "2 errors, 1 warning, 0 infos in 2 files"


def test_text_without_findings() -> None:
    assert (
        render("text", [], [Path("a.yaml")])
        == "0 errors, 0 warnings, 0 infos in 1 file\n"
    )


def test_json_report(run: LintRun) -> None:
    document = json.loads(render("json", run.findings, run.files))
    assert document["summary"] == {"error": 2, "warning": 1, "info": 0, "files": 2}
    assert document["findings"][2] == {
        "rule": "enum-type-mismatch",
        "severity": "error",
        "message": document["findings"][2]["message"],
        "file": "parts.yaml",
        "pointer": "/Name/enum/0",
        "line": 4,
    }
    assert [finding["rule"] for finding in document["findings"]] == [
        "operation-summary-missing",
        "operation-id-duplicate",
        "enum-type-mismatch",
    ]


def test_sarif_structure(run: LintRun) -> None:
    log = json.loads(render("sarif", run.findings, run.files))
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "callflow-kit lint"
    assert [rule["id"] for rule in driver["rules"]] == list(RULES)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")

    results = sarif_run["results"]
    assert [result["level"] for result in results] == ["warning", "error", "error"]
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert physical["region"]["startLine"] >= 1
    last = results[2]["locations"][0]
    assert last["physicalLocation"]["artifactLocation"]["uri"] == "parts.yaml"
    assert last["physicalLocation"]["region"]["startLine"] == 4
    assert last["logicalLocations"][0]["fullyQualifiedName"] == "#/Name/enum/0"
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")


def test_github_annotations(run: LintRun) -> None:
    lines = render("github", run.findings, run.files).splitlines()
    assert lines[0].startswith(
        "::warning file=openapi.yaml,line=13,title=operation-summary-missing::GET "
    )
    assert lines[1].startswith(
        "::error file=openapi.yaml,line=27,title=operation-id-duplicate::"
    )
    assert lines[2].startswith(
        "::error file=parts.yaml,line=4,title=enum-type-mismatch::"
    )
    assert lines[3] == "2 errors, 1 warning, 0 infos in 2 files"


def test_github_escapes_values() -> None:
    finding = Finding(
        "oas-structure",
        Severity.INFO,
        "100% wrong\nsecond line",
        Location(Path("a,b:c.yaml"), "", None),
    )
    line = render("github", [finding], []).splitlines()[0]
    assert line == (
        "::notice file=a%2Cb%3Ac.yaml,title=oas-structure::100%25 wrong%0Asecond line"
    )
