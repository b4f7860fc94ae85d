"""Build one JSON Schema from the rows of one Kazoo Schema table.

Rows may come in any order: parent first (E0/E1) or children first (E2+). Each key
path is walked from the root, creating missing parents (an object, or an array
before ``[]``), so a parent row that comes late, or never, changes nothing else.

* ``a.b`` → ``properties``; ``a.[]`` → ``items``; ``a./re/`` and raw regexes →
  ``patternProperties``.
* A ``.[]`` row refines the items that its parent's ``array(…)`` gave: its keywords
  win, and a reference or ``oneOf`` in it replaces the parent's item type.
* Required ``true`` adds the last key segment to the enclosing object's
  ``required`` list. It is ignored on ``.[]`` and pattern rows, because they name
  no property.
* Default cells are decoded by the row's parsed type (see `decode_default`). A
  default that is not among the row's enum values (or its items' enum values) is
  dropped with a warning, so the schema never rejects its own default.
* Support Level becomes ``x-support-level``.
* A key on two rows keeps its first row; the later row is skipped with a warning.
* Rows below a key whose row declares a type that cannot hold them (``a.b`` under
  an ``integer()`` row, ``a.[]`` under a ``string()`` row) are skipped with a
  warning, so no schema mixes an integer's keywords with ``properties``.

Output dicts list keywords in the order of `KEYWORD_ORDER` and properties sorted by
name, so the same table always gives the same JSON text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.doctable import Diagnostic, Row, Table
from generator.keypath import ITEMS, Segment, format_key, split_key
from generator.typecell import parse_type, reference_name

KEYWORD_ORDER = (
    "$ref",
    "type",
    "oneOf",
    "anyOf",
    "description",
    "enum",
    "minLength",
    "maxLength",
    "default",
    "items",
    "properties",
    "patternProperties",
    "required",
    "x-support-level",
)
_REPLACING = ("$ref", "oneOf", "anyOf")
_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


@dataclass(slots=True)
class BuiltSchema:
    """A table's JSON Schema, the references it makes and the warnings raised."""

    schema: dict[str, Any]
    references: list[tuple[str, int]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


class _Node:
    """A schema under construction, with keyword layers from weakest to strongest."""

    def __init__(self, placeholder: str | None = None) -> None:
        self.placeholder: dict[str, Any] = {"type": placeholder} if placeholder else {}
        self.line: int | None = None  # of this node's own row
        self.inherited: dict[str, Any] = {}  # from a parent's `array(...)`
        self.own: dict[str, Any] | None = None  # from this node's own row
        self.annotations: dict[str, Any] = {}
        self.required: list[str] = []
        self.properties: dict[str, _Node] = {}
        self.patterns: dict[str, _Node] = {}
        self.items: _Node | None = None

    def child(self, segment: Segment, next_segment: Segment | None) -> _Node:
        """Return the child that `segment` names, creating it when missing."""
        placeholder = None
        if next_segment is not None:
            placeholder = "array" if next_segment.kind == "items" else "object"
        if segment.kind == "items":
            if self.items is None:
                self.items = _Node(placeholder)
            return self.items
        table = self.patterns if segment.kind == "pattern" else self.properties
        if segment.text not in table:
            table[segment.text] = _Node(placeholder)
        return table[segment.text]

    def apply(self, fragment: dict[str, Any], *, own: bool) -> None:
        """Apply a Type cell fragment: `own` for the node's row, else inherited."""
        fragment = dict(fragment)
        items = fragment.pop("items", None)
        if own:
            self.own = {**(self.own or {}), **fragment}
        else:
            self.inherited = fragment
        if isinstance(items, dict):
            if self.items is None:
                self.items = _Node()
            self.items.apply(items, own=False)

    def keywords(self) -> dict[str, Any]:
        """Combine the layers: a stronger one wins, a `$ref` or `oneOf` replaces."""
        layers = [self.inherited, self.own or {}]
        if self.own is None and not self.inherited:
            layers.insert(0, self.placeholder)
        result: dict[str, Any] = {}
        for layer in layers:
            if any(key in layer for key in _REPLACING):
                result = {}
            result.update(layer)
        return result

    def to_schema(self) -> dict[str, Any]:
        """Return the finished JSON Schema dict in `KEYWORD_ORDER`."""
        schema: dict[str, Any] = {**self.keywords(), **self.annotations}
        if self.items is not None:
            schema["items"] = self.items.to_schema()
        if self.properties:
            schema["properties"] = _sorted_children(self.properties)
        if self.patterns:
            schema["patternProperties"] = _sorted_children(self.patterns)
        if self.required:
            schema["required"] = sorted(set(self.required))
        return order_keywords(schema)


def build_schema(table: Table) -> BuiltSchema:
    """Build the JSON Schema that the rows of `table` describe."""
    result = BuiltSchema(schema={})
    root = _Node("object")
    seen: dict[str, int] = {}
    for row in table.rows:
        _add_row(result, table, root, row, seen)
    _skip_misplaced_rows(result, table, root, [])
    schema = root.to_schema()
    if table.description:
        schema["description"] = table.description
    result.schema = order_keywords(schema)
    return result


def decode_default(text: str, schema: dict[str, Any]) -> tuple[Any, bool]:
    """Decode a Default cell for `schema` and return (value, fits).

    ``""`` is the empty string; a backticked value is tried against each type of
    the schema in its order (``string() | integer()`` keeps `` `2000` `` a
    string). An array takes a JSON list, whose elements become the item type, or a
    bare value, which becomes a one-element list (E0 flattened lists). Without a
    type, JSON text is decoded and anything else stays a string. A blank cell gives
    (None, True). `fits` is False when no type accepts the value, which is then
    kept as a string.
    """
    cell = text.strip()
    if not cell:
        return None, True
    if cell in ('""', '`""`'):
        return "", True
    if len(cell) >= 2 and cell.startswith("`") and cell.endswith("`"):
        cell = cell[1:-1]
    types = _types_of(schema)
    if not types:
        return _loads_or_text(cell), True
    for type_name in types:
        decoded = _decode_as(cell, type_name, schema)
        if decoded is not _NO_VALUE:
            return decoded, True
    return cell, False


_NO_VALUE = object()


def order_keywords(schema: dict[str, Any]) -> dict[str, Any]:
    """Return `schema` with known keywords in `KEYWORD_ORDER`, then the rest sorted."""
    known = [key for key in KEYWORD_ORDER if key in schema]
    rest = sorted(key for key in schema if key not in KEYWORD_ORDER)
    return {key: schema[key] for key in (*known, *rest)}


def iter_references(schema: Any) -> Iterator[str]:
    """Yield the schema id of every `$ref` in a JSON Schema, depth first."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield reference_name(value)
            else:
                yield from iter_references(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from iter_references(value)


def _sorted_children(children: dict[str, _Node]) -> dict[str, Any]:
    return {name: children[name].to_schema() for name in sorted(children)}


def _add_row(
    result: BuiltSchema, table: Table, root: _Node, row: Row, seen: dict[str, int]
) -> None:
    """Walk the row's key path from `root` and apply its cells to the last node."""
    segments = split_key(row.key)

    if not segments or any(not s.text and s.kind != "items" for s in segments):
        _warn(
            result,
            table,
            row,
            f"Key cell {row.key!r} is empty or has an empty "
            "segment; the row was skipped. Write the key as `a.b.c`",
        )
        return
    _check_names(result, table, row, segments)

    key = format_key(segments)
    if key in seen:
        _warn(
            result,
            table,
            row,
            f"key {key!r} is also on line {seen[key]}; this row was skipped and "
            f"line {seen[key]} kept. Remove one of the two rows",
        )
        return
    seen[key] = row.line

    parent = root
    for index, segment in enumerate(segments[:-1]):
        parent = parent.child(segment, segments[index + 1])
    node = parent.child(segments[-1], None)
    node.line = row.line

    _apply_type(result, table, row, node)
    _apply_annotations(result, table, row, node, is_items=segments[-1].kind == "items")
    if _is_true(result, table, row) and segments[-1].kind == "name":
        parent.required.append(segments[-1].text)


def _check_names(
    result: BuiltSchema, table: Table, row: Row, segments: list[Segment]
) -> None:
    """Warn about hand-written placeholder keys such as `{IP}` or `by_{view}`."""
    for segment in segments:
        if segment.kind == "name" and re.search(r"[{}\s]", segment.text):
            _warn(
                result,
                table,
                row,
                f"Key cell {row.key!r} holds the placeholder "
                f"{segment.text!r}, not a property name; kept as a property name",
            )


def _apply_type(result: BuiltSchema, table: Table, row: Row, node: _Node) -> None:
    """Parse the Type cell into `node` and record its references."""
    parsed = parse_type(row.type)
    for problem in parsed.problems:
        _warn(result, table, row, problem)
    node.apply(parsed.schema, own=True)
    for name in iter_references(parsed.schema):
        result.references.append((name, row.line))


def _apply_annotations(
    result: BuiltSchema, table: Table, row: Row, node: _Node, *, is_items: bool
) -> None:
    """Set description, default and support level from the row's cells."""
    if row.description:
        node.annotations["description"] = row.description
    if row.default:
        keywords = node.keywords()
        if node.items is not None:
            keywords["items"] = node.items.keywords()
        value, fits = decode_default(row.default, keywords)
        outside = _outside_enum(value, keywords) if fits else None
        if not fits:
            _warn(
                result,
                table,
                row,
                f"Default cell {row.default!r} does not fit "
                f"the Type cell {row.type!r}; kept as the string {value!r}",
            )
        if outside is None:
            node.annotations["default"] = value
        else:
            offender = "it" if outside is value else f"its element {outside!r}"
            _warn(
                result,
                table,
                row,
                f"Default cell {row.default!r} does not fit the Type cell "
                f"{row.type!r} because {offender} is not one of the enum values; "
                "the default was dropped. Use one of the values the Type cell lists",
            )
    support = row.support.strip("`").strip()
    if support and not is_items:
        # A `.[]` row repeats its array's support level, so only the array keeps it.
        node.annotations["x-support-level"] = support


def _outside_enum(value: Any, keywords: dict[str, Any]) -> Any:
    """Return the part of a default that its enum (or items' enum) rejects, or None."""
    enum = keywords.get("enum")
    if isinstance(enum, list) and not _in_enum(value, enum):
        return value
    items = keywords.get("items")
    item_enum = items.get("enum") if isinstance(items, dict) else None
    if isinstance(value, list) and isinstance(item_enum, list):
        for element in value:
            if not _in_enum(element, item_enum):
                return element
    return None


def _in_enum(value: Any, enum: list[Any]) -> bool:
    """Compare as JSON does: `1` is not `true`, and `"1"` is not `1`."""
    text = json.dumps(value, sort_keys=True)
    return any(json.dumps(option, sort_keys=True) == text for option in enum)


def _skip_misplaced_rows(
    result: BuiltSchema, table: Table, node: _Node, path: list[Segment]
) -> None:
    """Drop the rows below `node` that its declared type cannot hold, depth first."""
    declared = node.keywords().get("type")
    types = [declared] if isinstance(declared, str) else declared
    if isinstance(types, list):
        type_text = " | ".join(types)
        if "object" not in types:
            children = [
                *((Segment("name", n), c) for n, c in node.properties.items()),
                *((Segment("pattern", n), c) for n, c in node.patterns.items()),
            ]
            for segment, child in children:
                where = [*path, segment]
                _warn_skipped(
                    result, table, child, where, path, f"{type_text}, not object"
                )
            node.properties.clear()
            node.patterns.clear()
            node.required.clear()
        if "array" not in types and node.items is not None:
            where = [*path, ITEMS]
            _warn_skipped(
                result, table, node.items, where, path, f"{type_text}, not array"
            )
            node.items = None

    for name, child in node.properties.items():
        _skip_misplaced_rows(result, table, child, [*path, Segment("name", name)])
    for name, child in node.patterns.items():
        _skip_misplaced_rows(result, table, child, [*path, Segment("pattern", name)])
    if node.items is not None:
        _skip_misplaced_rows(result, table, node.items, [*path, ITEMS])


def _warn_skipped(
    result: BuiltSchema,
    table: Table,
    child: _Node,
    child_path: list[Segment],
    parent_path: list[Segment],
    allowed: str,
) -> None:
    """Warn once about a skipped subtree, at the line of its first row."""
    lines = sorted(_subtree_lines(child))
    if not lines:
        return  # an item schema from the parent's own `array(...)`, not a row
    below = len(lines) - 1
    skipped = f"the row and {below} more below it were" if below else "the row was"
    parent = format_key(parent_path)
    result.diagnostics.append(
        Diagnostic(
            table.page,
            lines[0],
            f"key {format_key(child_path)!r} is below {parent!r}, whose type is "
            f"{allowed}; {skipped} skipped. Fix the Type cell of {parent!r} or the key",
        )
    )


def _subtree_lines(node: _Node) -> list[int]:
    """Return the row lines of `node` and every node below it."""
    lines = [node.line] if node.line is not None else []
    children = [*node.properties.values(), *node.patterns.values()]
    if node.items is not None:
        children.append(node.items)
    for child in children:
        lines += _subtree_lines(child)
    return lines


def _is_true(result: BuiltSchema, table: Table, row: Row) -> bool:
    """Read the Required cell: `true`, `false` or blank; warn on anything else."""
    value = row.required.strip("`").strip().lower()
    if value not in ("true", "false", ""):
        required = value in ("yes", "y", "required")
        _warn(
            result,
            table,
            row,
            f"Required cell {row.required!r} is not `true` "
            f"or `false`; read as {'required' if required else 'not required'}",
        )
        return required
    return value == "true"


def _warn(result: BuiltSchema, table: Table, row: Row, message: str) -> None:
    result.diagnostics.append(Diagnostic(table.page, row.line, message))


def _types_of(schema: dict[str, Any]) -> list[str]:
    """List the JSON types a schema allows, in its own order."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [t for t in declared if isinstance(t, str)]
    types: list[str] = []
    for alternative in schema.get("oneOf", []) + schema.get("anyOf", []):
        for type_name in _types_of(alternative):
            if type_name not in types:
                types.append(type_name)
    if "enum" in schema and not types:
        types.append("string")
    return types


def _decode_as(cell: str, type_name: str, schema: dict[str, Any]) -> Any:
    """Decode `cell` as one JSON type, or return `_NO_VALUE` if it does not fit."""
    if type_name == "string":
        if len(cell) > 2 and cell.startswith('"') and cell.endswith('"'):
            # A hand-written JSON string literal (`"manual"`). Kazoo writes `manual`.
            literal = _loads_or(cell, str)
            return cell if literal is _NO_VALUE else literal
        return cell
    if type_name == "boolean" and cell in ("true", "false"):
        return cell == "true"
    if type_name == "integer" and _INTEGER.fullmatch(cell):
        return int(cell)
    if type_name == "number" and _NUMBER.fullmatch(cell):
        return int(cell) if _INTEGER.fullmatch(cell) else float(cell)
    if type_name == "null" and cell == "null":
        return None
    if type_name == "object" and cell.startswith("{"):
        return _loads_or(cell, dict)
    if type_name == "array":
        return _decode_list(cell, schema.get("items"))
    return _NO_VALUE


def _decode_list(cell: str, items: Any) -> list[Any]:
    """Decode a list default, reading a bare value as an E0 flattened list."""
    loaded = _loads_or(cell, list) if cell.startswith("[") else _NO_VALUE
    value: list[Any] = loaded if isinstance(loaded, list) else [cell]
    item_schema = items if isinstance(items, dict) else {}
    decoded = []
    for element in value:
        if isinstance(element, str) and _types_of(item_schema):
            element, _ = decode_default(f"`{element}`", item_schema)
        decoded.append(element)
    return decoded


def _loads_or(cell: str, expected: type) -> Any:
    try:
        value = json.loads(cell)
    except ValueError:
        return _NO_VALUE
    return value if isinstance(value, expected) else _NO_VALUE


def _loads_or_text(cell: str) -> Any:
    try:
        return json.loads(cell)
    except ValueError:
        return cell
