"""`callflow-kit check`: fail when derived or generated files are stale.

The check re-derives the spec from `spec/source/` in memory, generates code from
that fresh spec into a temporary folder, and compares both with the committed
files byte for byte. Paths are relative to the working folder, which must be the
project folder, because the derived and generated headers name their sources
by those relative paths.
"""

from __future__ import annotations

import difflib
import logging
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.errors import DriftError

logger = logging.getLogger(__name__)

SOURCE = Path("spec/source")
SPEC = Path("spec/callflows.openapi.yaml")
GENERATED = Path("generated")
DERIVE_FIX = "callflow-kit derive"
GENERATE_FIX = "callflow-kit generate"


@dataclass(frozen=True, slots=True)
class StaleFile:
    """A committed file that differs from what the pipeline produces now."""

    path: Path
    fix: str
    diff: str


def unified_diff(path: Path, committed: str | None, expected: str) -> str:
    """Return a unified diff from the committed text to the expected text."""
    label = path.as_posix()
    lines = difflib.unified_diff(
        (committed or "").splitlines(keepends=True),
        expected.splitlines(keepends=True),
        fromfile=f"{label} (committed)" if committed is not None else "/dev/null",
        tofile=f"{label} (expected)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _compare(path: Path, expected: str, fix: str) -> StaleFile | None:
    committed = _read(path)
    if committed == expected:
        return None
    return StaleFile(path, fix, unified_diff(path, committed, expected))


def find_stale_files(
    source: Path = SOURCE, spec: Path = SPEC, generated: Path = GENERATED
) -> list[StaleFile]:
    """Return every committed spec or generated file that a fresh run would change."""
    from generator.codegen import GENERATED_FILES, generate_code
    from generator.pipeline import render_spec, source_names

    spec_text = render_spec([source])
    stale = [_compare(spec, spec_text, DERIVE_FIX)]

    fix = GENERATE_FIX if stale[0] is None else f"{DERIVE_FIX} && {GENERATE_FIX}"
    with tempfile.TemporaryDirectory(prefix="callflow-kit-check-") as folder:
        fresh_spec = Path(folder) / "spec.yaml"
        fresh_spec.write_text(spec_text, encoding="utf-8")
        out_dir = Path(folder) / "generated"
        generate_code(fresh_spec, out_dir, spec_name=source_names([spec])[0])
        for name in GENERATED_FILES:
            expected = (out_dir / name).read_text(encoding="utf-8")
            stale.append(_compare(generated / name, expected, fix))
    return [item for item in stale if item is not None]


def run_check() -> None:
    """Print a diff per stale file to stdout; raise DriftError when any is stale."""
    stale = find_stale_files()
    if not stale:
        logger.info("%s and %s/ are up to date", SPEC, GENERATED)
        return
    for item in stale:
        sys.stdout.write(item.diff)
    names = "; ".join(f"{item.path.as_posix()} (run `{item.fix}`)" for item in stale)
    raise DriftError(f"stale files: {names}")
