"""Measure how faithfully derived schemas match the Kazoo JSON schemas behind the pages.

A corpus folder contains doc pages, Kazoo JSON schemas and a ``MANIFEST.json`` that
pairs them (``{"pairs": [{"doc": "crossbar-doc/x.md", "schema": "schemas/x.json"}]}``).
For each pair, the page's main table and every sub-section table named after a
schema in the corpus are derived and compared with the schemas, keyword by keyword.

Only what a table can carry is compared: ``type``, ``properties``,
``patternProperties``, ``items``, ``required``, ``enum``, ``minLength``,
``maxLength``, ``default``, ``description``, ``$ref``, the ``oneOf``/``anyOf``
alternatives a Type cell spells, and ``x-support-level``. `carried_schema` reduces a
Kazoo schema to that form the way Kazoo's doc generator (4.3) renders it.

A Type cell spells ``oneOf`` and ``anyOf`` alike (``a | b``), and derive writes
every such union as ``anyOf`` (see `generator.typecell`). The comparison therefore
counts either combinator as the one keyword ``oneOf|anyOf``, the number of its
alternatives, and the alternatives in order. Alternatives of a Kazoo ``oneOf`` that
reduce to the same carried keywords (ips' ``ipv4`` and ``ipv6`` strings both reduce
to ``{"type": "string"}``) count once, because the table spells them identically.

Command line::

    python -m generator.accuracy CORPUS_DIR [--verbose]

prints one line per pair, the totals per era and overall, and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.derive import PAGE_RENAMES, derive_schemas, load_kazoo_schema
from generator.doctable import Row, Table, read_tables
from generator.errors import CallflowKitError
from generator.jsonschema import decode_default, order_keywords
from generator.keypath import Segment, split_key
from generator.typecell import decode_enum_value, merge_alternatives, reference_name

UNION_KEYWORD = "oneOf|anyOf"

Loader = Callable[[str], dict[str, Any] | None]
Entries = dict[tuple[str, str], Any]

_LEAF_KEYWORDS = (
    "$ref",
    "type",
    "description",
    "enum",
    "minLength",
    "maxLength",
    "default",
    "required",
    "x-support-level",
)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One keyword that differs: where, which, and both values (None if absent)."""

    schema: str
    pointer: str
    keyword: str
    expected: Any
    derived: Any

    def __str__(self) -> str:
        return (
            f"{self.schema}{self.pointer or '/'} {self.keyword}: expected "
            f"{self.expected!r}, derived {self.derived!r}"
        )


@dataclass(slots=True)
class PairResult:
    """The comparison of one doc page with its Kazoo schema(s)."""

    doc: str
    schema: str
    era: str
    compared: list[str] = field(default_factory=list)
    matches: int = 0
    total: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    error: str | None = None

    @property
    def exact(self) -> bool:
        """Tell whether every compared keyword matched and the page derived."""
        return self.error is None and self.matches == self.total


@dataclass(slots=True)
class AccuracyReport:
    """Per-pair results, with totals per era and overall."""

    pairs: list[PairResult] = field(default_factory=list)

    def summary(self, pairs: Sequence[PairResult] | None = None) -> dict[str, int]:
        """Return keyword matches and exact pairs over `pairs` (default: all)."""
        chosen = self.pairs if pairs is None else pairs
        return {
            "pairs": len(chosen),
            "exact": sum(1 for p in chosen if p.exact),
            "matches": sum(p.matches for p in chosen),
            "keywords": sum(p.total for p in chosen),
        }

    def by_era(self) -> dict[str, dict[str, int]]:
        """Return `summary` per era of the page's main table."""
        eras = sorted({p.era for p in self.pairs})
        return {
            era: self.summary([p for p in self.pairs if p.era == era]) for era in eras
        }

    def format(self, *, verbose: bool = False) -> str:
        """Render the report as text: one line per pair, then the totals."""
        lines = []
        for pair in self.pairs:
            state = "exact" if pair.exact else "differs"
            lines.append(
                f"{pair.doc:<45} {pair.era:<3} {pair.matches:>5}/{pair.total:<5} "
                f"{state}{' ' + pair.error if pair.error else ''}"
            )
            if verbose:
                lines += [f"    {mismatch}" for mismatch in pair.mismatches]
        for era, totals in self.by_era().items():
            lines.append(f"era {era}: {_format_totals(totals)}")
        lines.append(f"total: {_format_totals(self.summary())}")
        return "\n".join(lines)


