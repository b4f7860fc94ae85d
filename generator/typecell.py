"""Parse the Type cell of a Kazoo Schema table, in every era's notation, to JSON Schema.

Grammar (backticks removed first; a cell that is a JSON list of strings, Kazoo's
``["array(", "[#/definitions/x](#x)", ")"]`` spelling, is joined into one text)::

    union     = alt { SEP alt }
    SEP       = ", "  (E0/E1 type list)  | " | " | "|"  (E2+ type list or oneOf)
              | " || "  (anyOf; the union rules below treat every SEP alike)
    alt       = PRIM [ "()" ]                          bare (E0/E1) or with "()" (E2+)
              | "string(" ( range | enum ) ")"
              | "array(" [ union ] ")"                 items; "array()" has no items
              | "[#/definitions/" NAME "](#" ANCHOR ")"   linked reference (E1+)
              | "#/definitions/" NAME                  backticked reference (E0)
    PRIM      = "string" | "object" | "boolean" | "integer" | "number" | "null"
              | "array"
    range     = INT ".." INT | INT ".." | INT          minLength..maxLength;
                                                       "0.." means no minLength
    enum      = QUOTED { ( ", " | " | " | "|" ) QUOTED }

A union accepts every value that any of its alternatives accepts:

1. An alternative equal to an earlier one is dropped (``string()|string()`` is one
   ``string``), and a single remaining alternative is the whole schema.
2. Alternatives of distinct primitive types, each constrained only by keywords of
   its own type, merge into one ``{"type": [...]}`` with their constraints. Kazoo
   writes a type list and a ``oneOf`` the same way. An enum applies to every type
   of a type list, so a union with ``string('...')`` merges only when its other
   alternatives are ``boolean()`` and the enum lists both ``'true'`` and
   ``'false'``: ``boolean() | string('true' | 'false' | 'auto')`` is how Kazoo
   prints ``{"type": ["boolean", "string"], "enum": [true, false, "auto"]}``.
3. Any other union becomes ``anyOf``, whatever its separator. Kazoo's ``oneOf``
   branches can be exclusive through keywords a table never shows (``format``,
   ``pattern``), so alternatives read from a table may overlap
   (``string() | string('zone')``), and ``oneOf`` would reject every value that
   matches more than one of them.

A range whose minimum is above its maximum (``string(5..2)``) fits no string, so
both bounds are dropped and the cell is reported.

Enum values of a union that also allows booleans or numbers are decoded to them
(``'true'`` → ``true``).

Hand-written spellings (``'a' or 'b'``, `` `string` or `boolean` ``) are read
where possible and reported in ``TypeCell.problems``; a cell that fits nothing gives
an empty schema and a problem, never an exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PRIMITIVES = ("string", "object", "boolean", "integer", "number", "null", "array")
DEFINITIONS_PREFIX = "#/definitions/"

_LINK = re.compile(r"\[((?:#/definitions/)+)([^\]]*)\]\(([^)]*)\)")
_BARE_REF = re.compile(r"(?:#/definitions/)+([A-Za-z0-9_.\-]+)")
_IDENT = re.compile(r"[A-Za-z]+")
_RANGE = re.compile(r"(\d+)(\.\.(\d+)?)?")
_SEPARATOR = re.compile(r"\s*(\|\||\||,)\s*|\s+(or)\s+")
_STRING_KEYWORDS = ("enum", "minLength", "maxLength")


@dataclass(frozen=True, slots=True)
class TypeCell:
    """A parsed Type cell: its JSON Schema fragment and any spelling problems."""

    schema: dict[str, Any]
    problems: tuple[str, ...] = ()


class _InvalidType(ValueError):
    """Raised inside the parser when the text fits no rule of the grammar."""


def parse_type(cell: str) -> TypeCell:
    """Parse a Type cell (`` `array(string(1..36))` ``) into a JSON Schema fragment."""
    text = _unwrap(cell.strip())
    if not text:
        return TypeCell({})
    parser = _Parser(text, cell.strip())
    try:
        schema = parser.parse()
    except _InvalidType:
        return _fallback(cell, text)
    return TypeCell(schema, tuple(parser.problems))


def merge_alternatives(
    alternatives: Sequence[dict[str, Any]], combinator: str = "anyOf"
) -> dict[str, Any]:
    """Merge union alternatives by the module's union rules.

    Duplicates are dropped, distinct primitives become a type list, and the rest
    goes under `combinator`. Only the accuracy check passes ``oneOf``, to keep the
    keyword of the Kazoo schema it reduces.
    """
    unique: list[dict[str, Any]] = []
    for alternative in alternatives:
        if alternative not in unique:
            unique.append(alternative)
    if len(unique) == 1:
        return dict(unique[0])
    if _mergeable(unique):
        types = [alt["type"] for alt in unique]
        merged: dict[str, Any] = {"type": types}
        for alt in unique:
            for key, value in alt.items():
                if key != "type":
                    merged[key] = value
        if "enum" not in merged:
            return merged
        merged["enum"] = [decode_enum_value(v, types) for v in merged["enum"]]
        if _enum_keeps_types(merged["enum"], types):
            return merged
    return {combinator: unique}


def reference_name(reference: str) -> str:
    """Return the schema id of a `#/definitions/<id>` reference."""
    while reference.startswith(DEFINITIONS_PREFIX):
        reference = reference[len(DEFINITIONS_PREFIX) :]
    return reference


def _mergeable(alternatives: Sequence[dict[str, Any]]) -> bool:
    """Tell whether every alternative is one distinct primitive type, refs excluded."""
    types: list[str] = []
    for alt in alternatives:
        if not isinstance(alt.get("type"), str) or "$ref" in alt:
            return False
        if any(key in alt for key in ("oneOf", "anyOf")):
            return False
        if alt["type"] != "string" and any(k in alt for k in _STRING_KEYWORDS):
            return False
        types.append(alt["type"])
    return len(set(types)) == len(types)


def _enum_keeps_types(enum: list[Any], types: Sequence[str]) -> bool:
    """Tell whether an enum on a type list still admits every non-string value.

    Only booleans can be listed in full, so any other non-string type fails.
    """
    for type_name in types:
        if type_name == "string":
            continue
        if type_name != "boolean":
            return False
        if not (any(v is True for v in enum) and any(v is False for v in enum)):
            return False
    return True


def decode_enum_value(value: Any, types: Sequence[str]) -> Any:
    """Turn an enum string back into the boolean or number a type list allows."""
    if not isinstance(value, str):
        return value
    if "boolean" in types and value in ("true", "false"):
        return value == "true"
    if ("integer" in types or "number" in types) and re.fullmatch(r"-?\d+", value):
        return int(value)
    if "number" in types and re.fullmatch(r"-?\d+\.\d+", value):
        return float(value)
    return value


def _unwrap(text: str) -> str:
    """Remove backticks, and join Kazoo's JSON-list spelling of a cell."""
    if text.startswith("`") and text.endswith("`") and text.count("`") == 2:
        text = text[1:-1].strip()
    else:
        text = text.replace("`", "").strip()
    if text.startswith('["') and text.endswith("]"):
        try:
            parts = json.loads(text)
        except ValueError:
            return text
        if isinstance(parts, list) and all(isinstance(p, str) for p in parts):
            return "".join(parts)
    return text


