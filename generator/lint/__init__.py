"""`callflow-kit lint`: structural validation and rules for OpenAPI 3.0 and 3.1 specs.

Each stage has its module. `loader` parses the files and keeps lines, `bundle`
resolves references with prance and `structure` runs openapi-spec-validator.
`walk` indexes operations and schemas at their source, for the checks in `rules`
and `schema_rules`. `config` reads rule levels and `report` renders findings.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.lint import parallel, rules, schema_rules
from generator.lint.config import LintConfig
from generator.lint.findings import RULES, Finding, Reporter, Rule, Severity
from generator.lint.loader import SpecFiles, load_spec
from generator.lint.walk import SpecIndex, index_spec

__all__ = [
    "RULES",
    "Finding",
    "LintConfig",
    "LintRun",
    "Rule",
    "Severity",
    "lint_specs",
]

logger = logging.getLogger(__name__)

_Check = Callable[[SpecFiles, SpecIndex, Reporter], Iterable[Finding]]

# Each check with the rule ids it can report; a check whose rules are all off
# does not run.
_CHECKS: tuple[tuple[tuple[str, ...], _Check], ...] = (
    (("ref-unresolvable",), lambda spec, index, rep: rules.check_refs(spec, rep)),
    (
        ("yaml-key-not-string",),
        lambda spec, index, rep: rules.check_yaml_keys(spec, rep),
    ),
    (
        ("operation-id-missing", "operation-summary-missing", "operation-tag-missing"),
        lambda spec, index, rep: rules.check_operation_fields(index, rep),
    ),
    (
        ("operation-id-duplicate",),
        lambda s, index, rep: rules.check_duplicate_ids(index, rep),
    ),
    (
        ("success-response-schema-missing", "error-response-missing"),
        lambda spec, index, rep: rules.check_responses(index, rep),
    ),
    (
        ("path-parameter-undeclared", "path-parameter-unused"),
        lambda spec, index, rep: rules.check_path_parameters(index, rep),
    ),
    (
        ("request-envelope-missing",),
        lambda spec, index, rep: rules.check_request_envelope(index, rep),
    ),
    (
        ("enum-type-mismatch",),
        lambda s, index, rep: schema_rules.check_enum_types(index, rep),
    ),
    (
        ("default-invalid",),
        lambda s, index, rep: schema_rules.check_defaults(index, rep),
    ),
    (
        ("example-invalid",),
        lambda s, index, rep: schema_rules.check_examples(index, rep),
    ),
    (
        ("pattern-properties-oas30", "x-pattern-properties"),
        lambda spec, index, rep: schema_rules.check_pattern_properties(index, rep),
    ),
)


# The checks that validate defaults and examples with openapi-schema-validator,
# whose import alone takes about 0.2 s. They run in a forked child process when
# `parallel.can_fork` allows one, while the parent runs the other checks, prance
# and the structural check.
_CHILD_CHECKS = frozenset(
    check for rule_ids, check in _CHECKS if rule_ids[0] in schema_rules.VALUE_RULES
)


@dataclass
class LintRun:
    """The findings of one lint run and every file it read."""

    findings: list[Finding] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """Return 1 when any finding is at error level, else 0."""
        return int(any(f.severity is Severity.ERROR for f in self.findings))


def _structure_findings(spec: SpecFiles, reporter: Reporter) -> Iterator[Finding]:
    from generator.lint.bundle import bundle_spec
    from generator.lint.structure import iter_structure_findings

    yield from iter_structure_findings(bundle_spec(spec), reporter)


def lint_spec(path: Path, reporter: Reporter) -> tuple[SpecFiles, list[Finding]]:
    """Lint one spec given by its root file; return its files and findings."""
    spec = load_spec(path)
    logger.debug("loaded %s: %d files", path, len(spec.files))
    index = index_spec(spec)

    checks = [
        check
        for rule_ids, check in _CHECKS
        if any(reporter.enabled(rule_id) for rule_id in rule_ids)
    ]
    in_child = [check for check in checks if check in _CHILD_CHECKS]
    child = parallel.Pending(
        lambda: [list(check(spec, index, reporter)) for check in in_child]
    )
    if in_child and schema_rules.has_values(index):
        child.start()
    try:
        found_by_check = {
            check: list(check(spec, index, reporter))
            for check in checks
            if check not in in_child
        }
        structure: list[Finding] = []
        if reporter.enabled("oas-structure"):
            structure = list(_structure_findings(spec, reporter))
        found_by_check.update(zip(in_child, child.result(), strict=True))
    finally:
        child.cancel()

    found = [finding for check in checks for finding in found_by_check[check]]
    found.extend(structure)
    return spec, [finding for finding in found if reporter.enabled(finding.rule)]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of a run.

    A run allocates a YAML node and a value for every line of every file and
    keeps them until it ends. With the collector on, each collection walks all of
    them again, which on Kazoo's spec doubles the time of parsing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lint_files(path: Path, reporter: Reporter) -> tuple[list[Path], list[Finding]]:
    # The spec is freed on return, while the collector is still paused, so the
    # collector's first pass afterwards does not walk it.
    spec, findings = lint_spec(path, reporter)
    return list(spec.files), findings


def lint_specs(paths: Sequence[Path], config: LintConfig | None = None) -> LintRun:
    """Lint each spec; raise LintSetupError when one cannot be read."""
    reporter = Reporter((config or LintConfig()).levels)
    run = LintRun()
    with _collector_paused():
        for path in paths:
            files, findings = _lint_files(path, reporter)
            run.findings.extend(findings)
            run.files.extend(file for file in files if file not in run.files)
        run.findings.sort(key=Finding.sort_key)
    return run
