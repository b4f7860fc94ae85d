"""Find the Schema tables of a Kazoo doc page and split their rows into cells.

Grammar of a page, as read here (Markdown; lines inside ``` fences are skipped)::

    page      = { heading | paragraph | table | other_line }
    heading   = "#"{1,6} SP TEXT
    table     = header NL rule NL { row NL }    (ends at a blank or pipe-less line)
    header    = ["|"] NAME { "|" NAME } ["|"]    (3 to 6 names: "Key" first, and
                                                 "Description" and "Type" among them)
    NAME      = "Key" | "Description" | "Type" | "Default" | "Required"
              | "Support Level" | "Support"
    rule      = cells of "-" and ":" only
    row       = cell { "|" cell }                (a "|" inside `code` does not split)

Every Kazoo era (E0 to E3) writes ``Key | Description | Type | Default | Required``
with an optional sixth ``Support Level`` column; hand-written pages drop or reorder
columns. A table's role comes from the heading above it:

* ``main``: the first table under a heading that contains "schema" (any case) and is
  not a schema id. A page with no such heading uses its first table that is not
  under a schema id heading.
* ``definition``: a table under a heading that is a schema id (``### metaflow``,
  ``##### callflows.action``) or reads ``Schema for <id>``; ``name`` is the id.
* ``extra``: any other table (hand-written request or query-string tables).

The one paragraph between a heading and its table, when there is exactly one, is the
schema's description (Kazoo prints it since 2017).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

TableRole = Literal["main", "definition", "extra"]

COLUMN_NAMES = {
    "key": "key",
    "description": "description",
    "type": "type",
    "default": "default",
    "required": "required",
    "support level": "support",
    "support": "support",
}

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_RULE_CELL = re.compile(r"^:?-+:?$")
_SCHEMA_ID = re.compile(r"^[a-z0-9_][a-z0-9_.\-]*$")
_SCHEMA_FOR = re.compile(r"^schema for\s+`?([a-z0-9_][a-z0-9_.\-]*)`?$", re.IGNORECASE)
_TYPE_LIKE = re.compile(r"^(`.*`|\[#/definitions/[^\]]*\]\([^)]*\)|[a-z]+\(.*\))$")


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A warning about a page: where it is, the offending cell and what was done."""

    page: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.page}:{self.line}" if self.line is not None else str(self.page)
        return f"{where}: warning: {self.message}"


@dataclass(frozen=True, slots=True)
class Row:
    """One table row: its 1-based line number and its stripped cells by column."""

    line: int
    key: str
    description: str = ""
    type: str = ""
    default: str = ""
    required: str = ""
    support: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """A Schema table with the heading and description paragraph above it."""

    page: Path
    line: int
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    role: TableRole
    name: str | None = None
    heading: str | None = None
    description: str | None = None


@dataclass(slots=True)
class PageTables:
    """Every Schema table of one page, in page order, with the page's warnings."""

    page: Path
    tables: list[Table] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def main(self) -> Table | None:
        """Return the page's main schema table, if it has one."""
        return next((t for t in self.tables if t.role == "main"), None)


def read_tables(page: Path) -> PageTables:
    """Read a Markdown page and return its Schema tables."""
    return parse_tables(page.read_text(encoding="utf-8"), page)


def parse_tables(text: str, page: Path) -> PageTables:
    """Find the Schema tables in Markdown `text`, naming it `page` in messages."""
    result = PageTables(page)
    lines = text.splitlines()
    heading: str | None = None
    paragraphs: list[str] = []
    in_fence = False
    index = 0
    while index < len(lines):
        line = lines[index]
        columns = None if in_fence else header_columns(lines, index)
        if _FENCE.match(line):
            in_fence = not in_fence
            paragraphs.append("")
        elif columns is not None:
            rows, end = _read_rows(result, lines, index, columns)
            result.tables.append(
                _new_table(page, index + 1, columns, rows, heading, paragraphs)
            )
            paragraphs = []
            index = end
            continue
        elif not in_fence and (match := _HEADING.match(line)):
            heading = match.group(2)
            paragraphs = []
        elif not in_fence:
            _collect_paragraph(paragraphs, line)
        index += 1
    result.tables = _assign_roles(result.tables)
    return result


def header_columns(lines: list[str], index: int) -> tuple[str, ...] | None:
    """Return the column names if `lines[index]` heads a Schema table, else None."""
    line = lines[index]
    if "|" not in line or index + 1 >= len(lines):
        return None
    names = [cell.strip().lower() for cell in _trim_outer(split_cells(line))]
    if not 3 <= len(names) <= 6 or names[0] != "key":
        return None
    if any(name not in COLUMN_NAMES for name in names):
        return None
    columns = tuple(COLUMN_NAMES[name] for name in names)
    if "type" not in columns or "description" not in columns:
        return None
    if len(set(columns)) != len(columns):
        return None
    rule = [cell.strip() for cell in _trim_outer(split_cells(lines[index + 1]))]
    if len(rule) != len(columns) or not all(_RULE_CELL.match(c) for c in rule):
        return None
    return columns


