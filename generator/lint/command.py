"""The body of `callflow-kit lint`: lint, render, write, return the exit status."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from generator.errors import LintSetupError
from generator.lint import lint_specs
from generator.lint.config import load_config
from generator.lint.findings import RULES
from generator.lint.report import render


def list_rules_text() -> str:
    """Return one line per rule: id, default severity, description."""
    width = max(len(rule_id) for rule_id in RULES)
    return "".join(
        f"{rule.id:<{width}}  {rule.severity.value:<7}  {rule.description}\n"
        for rule in RULES.values()
    )


def run_lint(
    specs: Sequence[Path],
    output_format: str,
    output: Path | None,
    config_path: Path | None,
) -> int:
    """Lint the specs, write the report and return the exit status (0 or 1).

    Raise LintSetupError, whose exit status is 2, when a spec or the
    configuration cannot be read.
    """
    for spec in specs:
        if not spec.is_file():
            raise LintSetupError(
                f"{spec}: no such file; pass the root file of the spec"
            )
    config = load_config(config_path)
    run = lint_specs(specs, config)
    report = render(output_format, run.findings, run.files)

    if output is None:
        sys.stdout.write(report)
    else:
        try:
            output.write_text(report, encoding="utf-8")
        except OSError as exc:
            raise LintSetupError(
                f"{output}: cannot write the report: {exc.strerror}"
            ) from exc
    return run.exit_code
