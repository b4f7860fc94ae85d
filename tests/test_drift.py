"""`callflow-kit check` on a copy of the project's spec/ and generated/ folders."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.drift import find_extra_files, find_stale_files, run_check
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
        "--- a/generated/routes.py\t(in the tree)\n"
        "+++ b/generated/routes.py\t(freshly generated)\n"
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
    assert stale.diff.startswith(
        "--- /dev/null\n+++ b/generated/models.py\t(freshly generated)\n"
    )


def test_spec_edit_detected(project: Path) -> None:
    replace_once(
        project / "spec" / "callflows.openapi.yaml", "openapi: 3.1", "openapi: 3.0"
    )
    (stale,) = find_stale_files()
    assert stale.path == Path("spec/callflows.openapi.yaml")
    assert stale.fix == "callflow-kit derive"
    assert "-openapi: 3.0" in stale.diff
    assert stale.diff.startswith(
        "--- a/spec/callflows.openapi.yaml\t(in the tree)\n"
        "+++ b/spec/callflows.openapi.yaml\t(freshly derived)\n"
    )


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


def test_extra_file_reported(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "generated" / "extra.py").write_text("x = 1\n", encoding="utf-8")
    assert find_extra_files() == [Path("generated/extra.py")]

    with pytest.raises(DriftError) as caught:
        run_check()
    assert str(caught.value) == (
        "extra files: generated/extra.py (`callflow-kit generate` does not write "
        "them, so delete them or move hand-written code out of generated/)"
    )
    assert capsys.readouterr().out == "Only in generated/: extra.py\n"


def test_extra_file_in_subfolder(project: Path) -> None:
    (project / "generated" / "old").mkdir()
    (project / "generated" / "old" / "models.py").write_text("", encoding="utf-8")
    assert find_extra_files() == [Path("generated/old/models.py")]


def test_init_and_pycache_not_extra(project: Path) -> None:
    (project / "generated" / "__init__.py").write_text("", encoding="utf-8")
    cache = project / "generated" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "models.cpython-311.pyc").write_bytes(b"\x00")
    assert find_extra_files() == []


def test_stale_and_extra_reported_together(project: Path) -> None:
    replace_once(project / "generated" / "routes.py", "class Route", "class Rute")
    (project / "generated" / "notes.txt").write_text("", encoding="utf-8")
    with pytest.raises(DriftError) as caught:
        run_check()
    assert str(caught.value).startswith(
        "stale files: generated/routes.py (run `callflow-kit generate`); "
        "extra files: generated/notes.txt ("
    )


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs GNU patch")
def test_diff_applies_with_patch(project: Path) -> None:
    routes = project / "generated" / "routes.py"
    fresh = routes.read_text(encoding="utf-8")
    replace_once(routes, "class Route", "class Rute")
    (stale,) = find_stale_files()
    applied = subprocess.run(
        ["patch", "-p1", "--quiet"], input=stale.diff, text=True, check=False
    )
    assert applied.returncode == 0
    assert routes.read_text(encoding="utf-8") == fresh
