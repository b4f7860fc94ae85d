"""Read rule levels from the `[tool.callflow-kit.lint]` table of pyproject.toml.

```toml
[tool.callflow-kit.lint]
rules = { "error-response-missing" = "off", "operation-tag-missing" = "error" }
```

Each value is "error", "warning", "info" or "off". Without a `--config` option,
the linter reads the first pyproject.toml found in the working folder or above it.
A file without the table leaves every rule at its default level.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import LintSetupError
from generator.lint.findings import RULES, Severity

LEVELS = ("error", "warning", "info", "off")


@dataclass(frozen=True)
class LintConfig:
    """Rule levels by rule id; None switches a rule off."""

    levels: Mapping[str, Severity | None] = field(default_factory=dict)
    source: Path | None = None


def find_pyproject(start: Path) -> Path | None:
    """Return the nearest pyproject.toml in `start` or a parent folder."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def parse_levels(table: Mapping[str, Any], source: str) -> dict[str, Severity | None]:
    """Check a `rules` table and return its levels; raise LintSetupError if invalid."""
    rules = table.get("rules", {})
    if not isinstance(rules, dict):
        raise LintSetupError(f"{source}: 'rules' must be a table of rule id = level")
    unknown = sorted(set(table) - {"rules"})
    if unknown:
        raise LintSetupError(
            f"{source}: unknown key {unknown[0]!r} in [tool.callflow-kit.lint]; "
            "the table has only 'rules'"
        )

    levels: dict[str, Severity | None] = {}
    for rule_id, level in rules.items():
        if rule_id not in RULES:
            raise LintSetupError(
                f"{source}: unknown rule {rule_id!r}; run `callflow-kit lint "
                "--list-rules` for the rule ids"
            )
        if level not in LEVELS:
            raise LintSetupError(
                f"{source}: rule {rule_id!r} has level {level!r}; use one of "
                + ", ".join(LEVELS)
            )
        levels[rule_id] = None if level == "off" else Severity(level)
    return levels


def load_config(path: Path | None = None, start: Path | None = None) -> LintConfig:
    """Load the lint table from `path`, or from the nearest pyproject.toml."""
    source = path or find_pyproject(start or Path.cwd())
    if source is None:
        return LintConfig()
    try:
        document = tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LintSetupError(f"{source}: cannot read the file: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LintSetupError(f"{source}: invalid TOML: {exc}") from exc

    table = document.get("tool", {}).get("callflow-kit", {}).get("lint", {})
    if not isinstance(table, dict):
        raise LintSetupError(f"{source}: [tool.callflow-kit.lint] must be a table")
    return LintConfig(levels=parse_levels(table, str(source)), source=source)