def load_pairs(corpus: Path) -> list[tuple[str, str]]:
    """Return the (doc, schema) pairs of MANIFEST.json that name a schema."""
    manifest = json.loads((corpus / "MANIFEST.json").read_text(encoding="utf-8"))
    return [
        (pair["doc"], pair["schema"])
        for pair in manifest["pairs"]
        if pair.get("schema") is not None
    ]


def measure(corpus: Path, docs: Sequence[str] | None = None) -> AccuracyReport:
    """Compare every MANIFEST pair of `corpus` (or only the pages in `docs`)."""
    report = AccuracyReport()
    for doc, schema in load_pairs(corpus):
        if docs is None or doc in docs:
            report.pairs.append(compare_pair(corpus, doc, schema))
    return report


def compare_pair(corpus: Path, doc: str, schema: str) -> PairResult:
    """Derive page `doc` and compare it with `schema` and its sub-section schemas."""
    schema_dir = (corpus / schema).parent
    page = corpus / doc
    main_id = Path(schema).stem
    result = PairResult(doc=doc, schema=schema, era=_page_era(page))
    try:
        derived = derive_schemas([page], [schema_dir], name_page=lambda _: main_id)
    except CallflowKitError as exc:
        result.error = str(exc)
        return result
    loader = _schema_loader(schema_dir)
    for schema_id, source in sorted(derived.sources.items()):
        if source.page != page or loader(schema_id) is None:
            continue
        expected = carried_schema(loader(schema_id) or {}, loader)
        actual = carried_derived(derived.schemas[schema_id])
        _compare(result, schema_id, expected, actual)
    return result


def carried_schema(schema: dict[str, Any], loader: Loader) -> dict[str, Any]:
    """Reduce a Kazoo schema to what its doc table carries (4.3 generator rules)."""
    node = _carried_node(schema, loader, in_pattern=False)
    # A table lists the properties of an object; the root's own Type cell (and
    # any `oneOf` there) is never printed.
    root = {"type": "object"}
    for key in ("description", "properties", "patternProperties", "required"):
        if key in node:
            root[key] = node[key]
    return order_keywords(root)


def carried_derived(schema: dict[str, Any]) -> dict[str, Any]:
    """Reduce a derived schema to the keywords `carried_schema` keeps."""
    result: dict[str, Any] = {}
    for key in _LEAF_KEYWORDS:
        if key in schema:
            result[key] = schema[key]
    if result.get("minLength") == 0:
        del result["minLength"]
    if isinstance(result.get("required"), list):
        result["required"] = sorted(result["required"])
    for combinator in ("oneOf", "anyOf"):
        if isinstance(schema.get(combinator), list):
            result[combinator] = [carried_derived(a) for a in schema[combinator]]
    if isinstance(schema.get("items"), dict):
        items = carried_derived(schema["items"])
        if items:
            result["items"] = items
    for key in ("properties", "patternProperties"):
        if isinstance(schema.get(key), dict) and schema[key]:
            result[key] = {n: carried_derived(c) for n, c in schema[key].items()}
    return order_keywords(result)


def detect_era(table: Table) -> str:
    """Guess the generator era (E0 to E3) of a table from its spellings."""
    if "support" in table.columns:
        return "E3"
    types = " ".join(row.type for row in table.rows)
    keys = " ".join(row.key for row in table.rows)
    if "()" in types or " | " in types:
        return "E2"
    if "](#" in types or "/." in keys or keys.endswith("/`"):
        return "E1"
    return "E0"


def generator_output_pages(corpus: Path) -> list[str]:
    """List the MANIFEST doc pages whose tables equal their `ref/` page's tables.

    Kazoo's `ref/` pages are pure generator output. A doc page with the same tables
    is generator output too, so its derived schemas should match the JSON schemas.
    """
    pages = []
    for doc, _ in load_pairs(corpus):
        path = corpus / doc
        if path.parent.name == "ref":
            continue
        ref_page = path.parent / "ref" / path.name
        renamed = path.parent / "ref" / f"{PAGE_RENAMES.get(path.stem, path.stem)}.md"
        ref_page = renamed if renamed.is_file() else ref_page
        if (
            ref_page.is_file()
            and _signature(path)
            and _signature(path) == _signature(ref_page)
        ):
            pages.append(doc)
    return pages