def _fallback(cell: str, text: str) -> TypeCell:
    """Keep the leading primitive of an unreadable cell and report the cell."""
    match = _IDENT.match(text)
    schema: dict[str, Any] = {}
    if match and match.group(0) in PRIMITIVES:
        schema = {"type": match.group(0)}
    problem = (
        f"Type cell {cell.strip()!r} fits no Kazoo notation; kept "
        f"{json.dumps(schema)} from it. Write it as the generator does, e.g. "
        "`string('a' | 'b')` or `boolean() | string()`"
    )
    return TypeCell(schema, (problem,))


class _Parser:
    """A recursive-descent parser over the unwrapped text of one Type cell."""

    def __init__(self, text: str, cell: str) -> None:
        self.text = text
        self.cell = cell
        self.pos = 0
        self.problems: list[str] = []

    def parse(self) -> dict[str, Any]:
        schema = self.union()
        rest = self.text[self.pos :].strip()
        if rest and not rest.strip("|"):
            self.problems.append(
                f"Type cell {self.cell!r} ends with a stray '|'; it was ignored"
            )
        elif rest:
            raise _InvalidType(self.text)
        return schema

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def union(self) -> dict[str, Any]:
        alternatives = [self.alternative()]
        while self.separator() is not None:
            alternatives.append(self.alternative())
        if len(alternatives) == 1:
            return alternatives[0]
        return merge_alternatives(alternatives)

    def separator(self) -> str | None:
        match = _SEPARATOR.match(self.text, self.pos)
        if not match or match.end() == len(self.text):
            return None
        if match.group(2):
            self.note_or()
        self.pos = match.end()
        return match.group(1) or "|"

    def note_or(self) -> None:
        if any("'or'" in problem for problem in self.problems):
            return
        self.problems.append(
            f"Type cell {self.cell!r} separates alternatives with 'or'; the generator "
            "writes ' | ' (read here as ' | ')"
        )

    def alternative(self) -> dict[str, Any]:
        self.skip_spaces()
        rest = self.text[self.pos :]
        link = _LINK.match(rest)
        if link:
            self.pos += link.end()
            return {"$ref": DEFINITIONS_PREFIX + link.group(2).strip()}
        bare = _BARE_REF.match(rest)
        if bare:
            self.pos += bare.end()
            return {"$ref": DEFINITIONS_PREFIX + bare.group(1)}
        if rest[:1] in ("'", '"'):
            self.problems.append(
                f"Type cell {self.cell!r} has a bare quoted value; read as a "
                "one-value enum. The generator writes `string('value')`"
            )
            return {"enum": self.quoted_values()}
        if rest.startswith("enum("):
            self.problems.append(
                f"Type cell {self.cell!r} spells an enum as enum(...); read as a "
                "string enum. The generator writes `string('a' | 'b')`"
            )
            self.pos += len("enum(")
            values = self.quoted_values()
            self.expect(")")
            return {"type": "string", "enum": values}
        return self.primitive()

    def primitive(self) -> dict[str, Any]:
        match = _IDENT.match(self.text, self.pos)
        if not match or match.group(0) not in PRIMITIVES:
            raise _InvalidType(self.text)
        name = match.group(0)
        self.pos = match.end()
        schema: dict[str, Any] = {"type": name}
        if not self.text.startswith("(", self.pos):
            return schema
        self.pos += 1
        if self.text.startswith(")", self.pos):
            self.pos += 1
            return schema
        if name == "string":
            schema.update(self.string_arguments())
        elif name == "array":
            schema["items"] = self.union()
        else:
            raise _InvalidType(self.text)
        self.skip_spaces()
        self.expect(")")
        return schema

    def expect(self, literal: str) -> None:
        if not self.text.startswith(literal, self.pos):
            raise _InvalidType(self.text)
        self.pos += len(literal)

    def string_arguments(self) -> dict[str, Any]:
        if self.text[self.pos : self.pos + 1] in ("'", '"'):
            return {"enum": self.quoted_values()}
        match = _RANGE.match(self.text, self.pos)
        if not match:
            raise _InvalidType(self.text)
        self.pos = match.end()
        low = int(match.group(1))
        if match.group(2) is None:
            return {"minLength": low, "maxLength": low}
        high = int(match.group(3)) if match.group(3) is not None else None
        if high is not None and low > high:
            self.problems.append(
                f"Type cell {self.cell!r} sets minLength {low} above maxLength "
                f"{high}, so no string fits; both bounds were dropped. Write "
                "`string(MIN..MAX)` with MIN <= MAX"
            )
            return {}
        bounds: dict[str, Any] = {}
        if low:
            bounds["minLength"] = low
        if high is not None:
            bounds["maxLength"] = high
        return bounds

    def quoted_values(self) -> list[str]:
        values = [self.quoted()]
        while True:
            match = _SEPARATOR.match(self.text, self.pos)
            if not match or self.text[match.end() : match.end() + 1] not in "'\"":
                return values
            if match.group(2):
                self.note_or()
            self.pos = match.end()
            values.append(self.quoted())

    def quoted(self) -> str:
        quote = self.text[self.pos]
        start = self.pos + 1
        index = start
        while True:
            index = self.text.find(quote, index)
            if index == -1:
                raise _InvalidType(self.text)
            after = self.text[index + 1 :].lstrip(" ")
            if not after or after[0] in ",|)" or after.startswith("or "):
                break
            index += 1
        value = self.text[start:index]
        if quote in value:
            raise _InvalidType(self.text)  # e.g. a range of quoted characters
        self.pos = index + 1
        return value
