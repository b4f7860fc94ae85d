"""Accuracy of derived schemas against Kazoo 4.3's own JSON schemas."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.accuracy import (
    AccuracyReport,
    Mismatch,
    PairResult,
    carried_derived,
    carried_schema,
    compare_pair,
    detect_era,
    generator_output_pages,
    load_pairs,
    main,
    measure,
)
from generator.doctable import parse_tables

CORPUS = Path(__file__).parent / "data" / "kazoo-4.3"
SCHEMAS: dict[str, dict[str, Any]] = {
    "target": {"description": "The target", "type": "object"},
    "headers": {"patternProperties": {"^h$": {"type": "string"}}},
}


def load(name: str) -> dict[str, Any] | None:
    return SCHEMAS.get(name)


@pytest.fixture(scope="module")
def report() -> AccuracyReport:
    return measure(CORPUS)


@pytest.fixture(scope="module")
def generator_pages() -> list[str]:
    return generator_output_pages(CORPUS)


def describe(pair: PairResult) -> str:
    lines = [f"{pair.doc}: {pair.error or ''}", *map(str, pair.mismatches[:10])]
    return "\n".join(lines)


def test_generator_output_pages_found(generator_pages: list[str]) -> None:
    crossbar = [page for page in generator_pages if page.startswith("crossbar-doc/")]
    assert "crossbar-doc/callflows.md" in crossbar
    assert "crossbar-doc/voicemail.md" in crossbar
    assert len(crossbar) == 39
    assert not any("/ref/" in page for page in generator_pages)


def test_crossbar_generator_output_exact(
    report: AccuracyReport, generator_pages: list[str]
) -> None:
    pairs = [p for p in report.pairs if p.doc in generator_pages]
    crossbar = [p for p in pairs if p.doc.startswith("crossbar-doc/")]
    assert len(crossbar) == 39
    for pair in crossbar:
        assert pair.exact, describe(pair)


def test_current_era_generator_output_exact(
    report: AccuracyReport, generator_pages: list[str]
) -> None:
    # Four callflow pages equal E2 ref pages that were written before the schemas
    # gained `skip_module`, so only E3 tables can match the 4.3 schemas.
    pairs = [p for p in report.pairs if p.doc in generator_pages and p.era == "E3"]
    assert len(pairs) == 98
    for pair in pairs:
        assert pair.exact, describe(pair)


def test_every_pair_derives(report: AccuracyReport) -> None:
    assert len(report.pairs) == len(load_pairs(CORPUS)) == 235
    for pair in report.pairs:
        assert pair.error is None, describe(pair)
        assert pair.compared, pair.doc


def test_corpus_accuracy_floor(report: AccuracyReport) -> None:
    totals = report.summary()
    assert totals["exact"] >= 219
    assert totals["matches"] / totals["keywords"] >= 0.977
    assert report.by_era()["E3"]["exact"] >= 218


def test_sub_sections_compared(report: AccuracyReport) -> None:
    (callflows,) = [p for p in report.pairs if p.doc == "crossbar-doc/callflows.md"]
    assert callflows.compared == [
        "callflows",
        "callflows.action",
        "metaflow",
        "metaflows",
    ]


def test_stale_page_reports_mismatch(report: AccuracyReport) -> None:
    (acdc,) = [p for p in report.pairs if p.doc == "callflow-doc/acdc_agent.md"]
    assert not acdc.exact
    assert (
        Mismatch(
            "callflows.acdc_agent",
            "/properties/skip_module",
            "type",
            "boolean",
            None,
        )
        in acdc.mismatches
    )


def test_changed_table_detected(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "schemas", tmp_path / "schemas")
    page = (CORPUS / "crossbar-doc" / "callflows.md").read_text()
    (tmp_path / "callflows.md").write_text(
        page.replace("`string(1..36)`", "`string(1..35)`")
    )
    result = compare_pair(tmp_path, "callflows.md", "schemas/callflows.json")
    assert not result.exact
    assert [str(m) for m in result.mismatches] == [
        "callflows/properties/numbers/items maxLength: expected 36, derived 35"
    ]


def test_carried_enum_hides_lengths() -> None:
    schema = {"properties": {"d": {"type": "string", "enum": ["1"], "minLength": 1}}}
    carried = carried_schema(schema, load)
    assert carried["properties"]["d"] == {"type": "string", "enum": ["1"]}


def test_carried_type_wins_over_ref() -> None:
    schema = {"properties": {"f": {"$ref": "#/definitions/target", "type": "object"}}}
    assert carried_schema(schema, load)["properties"]["f"] == {
        "type": "object",
        "description": "The target",
    }


def test_carried_description_from_reference() -> None:
    schema = {"properties": {"f": {"$ref": "#/definitions/target"}}}
    assert carried_schema(schema, load)["properties"]["f"] == {
        "$ref": "#/definitions/target",
        "description": "The target",
    }


def test_carried_any_of_flattened() -> None:
    schema = {
        "properties": {
            "h": {
                "type": "object",
                "anyOf": [
                    {"$ref": "#/definitions/headers"},
                    {"properties": {"in": {"type": "string"}}},
                ],
            }
        }
    }
    assert carried_schema(schema, load)["properties"]["h"] == {
        "type": "object",
        "properties": {"in": {"type": "string"}},
        "patternProperties": {"^h$": {"type": "string"}},
    }


def test_carried_root_keeps_only_rows() -> None:
    schema = {"oneOf": [{"type": "object"}], "default": {}, "required": ["a", "z"]}
    schema["properties"] = {"a": {"type": "string"}}
    assert carried_schema(schema, load) == {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
    }


def test_carried_plain_pattern_is_property() -> None:
    schema = {"patternProperties": {"local": {"type": "object"}, "^x$": {}}}
    carried = carried_schema(schema, load)
    assert carried["properties"] == {"local": {"type": "object"}}
    assert carried["patternProperties"] == {"^x$": {}}


def test_carried_pattern_required_hidden() -> None:
    schema = {
        "patternProperties": {
            "^x$": {"type": "object", "required": ["a"], "properties": {"a": {}}}
        }
    }
    assert "required" not in carried_schema(schema, load)["patternProperties"]["^x$"]


def test_carried_items_without_type_hidden() -> None:
    schema = {"properties": {"t": {"type": "array", "items": {"enum": ["dom"]}}}}
    assert carried_schema(schema, load)["properties"]["t"] == {"type": "array"}


def test_carried_single_one_of_unwrapped() -> None:
    schema = {
        "patternProperties": {"^x$": {"oneOf": [{"$ref": "#/definitions/target"}]}}
    }
    node = carried_schema(schema, load)["patternProperties"]["^x$"]
    assert node["$ref"] == "#/definitions/target"


OVERLAPPING_ONE_OF = {
    "oneOf": [
        {"type": "string", "pattern": "^a"},
        {"type": "string", "pattern": "^b"},
        {"type": "string", "enum": ["zone"]},
        {"type": "object"},
    ]
}


def test_carried_one_of_drops_repeats() -> None:
    schema = {"properties": {"v": OVERLAPPING_ONE_OF}}
    assert carried_schema(schema, load)["properties"]["v"] == {
        "oneOf": [
            {"type": "string"},
            {"type": "string", "enum": ["zone"]},
            {"type": "object"},
        ]
    }


def test_derived_any_of_matches_one_of(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    schema = {"properties": {"v": OVERLAPPING_ONE_OF}}
    (tmp_path / "schemas" / "x.json").write_text(json.dumps(schema))
    (tmp_path / "x.md").write_text(
        "#### Schema\n\n"
        "Key | Description | Type | Default | Required | Support Level\n"
        "--- | --- | --- | --- | --- | ---\n"
        "`v` |   | `string()|string()|string('zone')|object()` |   | `false` |\n"
    )
    result = compare_pair(tmp_path, "x.md", "schemas/x.json")
    assert result.mismatches == []
    assert result.exact


def test_union_size_compared(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    schema = {"properties": {"v": OVERLAPPING_ONE_OF}}
    (tmp_path / "schemas" / "x.json").write_text(json.dumps(schema))
    (tmp_path / "x.md").write_text(
        "#### Schema\n\n"
        "Key | Description | Type | Default | Required\n"
        "--- | --- | --- | --- | ---\n"
        "`v` |   | `string('zone')|object()` |   | `false`\n"
    )
    result = compare_pair(tmp_path, "x.md", "schemas/x.json")
    assert Mismatch("x", "/properties/v", "oneOf|anyOf", 3, 2) in result.mismatches


def test_carried_union_enum_values_decoded() -> None:
    schema = {
        "properties": {"b": {"type": ["boolean", "string"], "enum": [True, "auto"]}}
    }
    assert carried_schema(schema, load)["properties"]["b"]["enum"] == [True, "auto"]


def test_carried_default_as_table_spells_it() -> None:
    schema = {"properties": {"d": {"type": ["integer", "string"], "default": "5"}}}
    assert carried_schema(schema, load)["properties"]["d"]["default"] == 5


def test_carried_derived_drops_zero_min_length() -> None:
    derived = {
        "type": "string",
        "minLength": 0,
        "format": "email",
        "required": ["b", "a"],
    }
    assert carried_derived(derived) == {"type": "string", "required": ["a", "b"]}


@pytest.mark.parametrize(
    ("header", "row", "era"),
    [
        pytest.param("5", "`a` | x | `string` |   | `false`", "E0", id="e0"),
        pytest.param(
            "5", "`a` | x | [#/definitions/b](#b) |   | `false`", "E1", id="e1-link"
        ),
        pytest.param(
            "5", "`a./^x$/` | x | `string` |   | `false`", "E1", id="e1-slash"
        ),
        pytest.param("5", "`a` | x | `string()` |   | `false`", "E2", id="e2"),
        pytest.param("6", "`a` | x | `string` |   | `false` |", "E3", id="e3"),
    ],
)
def test_detect_era(header: str, row: str, era: str) -> None:
    names = ["Key", "Description", "Type", "Default", "Required", "Support Level"]
    columns = names[: int(header)]
    text = " | ".join(columns) + "\n" + " | ".join("---" for _ in columns) + "\n" + row
    (table,) = parse_tables(text, Path("p.md")).tables
    assert detect_era(table) == era


def test_report_format() -> None:
    pair = PairResult(doc="a.md", schema="a.json", era="E3", matches=3, total=4)
    pair.mismatches.append(Mismatch("a", "/properties/x", "type", "string", None))
    text = AccuracyReport([pair]).format(verbose=True).splitlines()
    assert text[0].split() == ["a.md", "E3", "3/4", "differs"]
    assert text[1] == "    a/properties/x type: expected 'string', derived None"
    assert text[2] == "era E3: 0/1 pairs exact, 3/4 keywords (75.0%)"
    assert text[3] == "total: 0/1 pairs exact, 3/4 keywords (75.0%)"


def test_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(CORPUS), "--generator-output"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("total: 98/102 pairs exact")
    assert len(lines) == 102 + 3


def test_manifest_pairs_name_existing_files() -> None:
    manifest = json.loads((CORPUS / "MANIFEST.json").read_text())
    assert manifest["source"] == "2600hz/kazoo branch 4.3"
    for doc, schema in load_pairs(CORPUS):
        assert (CORPUS / doc).is_file()
        assert (CORPUS / schema).is_file()