def _signature(page: Path) -> list[Any]:
    """Return a page's tables without line numbers, for comparing two pages."""
    return [
        (table.columns, table.role, table.name, [_row_cells(r) for r in table.rows])
        for table in read_tables(page).tables
    ]


def _row_cells(row: Row) -> tuple[str, ...]:
    return (row.key, row.description, row.type, row.default, row.required, row.support)


def _page_era(page: Path) -> str:
    try:
        main = read_tables(page).main
    except OSError:
        return "?"
    return detect_era(main) if main is not None else "?"


def _schema_loader(folder: Path) -> Loader:
    cache: dict[str, dict[str, Any] | None] = {}

    def load(name: str) -> dict[str, Any] | None:
        if name not in cache:
            path = folder / f"{name}.json"
            cache[name] = load_kazoo_schema(path) if path.is_file() else None
        return cache[name]

    return load


def _carried_node(
    schema: dict[str, Any], loader: Loader, *, in_pattern: bool
) -> dict[str, Any]:
    """Reduce one property schema to its row and the rows below it."""
    node = _type_cell(schema)
    description = schema.get("description")
    if description is None and "$ref" in schema:
        # Kazoo 4.3 prints the referenced schema's description when a row has none.
        target = loader(reference_name(schema["$ref"]))
        description = target.get("description") if target else None
    if isinstance(description, str) and description.strip():
        node["description"] = description.strip()
    level = schema.get("support_level")
    if isinstance(level, str) and level and not in_pattern:
        node["x-support-level"] = level
    _carry_children(node, schema, loader)
    if in_pattern:
        # 4.3 tables never show a pattern key's own `required` list: allotments'
        # `^\w+$` requires `amount`, yet its `^\w+$.amount` row reads `false`.
        node.pop("required", None)
    if isinstance(schema.get("items"), dict):
        items = _carried_items(schema["items"], loader)
        if items:
            node["items"] = items
    if "default" in schema:
        node["default"] = _table_default(schema["default"], node)
    return order_keywords(node)


def _carried_items(items: dict[str, Any], loader: Loader) -> dict[str, Any]:
    """Reduce an `items` schema: its type, and child rows when it is an object."""
    if not any(key in items for key in ("type", "$ref", "oneOf")):
        return {}  # Kazoo prints `array()` and no `.[]` row
    node = _type_cell(items)
    _carry_children(node, items, loader)
    if isinstance(items.get("items"), dict):
        inner = _carried_items(items["items"], loader)
        if inner:
            node["items"] = inner
    return order_keywords(node)


def _carry_children(
    node: dict[str, Any], schema: dict[str, Any], loader: Loader
) -> None:
    """Add the child rows of `schema`, flattening `anyOf` branches into them."""
    properties = dict(schema.get("properties") or {})
    patterns: dict[str, Any] = {}
    for name, child in (schema.get("patternProperties") or {}).items():
        # A pattern without regex syntax (`local`) reads as a property name.
        plain = split_key(f"`{name}`") == [Segment("name", name)]
        (properties if plain else patterns)[name] = child
    for branch in schema.get("anyOf") or []:
        if isinstance(branch, dict) and "type" in schema:
            target = branch
            if "$ref" in branch:
                target = loader(reference_name(branch["$ref"])) or {}
            properties.update(target.get("properties") or {})
            patterns.update(target.get("patternProperties") or {})
    if properties:
        node["properties"] = {
            name: _carried_node(child, loader, in_pattern=False)
            for name, child in properties.items()
            if isinstance(child, dict)
        }
    if patterns:
        node["patternProperties"] = {
            name: _carried_node(child, loader, in_pattern=True)
            for name, child in patterns.items()
            if isinstance(child, dict)
        }
    required = schema.get("required")
    if isinstance(required, list):
        names = sorted(n for n in required if n in node.get("properties", {}))
        if names:
            node["required"] = names


