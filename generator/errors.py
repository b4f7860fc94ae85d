"""Errors raised by the build-time pipeline.

CallflowKitError                 base; the CLI prints str(exc) and exits 1
├── DeriveError                  a source page cannot be turned into JSON Schema
│   └── UnresolvedReferenceError a `#/definitions/x` that no page or schema defines
├── GenerateError                code generation failed
├── DriftError                   committed files differ from a fresh derive/generate
└── LintSetupError               the linter could not run (exit status 2)
"""

from __future__ import annotations

from pathlib import Path


class CallflowKitError(Exception):
    """Base class of every error the CLI reports without a traceback."""

    exit_code = 1


class DeriveError(CallflowKitError):
    """A source page that cannot be derived, with the place that caused it."""

    def __init__(self, page: Path | str, line: int | None, message: str) -> None:
        self.page = Path(page)
        self.line = line
        self.detail = message
        where = f"{self.page}:{line}" if line is not None else str(self.page)
        super().__init__(f"{where}: {message}")


class UnresolvedReferenceError(DeriveError):
    """A reference to a definition that none of the inputs defines."""

    def __init__(self, page: Path | str, line: int | None, reference: str) -> None:
        self.reference = reference
        super().__init__(
            page,
            line,
            f"unresolved reference {reference!r}: no page or schema given to derive "
            "defines it; pass the page or schema folder that does with --schemas",
        )


class GenerateError(CallflowKitError):
    """Code generation from the spec failed."""


class DriftError(CallflowKitError):
    """Committed derived or generated files are stale."""


class LintSetupError(CallflowKitError):
    """The linter could not run: unreadable spec, bad configuration."""

    exit_code = 2
