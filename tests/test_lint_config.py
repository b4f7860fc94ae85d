"""Rule levels from [tool.callflow-kit.lint]: off, re-levelled, invalid."""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_support import base_spec, lint_document, rule_ids

from generator.errors import LintSetupError
from generator.lint.config import find_pyproject, load_config
from generator.lint.findings import Severity


def write_config(tmp_path: Path, body: str) -> Path:
    """Write a pyproject.toml with the given lint table body."""
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.callflow-kit.lint]\n{body}\n", encoding="utf-8")
    return path


def spec_without_summary() -> dict[str, object]:
    """Return the base spec with one warning: a missing summary."""
    document = base_spec()
    del document["paths"]["/items/{ITEM_ID}"]["get"]["summary"]
    return document


def test_default_levels(tmp_path: Path) -> None:
    run = lint_document(tmp_path, spec_without_summary())
    assert [finding.severity for finding in run.findings] == [Severity.WARNING]
    assert run.exit_code == 0


def test_rule_switched_off(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'rules = { "operation-summary-missing" = "off" }')
    config = load_config(path)
    assert config.levels == {"operation-summary-missing": None}
    assert rule_ids(lint_document(tmp_path, spec_without_summary(), config)) == []


def test_rule_raised_to_error(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'rules = { "operation-summary-missing" = "error" }')
    run = lint_document(tmp_path, spec_without_summary(), load_config(path))
    assert [finding.severity for finding in run.findings] == [Severity.ERROR]
    assert run.exit_code == 1


def test_error_lowered_to_info(tmp_path: Path) -> None:
    document = base_spec()
    del document["paths"]["/items/{ITEM_ID}"]["get"]["operationId"]
    path = write_config(tmp_path, 'rules = { "operation-id-missing" = "info" }')
    run = lint_document(tmp_path, document, load_config(path))
    assert [finding.severity for finding in run.findings] == [Severity.INFO]
    assert run.exit_code == 0


def test_structure_rule_off(tmp_path: Path) -> None:
    document = base_spec()
    del document["info"]
    path = write_config(tmp_path, 'rules = { "oas-structure" = "off" }')
    assert rule_ids(lint_document(tmp_path, document, load_config(path))) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            'rules = { "no-such-rule" = "off" }',
            "unknown rule 'no-such-rule'; run `callflow-kit lint --list-rules`",
            id="unknown-rule",
        ),
        pytest.param(
            'rules = { "operation-tag-missing" = "fatal" }',
            "rule 'operation-tag-missing' has level 'fatal'; use one of error, "
            "warning, info, off",
            id="bad-level",
        ),
        pytest.param(
            'severity = "error"',
            "unknown key 'severity' in [tool.callflow-kit.lint]",
            id="unknown-key",
        ),
        pytest.param("rules = [", "invalid TOML", id="bad-toml"),
    ],
)
def test_invalid_config(tmp_path: Path, body: str, message: str) -> None:
    path = write_config(tmp_path, body)
    with pytest.raises(LintSetupError) as caught:
        load_config(path)
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_pyproject_found_upward(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'rules = { "operation-tag-missing" = "off" }')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_pyproject(nested) == path
    assert load_config(start=nested).levels == {"operation-tag-missing": None}


def test_pyproject_without_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n', encoding="utf-8")
    config = load_config(path)
    assert config.levels == {}
    assert config.source == path
