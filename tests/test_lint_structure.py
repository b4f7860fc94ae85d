"""The structural check's quick path against openapi-spec-validator's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lint_support import base_spec, lint_document
from openapi_spec_validator.schemas import schema_v30, schema_v31

from generator.lint import structure


@pytest.mark.parametrize(
    ("version", "schema"), [("3.0", schema_v30), ("3.1", schema_v31)]
)
def test_structure_schema_is_library_schema(version: str, schema: object) -> None:
    text = structure._schema_path(version).read_text(encoding="utf-8")
    assert json.loads(text) == dict(schema)  # type: ignore[call-overload]


def broken_findings(tmp_path: Path) -> list[tuple[str, str, int | None, str]]:
    """Lint a 3.0 spec whose one structural error is a non-boolean `nullable`."""
    document = base_spec("3.0.3")
    item = document["components"]["schemas"]["Item"]
    item["properties"]["name"]["nullable"] = "yes"
    return [
        (f.rule, f.location.pointer, f.location.line, f.message)
        for f in lint_document(tmp_path, document).findings
    ]


def test_structure_quick_path_finding(tmp_path: Path) -> None:
    assert structure._rust_validator("3.0") is not None
    assert broken_findings(tmp_path) == [
        (
            "oas-structure",
            "/components/schemas/Item/properties/name/nullable",
            56,
            "not a valid OpenAPI 3.0 document here: 'yes' is not of type 'boolean'; "
            "fix the value so it matches the OpenAPI specification",
        )
    ]


def test_structure_library_path_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = broken_findings(tmp_path / "quick")
    monkeypatch.setattr(structure, "_rust_validator", lambda version: None)
    assert broken_findings(tmp_path / "library") == quick


def test_structure_jsonschema_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = broken_findings(tmp_path / "quick")
    monkeypatch.setenv("OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND", "jsonschema")
    assert structure._rust_validator("3.0") is None
    assert broken_findings(tmp_path / "library") == quick
    assert lint_document(tmp_path / "valid", base_spec("3.1.0")).findings == []


def test_structure_type_not_string(tmp_path: Path) -> None:
    document = base_spec("3.0.3")
    item = document["components"]["schemas"]["Item"]
    item["properties"]["name"]["type"] = 12
    (finding,) = lint_document(tmp_path, document).findings
    assert finding.rule == "oas-structure"
    assert finding.location.pointer == "/components/schemas/Item/properties/name"