def split_cells(line: str) -> list[str]:
    """Split a table line on `|`, except inside `code spans` or after a backslash."""
    cells: list[str] = []
    current: list[str] = []
    in_code = False
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line) and line[index + 1] == "|":
            current.append("|")
            index += 2
            continue
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    cells.append("".join(current))
    if in_code:
        # An unbalanced backtick would swallow the rest of the row, so split plainly.
        return line.split("|")
    return cells


def _trim_outer(cells: list[str]) -> list[str]:
    """Drop the empty cells that a leading or trailing `|` produces."""
    if len(cells) > 1 and not cells[0].strip():
        cells = cells[1:]
    if len(cells) > 1 and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def _collect_paragraph(paragraphs: list[str], line: str) -> None:
    """Append `line` to the current paragraph, or start one after a blank line."""
    text = line.strip()
    if not text:
        if paragraphs and paragraphs[-1]:
            paragraphs.append("")
        return
    if paragraphs and paragraphs[-1]:
        paragraphs[-1] = f"{paragraphs[-1]} {text}"
    else:
        if paragraphs and not paragraphs[-1]:
            paragraphs.pop()
        paragraphs.append(text)


def _read_rows(
    result: PageTables, lines: list[str], index: int, columns: tuple[str, ...]
) -> tuple[list[Row], int]:
    """Read the rows under the header at `index`, and return them and the next index."""
    rows: list[Row] = []
    index += 2
    while index < len(lines):
        line = lines[index]
        if not line.strip() or "|" not in line or _HEADING.match(line):
            break
        rows.append(_split_row(result, line, index + 1, columns))
        index += 1
    return rows, index


def _split_row(
    result: PageTables, line: str, number: int, columns: tuple[str, ...]
) -> Row:
    """Split one row into its columns, repairing extra or missing separators."""
    cells = [cell.strip() for cell in split_cells(line)]
    if len(cells) > len(columns) and line.lstrip().startswith("|") and not cells[0]:
        cells = cells[1:]
    while len(cells) > len(columns) and not cells[-1]:
        cells = cells[:-1]
    if len(cells) > len(columns):
        cells = _merge_extra_cells(cells, columns)
        result.diagnostics.append(
            Diagnostic(
                result.page,
                number,
                f"row {line.strip()!r} has more cells than the {len(columns)} "
                "columns of its header; the extra '|' were read as part of the "
                "Description (or of the Type, where the pieces read as types)",
            )
        )
    elif len(cells) < len(columns):
        result.diagnostics.append(
            Diagnostic(
                result.page,
                number,
                f"row {line.strip()!r} has {len(cells)} cells but its header has "
                f"{len(columns)}; the missing cells are read as blank",
            )
        )
        cells += [""] * (len(columns) - len(cells))
    values = dict(zip(columns, cells, strict=True))
    return Row(line=number, **values)


def _merge_extra_cells(cells: list[str], columns: tuple[str, ...]) -> list[str]:
    """Fold surplus cells into Description, or into Type when they read as types."""
    where = columns.index("description")
    after = len(columns) - where - 1
    left = cells[:where]
    right = cells[len(cells) - after :] if after else []
    middle = cells[where : len(cells) - after]
    if after and columns[where + 1] == "type":
        # An unbackticked union of links (`[#/definitions/a](#a) | string()`)
        # splits the Type cell; glue type-like pieces back onto it.
        type_parts = [right[0]]
        while len(middle) > 1 and _TYPE_LIKE.match(middle[-1]):
            type_parts.insert(0, middle.pop())
        right[0] = " | ".join(type_parts)
    return [*left, " | ".join(middle), *right]


def _new_table(
    page: Path,
    line: int,
    columns: tuple[str, ...],
    rows: list[Row],
    heading: str | None,
    paragraphs: list[str],
) -> Table:
    """Return a table marked `extra`; `_assign_roles` classifies it later."""
    texts = [p for p in paragraphs if p]
    return Table(
        page=page,
        line=line,
        columns=columns,
        rows=tuple(rows),
        role="extra",
        heading=heading,
        description=texts[0] if len(texts) == 1 else None,
    )


def _assign_roles(tables: list[Table]) -> list[Table]:
    """Mark the main table and the definitions, from the headings above them."""
    names = [_definition_name(t.heading) for t in tables]
    candidates = [
        i
        for i, table in enumerate(tables)
        if names[i] is None and "schema" in (table.heading or "").lower()
    ]
    if not candidates:
        candidates = [i for i, name in enumerate(names) if name is None]
    main = candidates[0] if candidates else None
    classified: list[Table] = []
    for i, table in enumerate(tables):
        if i == main:
            classified.append(replace(table, role="main"))
        elif names[i] is not None:
            classified.append(replace(table, role="definition", name=names[i]))
        else:
            classified.append(table)
    return classified


def _definition_name(heading: str | None) -> str | None:
    """Return the schema id a heading names (`metaflow`, `Schema for x`), or None."""
    plain = (heading or "").strip().strip("`").strip()
    if _SCHEMA_ID.match(plain):
        return plain
    match = _SCHEMA_FOR.match(plain)
    return match.group(1) if match else None
