"""`callflow-kit check` on a copy of the project's spec/ and generated/ folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.drift import find_stale_files, run_check
from generator.errors import DriftError

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy spec/ and generated/ into tmp_path and work there."""
    shutil.copytree(PROJECT / "spec", tmp_path / "spec")
    shutil.copytree(
        PROJECT / "generated",
        tmp_path / "generated",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def replace_once(path: Path, old: str, new: str) -> None:
    """Edit a file by hand: replace the first occurrence of a text."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_clean_copy_passes(project: Path) -> None:
    assert find_stale_files() == []
    run_check()


def test_generated_edit_detected(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replace_once(project / "generated" / "routes.py", "class Route", "class Rute")
    (stale,) = find_stale_files()
    assert stale.path == Path("generated/routes.py")
    assert stale.fix == "callflow-kit generate"
    assert "-class Rute" in stale.diff
    assert "+class Route" in stale.diff
    assert stale.diff.startswith(
        "--- generated/routes.py (committed)\n+++ generated/routes.py (expected)\n"
    )

    with pytest.raises(DriftError) as caught:
        run_check()
    assert str(caught.value) == (
        "stale files: generated/routes.py (run `callflow-kit generate`)"
    )
    assert caught.value.exit_code == 1
    assert "-class Rute" in capsys.readouterr().out


def test_generated_file_missing(project: Path) -> None:
    (project / "generated" / "models.py").unlink()
    (stale,) = find_stale_files()
    assert stale.path == Path("generated/models.py")
    assert stale.diff.startswith("--- /dev/null\n")


def test_spec_edit_detected(project: Path) -> None:
    replace_once(
        project / "spec" / "callflows.openapi.yaml", "openapi: 3.1", "openapi: 3.0"
    )
    (stale,) = find_stale_files()
    assert stale.path == Path("spec/callflows.openapi.yaml")
    assert stale.fix == "callflow-kit derive"
    assert "-openapi: 3.0" in stale.diff


def test_source_edit_makes_both_stale(project: Path) -> None:
    source = project / "spec" / "source" / "callflows.md"
    replace_once(
        source,
        "`featurecode.name` |   | `string(1..128)`",
        "`featurecode.name` |   | `string(1..99)`",
    )
    stale = find_stale_files()
    assert stale[0].path == Path("spec/callflows.openapi.yaml")
    assert stale[0].fix == "callflow-kit derive"
    assert "+              maxLength: 99\n" in stale[0].diff
    assert Path("generated/models.py") in [item.path for item in stale]
    assert {item.fix for item in stale[1:]} == {
        "callflow-kit derive && callflow-kit generate"
    }
