"""`callflow-kit lint` exit statuses and options, run through the entry point."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from lint_support import base_spec, write_yaml

from generator.cli import main


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """Run `callflow-kit ARGS`; return the exit status, stdout and stderr."""
    monkeypatch.setattr(sys, "argv", ["callflow-kit", *args])
    try:
        main()
        status = 0
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a working folder with a clean spec at the default spec path."""
    monkeypatch.chdir(tmp_path)
    write_yaml(tmp_path / "spec" / "callflows.openapi.yaml", base_spec())
    return tmp_path


def test_clean_spec_exits_zero(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run_cli(monkeypatch, capsys, "lint")
    assert status == 0
    assert out == "0 errors, 0 warnings, 0 infos in 1 file\n"


def test_warnings_only_exit_zero(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    document = base_spec()
    del document["paths"]["/items/{ITEM_ID}"]["get"]["tags"]
    write_yaml(project / "spec" / "callflows.openapi.yaml", document)
    status, out, _ = run_cli(monkeypatch, capsys, "lint")
    assert status == 0
    assert out.endswith("0 errors, 1 warning, 0 infos in 1 file\n")


def test_error_findings_exit_one(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    document = base_spec()
    del document["paths"]["/items/{ITEM_ID}"]["get"]["operationId"]
    path = write_yaml(project / "other.yaml", document)
    status, out, _ = run_cli(monkeypatch, capsys, "lint", "--format", "json", str(path))
    assert status == 1
    assert json.loads(out)["summary"]["error"] == 1


def test_report_written_to_file(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run_cli(
        monkeypatch, capsys, "lint", "--format", "sarif", "-o", "r.sarif"
    )
    assert status == 0
    assert out == ""
    assert json.loads((project / "r.sarif").read_text())["version"] == "2.1.0"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "error: missing.yaml: no such file", id="missing"),
        pytest.param(
            "a: [1,\n", "error: missing.yaml:2: invalid YAML", id="invalid-yaml"
        ),
        pytest.param(
            "swagger: '2.0'\n",
            "error: missing.yaml: not an OpenAPI 3.0 or 3.1 document",
            id="not-openapi",
        ),
    ],
)
def test_unreadable_spec_exits_two(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    if content is not None:
        (project / "missing.yaml").write_text(content, encoding="utf-8")
    status, out, err = run_cli(monkeypatch, capsys, "lint", "missing.yaml")
    assert status == 2
    assert out == ""
    assert err.startswith(message)


def test_bad_config_exits_two(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.callflow-kit.lint]\nrules = { "x" = "off" }\n', encoding="utf-8"
    )
    status, _, err = run_cli(monkeypatch, capsys, "lint")
    assert status == 2
    assert "unknown rule 'x'" in err


def test_list_rules(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run_cli(monkeypatch, capsys, "lint", "--list-rules")
    assert status == 0
    assert out.splitlines()[0].split()[:2] == ["oas-structure", "error"]
    assert len(out.splitlines()) == 17
