"""Errors raised by the build-time pipeline.

CallflowKitError                 base; the CLI prints str(exc) and exits 1
├── DeriveError                  a source page cannot be turned into JSON Schema
│   ├── UnresolvedReferenceError references to definitions that no input defines
│   └── NoSchemaError            no input page has a Schema table
├── GenerateError                code generation failed
├── DriftError                   committed files differ from a fresh derive/generate
└── LintSetupError               the linter could not run (exit status 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.doctable import Diagnostic


class CallflowKitError(Exception):
    """Base class of every error the CLI reports without a traceback."""

    exit_code = 1


class DeriveError(CallflowKitError):
    """A source page that cannot be derived, with the place that caused it.

    `page` is None when the error concerns several places, which the message then
    lists. `warnings` are the diagnostics collected before the error, for the
    caller to print with it.
    """

    def __init__(
        self,
        page: Path | str | None,
        line: int | None,
        message: str,
        warnings: Sequence[Diagnostic] = (),
    ) -> None:
        self.page = Path(page) if page is not None else None
        self.line = line
        self.detail = message
        self.warnings = tuple(warnings)
        if self.page is None:
            super().__init__(message)
        elif line is None:
            super().__init__(f"{self.page}: {message}")
        else:
            super().__init__(f"{self.page}:{line}: {message}")


@dataclass(frozen=True, slots=True)
class UnresolvedReference:
    """A `#/definitions/x` reference that no input defines, and where it is made."""

    page: Path
    line: int | None
    reference: str

    def __str__(self) -> str:
        where = f"{self.page}:{self.line}" if self.line is not None else str(self.page)
        return f"{where}: {self.reference!r}"


class UnresolvedReferenceError(DeriveError):
    """Every reference to a definition that none of the inputs defines.

    `reference` is the first one's. `page` and `line` are its place when it is
    the only one, and None when the message lists several.
    """

    def __init__(
        self,
        unresolved: Sequence[UnresolvedReference],
        warnings: Sequence[Diagnostic] = (),
    ) -> None:
        self.unresolved = tuple(unresolved)
        first = self.unresolved[0]
        self.reference = first.reference
        if len(self.unresolved) == 1:
            super().__init__(
                first.page,
                first.line,
                f"unresolved reference {first.reference!r}: no page or schema given "
                "to derive defines it; pass the page or schema folder that does "
                "with --schemas",
                warnings,
            )
            return
        listing = "".join(f"\n  {item}" for item in self.unresolved)
        super().__init__(
            None,
            None,
            f"{len(self.unresolved)} unresolved references: no page or schema given "
            "to derive defines them; pass the pages or schema folders that do with "
            f"--schemas:{listing}",
            warnings,
        )


class NoSchemaError(DeriveError):
    """None of the input pages has a Schema table, so there is nothing to derive."""

    def __init__(
        self, inputs: Sequence[Path], warnings: Sequence[Diagnostic] = ()
    ) -> None:
        self.inputs = tuple(inputs)
        names = ", ".join(str(path) for path in self.inputs)
        super().__init__(
            None,
            None,
            f"no Schema table found in {names}: derive reads tables with a header "
            "row such as `Key | Description | Type | Default | Required`; pass the "
            "Kazoo doc pages that have one",
            warnings,
        )


class GenerateError(CallflowKitError):
    """Code generation from the spec failed."""


class DriftError(CallflowKitError):
    """Committed derived or generated files are stale."""


class LintSetupError(CallflowKitError):
    """The linter could not run: unreadable spec, bad configuration."""

    exit_code = 2