def _type_cell(schema: dict[str, Any]) -> dict[str, Any]:
    """Return the keywords a Type cell shows for `schema`.

    A `type` wins over a `$ref` or `oneOf` next to it. An enum shows only on
    strings, or alone (then as a string enum), and it hides minLength/maxLength.
    """
    declared = schema.get("type")
    if "$ref" in schema and declared is None:
        return {"$ref": schema["$ref"]}
    one_of = schema.get("oneOf")
    if declared is None and isinstance(one_of, list):
        alternatives = [_type_cell(a) for a in one_of if isinstance(a, dict)]
        if len(alternatives) == 1:
            return alternatives[0]
        return merge_alternatives(alternatives, combinator="oneOf")
    types = [declared] if isinstance(declared, str) else list(declared or [])
    if not types and "enum" in schema:
        types = ["string"]
    node: dict[str, Any] = {}
    if types:
        node["type"] = types[0] if len(types) == 1 else types
    if "string" in types:
        if isinstance(schema.get("enum"), list):
            values = [_to_text(v) for v in schema["enum"]]
            if len(types) > 1:
                values = [decode_enum_value(v, types) for v in values]
            node["enum"] = values
        for key in ("minLength", "maxLength"):
            if "enum" not in node and isinstance(schema.get(key), int) and schema[key]:
                node[key] = schema[key]
    if "array" in types and isinstance(schema.get("items"), dict):
        items = schema["items"]
        if "$ref" in items or "type" in items or "oneOf" in items:
            node["items"] = _type_cell(items)
    return node


def _to_text(value: Any) -> str:
    """Spell a JSON value as Kazoo's `to_binary` does in an enum."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _table_default(value: Any, node: dict[str, Any]) -> Any:
    """Return the default a reader recovers from the table's spelling of `value`."""
    if value == "":
        return ""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    decoded, _ = decode_default(f"`{text}`", node)
    return decoded


def _compare(
    result: PairResult, schema_id: str, expected: dict[str, Any], actual: dict[str, Any]
) -> None:
    """Add one schema's keyword comparison to `result`."""
    result.compared.append(schema_id)
    wanted = dict(_entries(expected, ""))
    found = dict(_entries(actual, ""))
    for key in sorted(set(wanted) | set(found)):
        result.total += 1
        if key in wanted and key in found and _same(wanted[key], found[key]):
            result.matches += 1
        else:
            result.mismatches.append(
                Mismatch(schema_id, key[0], key[1], wanted.get(key), found.get(key))
            )


def _same(expected: Any, derived: Any) -> bool:
    """Compare JSON values strictly: `0` differs from `0.0` and `1` from `true`."""
    return json.dumps(expected, sort_keys=True) == json.dumps(derived, sort_keys=True)


def _entries(
    schema: dict[str, Any], pointer: str
) -> Iterator[tuple[tuple[str, str], Any]]:
    """Flatten a carried schema into ((pointer, keyword), value) pairs."""
    for key in _LEAF_KEYWORDS:
        if key in schema:
            yield (pointer, key), schema[key]
    for key in ("properties", "patternProperties"):
        children = schema.get(key)
        if isinstance(children, dict):
            yield (pointer, key), sorted(children)
            for name in sorted(children):
                escaped = name.replace("~", "~0").replace("/", "~1")
                yield from _entries(children[name], f"{pointer}/{key}/{escaped}")
    if isinstance(schema.get("items"), dict):
        yield (pointer, "items"), True
        yield from _entries(schema["items"], f"{pointer}/items")
    for key in ("oneOf", "anyOf"):
        alternatives = schema.get(key)
        if isinstance(alternatives, list):
            yield (pointer, UNION_KEYWORD), len(alternatives)
            for index, alternative in enumerate(alternatives):
                yield from _entries(alternative, f"{pointer}/{UNION_KEYWORD}/{index}")


def _format_totals(totals: dict[str, int]) -> str:
    share = 100 * totals["matches"] / totals["keywords"] if totals["keywords"] else 100
    return (
        f"{totals['exact']}/{totals['pairs']} pairs exact, "
        f"{totals['matches']}/{totals['keywords']} keywords ({share:.1f}%)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the accuracy report of a corpus folder and return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m generator.accuracy",
        description="Compare schemas derived from Kazoo doc pages with Kazoo's own.",
    )
    parser.add_argument("corpus", type=Path, help="folder that contains MANIFEST.json")
    parser.add_argument(
        "--verbose", action="store_true", help="list every keyword that differs"
    )
    parser.add_argument(
        "--generator-output",
        action="store_true",
        help="only pages whose tables equal their ref/ page's tables",
    )
    args = parser.parse_args(argv)
    docs = generator_output_pages(args.corpus) if args.generator_output else None
    report = measure(args.corpus, docs)
    print(report.format(verbose=args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
