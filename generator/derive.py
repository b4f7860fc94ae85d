"""Derive JSON Schemas from Kazoo doc pages: the `derive` stage's first half.

`derive_schemas` reads pages (or folders of pages), builds one JSON Schema per
Schema table and resolves every ``#/definitions/<id>`` reference, from the pages
themselves or from extra folders of Kazoo JSON schemas or doc pages. A page's main
schema is named after the page, through the rename map Kazoo uses between doc pages
and schemas (``voicemail.md`` documents ``vmboxes``). A sub-section table is named by
its heading.

Every page is read before an error is raised, so one run reports every warning
and every unresolved reference. The error carries the warnings collected so far.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.doctable import Diagnostic, Table, parse_tables
from generator.errors import (
    DeriveError,
    NoSchemaError,
    UnresolvedReference,
    UnresolvedReferenceError,
)
from generator.jsonschema import build_schema, iter_references, order_keywords
from generator.typecell import DEFINITIONS_PREFIX

# Doc page stem → Kazoo schema name, where Kazoo names the page differently.
PAGE_RENAMES = {
    "api_authentication": "api_auth",
    "conference": "conferences",
    "user_authentication": "user_auth",
    "voicemail": "vmboxes",
    "whitelabeling": "whitelabel",
}
JSON_SCHEMA_DIALECT = "http://json-schema.org/draft-04/schema#"

ProgressCallback = Callable[[int, int, Path], None]
PageNamer = Callable[[Path], str]


@dataclass(frozen=True, slots=True)
class SchemaSource:
    """The origin of a schema: a page and its table's header line, or a JSON file."""

    page: Path
    line: int | None


@dataclass(slots=True)
class DerivedSchemas:
    """Every schema derived from a set of pages, keyed by Kazoo schema id."""

    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    main: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, SchemaSource] = field(default_factory=dict)


def page_schema_id(page: Path) -> str:
    """Return the Kazoo schema id a page documents: its stem, renamed as Kazoo does."""
    return PAGE_RENAMES.get(page.stem, page.stem)


def list_pages(paths: Sequence[Path]) -> list[Path]:
    """Expand folders into their `*.md` pages, sorted, and keep pages as given."""
    pages: list[Path] = []
    for path in paths:
        if path.is_dir():
            pages.extend(sorted(path.glob("*.md")))
        elif path.is_file():
            pages.append(path)
        else:
            raise DeriveError(path, None, "page or folder not found; check the path")
    return pages


def derive_schemas(
    paths: Sequence[Path],
    schema_dirs: Sequence[Path] = (),
    *,
    progress: ProgressCallback | None = None,
    name_page: PageNamer = page_schema_id,
) -> DerivedSchemas:
    """Derive the JSON Schemas of every Schema table in `paths` and resolve references.

    `paths` are pages or folders (every `*.md`, sorted). A reference that no page
    defines is looked up in `schema_dirs`, folders of Kazoo JSON schemas
    (`NAME.json`) or of doc pages, and the definition found there is added to
    `schemas`. A page without a Schema table gives a warning.

    Raises NoSchemaError when `paths` is not empty but no page has a Schema table,
    and UnresolvedReferenceError, listing every reference that nothing defines,
    after all pages are read.

    `progress(done, total, page)` is called after each page. `name_page` names a
    page's main schema (callflow module pages, for instance, document
    `callflows.<stem>`).
    """
    pages = list_pages(paths)
    derived = DerivedSchemas()
    pending: list[tuple[str, Path, int | None]] = []
    for done, page in enumerate(pages, start=1):
        pending += _derive_page(derived, page, name_page)
        if progress is not None:
            progress(done, len(pages), page)
    if paths and not derived.schemas:
        raise NoSchemaError(paths, derived.warnings)
    _resolve(derived, pending, _Library(schema_dirs, name_page))
    return derived


def json_schema_document(derived: DerivedSchemas) -> dict[str, Any]:
    """Return the first main schema with every other schema under `definitions`.

    With no main schema (pages of sub-sections only), the document holds only
    `definitions`. A main schema that something references is kept there too.
    """
    main = derived.main[0] if derived.main else None
    document: dict[str, Any] = {"$schema": JSON_SCHEMA_DIALECT}
    if main is not None:
        document.update(derived.schemas[main])
    referenced = {name for s in derived.schemas.values() for name in iter_references(s)}
    definitions = {
        name: derived.schemas[name]
        for name in sorted(derived.schemas)
        if name != main or name in referenced
    }
    if definitions:
        document["definitions"] = definitions
    return document


def load_kazoo_schema(path: Path) -> dict[str, Any]:
    """Read a Kazoo JSON schema as a definition: `$ref: "x"` → `#/definitions/x`.

    Kazoo's bookkeeping keys (`$schema`, `_id`, `id`) are dropped, and draft-03
    `"required": true` flags on properties become the parent's `required` list.
    """
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DeriveError(
            path, None, f"invalid JSON schema: {exc}; fix the file or leave it out"
        ) from exc
    if not isinstance(schema, dict):
        raise DeriveError(
            path, None, "invalid JSON schema: the document is not an object"
        )
    for key in ("$schema", "_id", "id"):
        schema.pop(key, None)
    result: dict[str, Any] = normalise_kazoo_schema(schema)
    if isinstance(result.get("required"), bool):
        del result["required"]  # draft 3's whole-document flag
    return result


