"""Rule ids, severities, locations and findings shared by the rules and reports."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from generator.lint.loader import YamlFile


class Severity(StrEnum):
    """How much a finding matters; only errors make the exit status 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Rule:
    """A lint rule: its id, default severity and a one-line description."""

    id: str
    severity: Severity
    description: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "oas-structure",
            Severity.ERROR,
            "The document breaks the OpenAPI 3.0 or 3.1 specification "
            "(openapi-spec-validator).",
        ),
        Rule(
            "ref-unresolvable",
            Severity.ERROR,
            "A `$ref` names a missing file, a missing value or a remote URL.",
        ),
        Rule(
            "yaml-key-not-string",
            Severity.WARNING,
            "A mapping key that YAML reads as a number, boolean or null, such as "
            "an unquoted response code.",
        ),
        Rule(
            "enum-type-mismatch",
            Severity.ERROR,
            "An `enum` value whose JSON type is not the schema's `type`.",
        ),
        Rule(
            "default-invalid", Severity.ERROR, "A `default` that fails its own schema."
        ),
        Rule(
            "example-invalid",
            Severity.ERROR,
            "An `example` or `examples` value that fails its schema.",
        ),
        Rule(
            "operation-id-missing",
            Severity.ERROR,
            "An operation without `operationId`.",
        ),
        Rule(
            "operation-id-duplicate",
            Severity.ERROR,
            "Two operations share one `operationId`.",
        ),
        Rule(
            "operation-summary-missing",
            Severity.WARNING,
            "An operation without `summary`.",
        ),
        Rule("operation-tag-missing", Severity.WARNING, "An operation without `tags`."),
        Rule(
            "success-response-schema-missing",
            Severity.WARNING,
            "An operation whose 2xx responses have no content schema (204 and HEAD "
            "excepted).",
        ),
        Rule(
            "error-response-missing",
            Severity.WARNING,
            "An operation without any 4xx response.",
        ),
        Rule(
            "path-parameter-undeclared",
            Severity.ERROR,
            "A `{name}` in a path template with no `in: path` parameter.",
        ),
        Rule(
            "path-parameter-unused",
            Severity.ERROR,
            "An `in: path` parameter that the path template does not contain.",
        ),
        Rule(
            "request-envelope-missing",
            Severity.ERROR,
            'A PUT, POST or PATCH body not wrapped in the `{"data": …}` envelope.',
        ),
        Rule(
            "pattern-properties-oas30",
            Severity.ERROR,
            "`patternProperties` in an OpenAPI 3.0 document, which 3.0 does not have.",
        ),
        Rule(
            "x-pattern-properties",
            Severity.WARNING,
            "`x-patternProperties` in an OpenAPI 3.0 document: validators ignore it.",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Location:
    """The place of a finding: its file, a JSON pointer inside it and the line."""

    path: Path
    pointer: str
    line: int | None

    @classmethod
    def of(cls, file: YamlFile, pointer: str) -> Location:
        """Return the location of a pointer in a loaded file, with its line."""
        return cls(file.path, pointer, file.line_of(pointer))

    @property
    def display_path(self) -> str:
        """Return the path relative to the working folder when it is inside it."""
        return _display_path(self.path, os.getcwd())


@lru_cache(maxsize=4096)
def _display_path(path: Path, working_folder: str) -> str:
    # Sorting and rendering need the display path of every finding several times,
    # and a spec has few files, so each result is cached.
    try:
        return path.relative_to(working_folder).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: which rule, how severe, what to fix and where."""

    rule: str
    severity: Severity
    message: str
    location: Location

    def sort_key(self) -> tuple[str, int, str, str]:
        """Return the key that orders findings by file, line and rule."""
        return (
            self.location.display_path,
            self.location.line or 0,
            self.location.pointer,
            self.rule,
        )


class Reporter:
    """Create findings at the severity the configuration gives each rule."""

    def __init__(self, levels: Mapping[str, Severity | None]) -> None:
        self._levels = levels

    def enabled(self, rule_id: str) -> bool:
        """Return whether the rule runs at all."""
        return self.level(rule_id) is not None

    def level(self, rule_id: str) -> Severity | None:
        """Return the rule's severity, or None when it is switched off."""
        if rule_id in self._levels:
            return self._levels[rule_id]
        return RULES[rule_id].severity

    def finding(self, rule_id: str, location: Location, message: str) -> Finding:
        """Return a finding of the rule at its configured severity."""
        level = self.level(rule_id) or RULES[rule_id].severity
        return Finding(rule_id, level, message, location)
