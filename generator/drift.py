"""`callflow-kit check`: fail when derived or generated files are stale.

The check re-derives the spec from `spec/source/` in memory, generates code from
that fresh spec into a temporary folder, and compares both with the files in the
working tree byte for byte. It also fails on any file in `generated/` that
generate does not write, apart from `__init__.py` and `__pycache__/`. Paths are
relative to the working folder, which must be the project folder, because the
derived and generated headers name their sources by those relative paths.
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
# Files in generated/ that are not generate's output but belong there.
KEPT_IN_GENERATED = ("__init__.py",)


@dataclass(frozen=True, slots=True)
class StaleFile:
    """A file in the tree that differs from what the pipeline produces now."""

    path: Path
    fix: str
    diff: str


def unified_diff(
    path: Path, current: str | None, expected: str, origin: str = "freshly generated"
) -> str:
    """Return a unified diff from the file in the tree to the text expected there.

    Each header names its side after a tab, where patch tools put a timestamp
    (`--- a/generated/models.py<TAB>(in the tree)`), so `patch -p1` reads the
    diff. `current` None means the file is missing from the tree.
    """
    label = path.as_posix()
    lines = difflib.unified_diff(
        (current or "").splitlines(keepends=True),
        expected.splitlines(keepends=True),
        fromfile=f"a/{label}" if current is not None else "/dev/null",
        tofile=f"b/{label}",
        fromfiledate="(in the tree)" if current is not None else "",
        tofiledate=f"({origin})",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _compare(path: Path, expected: str, fix: str, origin: str) -> StaleFile | None:
    current = _read(path)
    if current == expected:
        return None
    return StaleFile(path, fix, unified_diff(path, current, expected, origin))


def find_stale_files(
    source: Path = SOURCE, spec: Path = SPEC, generated: Path = GENERATED
) -> list[StaleFile]:
    """Return every spec or generated file in the tree that a fresh run would change."""
    from generator.codegen import GENERATED_FILES, generate_code
    from generator.pipeline import render_spec, source_names

    spec_text = render_spec([source])
    stale = [_compare(spec, spec_text, DERIVE_FIX, "freshly derived")]

    fix = GENERATE_FIX if stale[0] is None else f"{DERIVE_FIX} && {GENERATE_FIX}"
    with tempfile.TemporaryDirectory(prefix="callflow-kit-check-") as folder:
        fresh_spec = Path(folder) / "spec.yaml"
        fresh_spec.write_text(spec_text, encoding="utf-8")
        out_dir = Path(folder) / "generated"
        generate_code(fresh_spec, out_dir, spec_name=source_names([spec])[0])
        for name in GENERATED_FILES:
            expected = (out_dir / name).read_text(encoding="utf-8")
            stale.append(_compare(generated / name, expected, fix, "freshly generated"))
    return [item for item in stale if item is not None]


def find_extra_files(generated: Path = GENERATED) -> list[Path]:
    """Return the files in `generated` that generate does not write, sorted.

    `__init__.py` and everything under a `__pycache__` folder are not extra.
    """
    from generator.codegen import GENERATED_FILES

    written = {*GENERATED_FILES, *KEPT_IN_GENERATED}
    extra = []
    for path in sorted(generated.rglob("*")):
        relative = path.relative_to(generated)
        if "__pycache__" in relative.parts or not path.is_file():
            continue
        if relative.as_posix() not in written:
            extra.append(path)
    return extra


def run_check() -> None:
    """Print a diff per stale file and a line per extra file to stdout.

    Raises DriftError naming each stale or extra file and its fix.
    """
    stale = find_stale_files()
    extra = find_extra_files()
    if not stale and not extra:
        logger.info("%s and %s/ are up to date", SPEC, GENERATED)
        return
    for item in stale:
        sys.stdout.write(item.diff)
    for path in extra:
        sys.stdout.write(f"Only in {path.parent.as_posix()}/: {path.name}\n")

    problems = []
    if stale:
        names = ", ".join(f"{i.path.as_posix()} (run `{i.fix}`)" for i in stale)
        problems.append(f"stale files: {names}")
    if extra:
        names = ", ".join(path.as_posix() for path in extra)
        problems.append(
            f"extra files: {names} (`{GENERATE_FIX}` does not write them, so "
            "delete them or move hand-written code out of generated/)"
        )
    raise DriftError("; ".join(problems))