def normalise_kazoo_schema(value: Any) -> Any:
    """Rewrite Kazoo refs to `#/definitions/<id>` and draft-03 `required` flags."""
    if isinstance(value, list):
        return [normalise_kazoo_schema(item) for item in value]
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for key, item in value.items():
        if key == "$ref" and isinstance(item, str) and not item.startswith("#"):
            result[key] = DEFINITIONS_PREFIX + item
        elif key in ("properties", "patternProperties") and isinstance(item, dict):
            result[key] = {
                name: normalise_kazoo_schema(child) for name, child in item.items()
            }
        else:
            result[key] = normalise_kazoo_schema(item)
    properties = result.get("properties")
    if isinstance(properties, dict):
        _hoist_draft3_required(result, properties)
    return result


def _hoist_draft3_required(schema: dict[str, Any], properties: dict[str, Any]) -> None:
    """Move `"required": true` from properties into the parent's `required` list."""
    flagged = []
    for name, child in properties.items():
        flag = child.get("required") if isinstance(child, dict) else None
        if isinstance(flag, bool):
            del child["required"]
            if flag:
                flagged.append(name)
    if flagged:
        existing = schema.get("required")
        names = existing if isinstance(existing, list) else []
        schema["required"] = sorted({*names, *flagged})


def _derive_page(
    derived: DerivedSchemas, page: Path, name_page: PageNamer
) -> list[tuple[str, Path, int | None]]:
    """Add the schemas of one page and return the references its tables make."""
    try:
        text = page.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        message = f"failed to read the page: {exc}"
        raise DeriveError(page, None, message, derived.warnings) from exc
    tables = parse_tables(text, page)
    warnings = list(tables.diagnostics)
    references: list[tuple[str, Path, int | None]] = []
    for table in tables.tables:
        if table.role == "extra":
            warnings.append(_extra_table_warning(table))
            continue
        built = build_schema(table)
        warnings += built.diagnostics
        schema_id = name_page(page) if table.role == "main" else table.name
        assert schema_id is not None
        source = SchemaSource(page, table.line)
        conflict = _register(derived, schema_id, built.schema, source)
        if conflict is not None:
            warnings.append(conflict)
        if table.role == "main" and schema_id not in derived.main:
            derived.main.append(schema_id)
        references += [(name, page, line) for name, line in built.references]
    if not tables.tables:
        warnings.append(_no_table_warning(page, text))
    derived.warnings += sorted(warnings, key=lambda w: w.line or 0)
    return references


def _no_table_warning(page: Path, text: str) -> Diagnostic:
    reason = "the page is empty" if not text.strip() else "no Schema table found"
    return Diagnostic(
        page,
        None,
        f"{reason}, so the page adds no schema. Derive reads tables with a header "
        "row such as `Key | Description | Type | Default | Required`",
    )


def _extra_table_warning(table: Table) -> Diagnostic:
    heading = table.heading if table.heading is not None else "(no heading)"
    return Diagnostic(
        table.page,
        table.line,
        f"table under heading {heading!r} is neither the page's Schema table nor a "
        "definition named after a schema id; it was skipped",
    )


def _register(
    derived: DerivedSchemas,
    schema_id: str,
    schema: dict[str, Any],
    source: SchemaSource,
) -> Diagnostic | None:
    """Add a schema, keeping the first of two different definitions of one id.

    Returns the warning about a second, different definition.
    """
    known = derived.schemas.get(schema_id)
    if known is None:
        derived.schemas[schema_id] = schema
        derived.sources[schema_id] = source
        return None
    if known == schema:
        return None
    first = derived.sources[schema_id]
    where = f"{first.page}:{first.line}" if first.line else str(first.page)
    return Diagnostic(
        source.page,
        source.line,
        f"schema {schema_id!r} differs from the one defined at {where}; "
        "the first definition was kept",
    )


def _resolve(
    derived: DerivedSchemas,
    pending: list[tuple[str, Path, int | None]],
    library: _Library,
) -> None:
    """Add definitions for unresolved references from `library`, transitively.

    Raises UnresolvedReferenceError naming every reference left unresolved.
    """
    unresolved: list[UnresolvedReference] = []
    while pending:
        name, page, line = pending.pop(0)
        if name in derived.schemas:
            continue
        found = library.find(name)
        if found is None:
            missing = UnresolvedReference(page, line, DEFINITIONS_PREFIX + name)
            if missing not in unresolved:
                unresolved.append(missing)
            continue
        schema, source = found
        derived.schemas[name] = schema
        derived.sources[name] = source
        pending += [(ref, source.page, source.line) for ref in iter_references(schema)]
    if unresolved:
        raise UnresolvedReferenceError(unresolved, derived.warnings)


class _Library:
    """Folders of Kazoo JSON schemas or doc pages that define extra schema ids."""

    def __init__(self, folders: Sequence[Path], name_page: PageNamer) -> None:
        self.folders = list(folders)
        self.name_page = name_page
        self.page_schemas: dict[Path, DerivedSchemas] = {}

    def find(self, name: str) -> tuple[dict[str, Any], SchemaSource] | None:
        """Return the schema `name` and where it was found, or None."""
        for folder in self.folders:
            candidate = folder / f"{name}.json"
            if candidate.is_file():
                return load_kazoo_schema(candidate), SchemaSource(candidate, None)
            pages = self._pages(folder)
            if name in pages.schemas:
                return order_keywords(pages.schemas[name]), pages.sources[name]
        return None

    def _pages(self, folder: Path) -> DerivedSchemas:
        """Derive a folder's pages once, without resolving their references."""
        if folder not in self.page_schemas:
            derived = DerivedSchemas()
            for page in sorted(folder.glob("*.md")):
                _derive_page(derived, page, self.name_page)
            self.page_schemas[folder] = derived
        return self.page_schemas[folder]
