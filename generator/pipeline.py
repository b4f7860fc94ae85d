"""The `derive` command: doc pages to the OpenAPI document or the JSON Schema.

A source folder is read by this layout (`spec/source/` is the default source):

- `*.md`: API doc pages, each naming its main schema as Kazoo does
  (`callflows.md` documents `callflows`);
- `modules/*.md`: callflow module doc pages, whose main schema is
  `callflows.<stem>` (`modules/user.md` documents `callflows.user`, the schema of
  a `user` node's `data`);
- `schemas/*.json`: Kazoo JSON schemas, each added under its file stem
  (`callflows.disa.json` → `callflows.disa`) unless a page defines that id. The
  folder also resolves references the pages leave undefined.

A `callflows` page that defines the flow node inline as `flow` (Kazoo 4.0's
page) also defines `callflows.action`, the id under which Kazoo's JSON schemas
refer to the node (`metaflows.callflow` runs a flow).

`README.md` files are documentation and never read as pages. A page given as a
file is named by the same rule: by its folder if that is called `modules`.

`render_spec` and `render_json_schema` return the exact text `run_derive` writes,
so the drift check can compare it with the committed file. They log the warnings,
and `run_derive` writes them to stderr as `PAGE:LINE: warning: MESSAGE`, even when
derive fails.
"""

from __future__ import annotations

import json
import logging
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.derive import (
    DerivedSchemas,
    ProgressCallback,
    SchemaSource,
    derive_schemas,
    json_schema_document,
    load_kazoo_schema,
    page_schema_id,
)
from generator.doctable import Diagnostic
from generator.errors import (
    DeriveError,
    NoSchemaError,
    UnresolvedReference,
    UnresolvedReferenceError,
)
from generator.jsonschema import iter_references
from generator.openapi import CALLFLOWS, FLOW_NODE, build_openapi, flow_node_from_page
from generator.typecell import DEFINITIONS_PREFIX

logger = logging.getLogger(__name__)

DEFAULT_SPEC = Path("spec/callflows.openapi.yaml")
MODULES_FOLDER = "modules"
SCHEMAS_FOLDER = "schemas"
MODULE_SCHEMA_PREFIX = "callflows."
README = "README.md"
HEADER_WIDTH = 88
DO_NOT_EDIT = "Do not edit: change the source pages, then run `callflow-kit derive`."

WarningHandler = Callable[[Diagnostic], None]


def log_warning(warning: Diagnostic) -> None:
    """Log a derive warning on this module's logger."""
    logger.warning("%s", warning)


def print_warning(warning: Diagnostic) -> None:
    """Write a derive warning to stderr as `PAGE:LINE: warning: MESSAGE`."""
    sys.stderr.write(f"{warning}\n")


@dataclass(slots=True)
class Sources:
    """The inputs of one derive run, sorted by the source folder layout."""

    pages: list[Path] = field(default_factory=list)
    module_pages: list[Path] = field(default_factory=list)
    schema_files: list[Path] = field(default_factory=list)
    schema_dirs: list[Path] = field(default_factory=list)


def collect_sources(paths: Sequence[Path], schema_dirs: Sequence[Path] = ()) -> Sources:
    """Expand pages, source folders and JSON schema files into a Sources.

    `schema_dirs` (the `--schemas` folders) come after the layout's `schemas/`
    folders when references are resolved.
    """
    sources = Sources()
    for path in paths:
        if path.is_dir():
            _add_folder(sources, path)
        elif path.is_file() and path.suffix == ".json":
            sources.schema_files.append(path)
        elif path.is_file():
            _pages_of(sources, path.parent).append(path)
        else:
            raise DeriveError(path, None, "page or folder not found; check the path")
    sources.schema_dirs.extend(schema_dirs)
    return sources


def _add_folder(sources: Sources, folder: Path) -> None:
    """Add a folder's pages, its `modules/` pages and its `schemas/` JSON files."""
    _pages_of(sources, folder).extend(_folder_pages(folder))
    modules = folder / MODULES_FOLDER
    if modules.is_dir():
        sources.module_pages.extend(_folder_pages(modules))
    schemas = folder / SCHEMAS_FOLDER
    if schemas.is_dir():
        sources.schema_files.extend(sorted(schemas.glob("*.json")))
        sources.schema_dirs.append(schemas)


def _pages_of(sources: Sources, folder: Path) -> list[Path]:
    """Return the list that pages in `folder` belong to."""
    return sources.module_pages if folder.name == MODULES_FOLDER else sources.pages


def _folder_pages(folder: Path) -> list[Path]:
    return sorted(page for page in folder.glob("*.md") if page.name != README)


def schema_id_by_folder(page: Path) -> str:
    """Name a page's main schema: `callflows.<stem>` in a `modules` folder."""
    if page.parent.name == MODULES_FOLDER:
        return MODULE_SCHEMA_PREFIX + page.stem
    return page_schema_id(page)


def add_json_schemas(derived: DerivedSchemas, files: Sequence[Path]) -> None:
    """Add each Kazoo JSON schema under its file stem unless a page defines it.

    Raises UnresolvedReferenceError, naming every reference of the added schemas
    to an id that neither the pages nor the other files define.
    """
    added = []
    for path in files:
        schema_id = path.stem
        if schema_id in derived.schemas:
            logger.debug("%s: not used, a page defines %r", path, schema_id)
            continue
        derived.schemas[schema_id] = load_kazoo_schema(path)
        derived.sources[schema_id] = SchemaSource(path, None)
        added.append((schema_id, path))

    unresolved = [
        UnresolvedReference(path, None, DEFINITIONS_PREFIX + name)
        for schema_id, path in added
        for name in iter_references(derived.schemas[schema_id])
        if name not in derived.schemas
    ]
    if unresolved:
        raise UnresolvedReferenceError(unresolved, derived.warnings)


def name_flow_node(derived: DerivedSchemas) -> None:
    """Add `callflows.action`, the node that the `callflows` page defines as `flow`.

    The page keeps its inline `flow`. Nothing is added when the page refers to
    a node schema or when another page defines `callflows.action`.
    """
    callflows = derived.schemas.get(CALLFLOWS)
    if callflows is None or FLOW_NODE in derived.schemas:
        return
    node = flow_node_from_page(callflows, DEFINITIONS_PREFIX + FLOW_NODE)
    if node is not None:
        derived.schemas[FLOW_NODE] = node
        derived.sources[FLOW_NODE] = derived.sources[CALLFLOWS]


class _BlockDumper(yaml.SafeDumper):
    """A YAML dumper that writes repeated objects in full, never as aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def derive(
    pages: Sequence[Path],
    schema_dirs: Sequence[Path] = (),
    *,
    progress: ProgressCallback | None = None,
    warn: WarningHandler = log_warning,
) -> DerivedSchemas:
    """Derive the JSON Schemas of the pages (files or folders).

    Every warning goes to `warn`, also those collected before a DeriveError.
    """
    sources = collect_sources(pages, schema_dirs)
    try:
        derived = derive_schemas(
            [*sources.pages, *sources.module_pages],
            schema_dirs=sources.schema_dirs,
            progress=progress,
            name_page=schema_id_by_folder,
        )
        name_flow_node(derived)
        add_json_schemas(derived, sources.schema_files)
        if not derived.schemas:
            raise NoSchemaError(pages, derived.warnings)
    except DeriveError as exc:
        for warning in exc.warnings:
            warn(warning)
        raise
    for warning in derived.warnings:
        warn(warning)
    return derived


def source_names(paths: Sequence[Path]) -> list[str]:
    """Return the paths as POSIX text, relative to the working folder if inside it."""
    cwd = Path.cwd().resolve()
    names = []
    for path in paths:
        resolved = path.resolve()
        display = resolved.relative_to(cwd) if resolved.is_relative_to(cwd) else path
        names.append(display.as_posix())
    return names


def spec_header(pages: Sequence[Path], schema_dirs: Sequence[Path] = ()) -> str:
    """Return the comment block that opens the derived OpenAPI document.

    It names every page, but module pages and JSON schema files only by their
    folder and count.
    """
    sources = collect_sources(pages, schema_dirs)
    names = source_names([*sources.pages])
    names += _counted(sources.module_pages, "module page")
    names += _counted(sources.schema_files, "JSON schema")
    names += source_names(schema_dirs)
    lines = textwrap.wrap(
        f"Generated by `callflow-kit derive` from {', '.join(names)}.",
        width=HEADER_WIDTH - 2,
        break_long_words=False,
        break_on_hyphens=False,
    )
    lines.append(DO_NOT_EDIT)
    return "".join(f"# {line}\n" for line in lines)


def _counted(paths: Sequence[Path], noun: str) -> list[str]:
    """Return `<count> <noun>s in <folder>/` for each folder of `paths`."""
    names = []
    for folder in sorted({path.parent for path in paths}):
        count = sum(1 for path in paths if path.parent == folder)
        plural = noun if count == 1 else noun + "s"
        names.append(f"{count} {plural} in {source_names([folder])[0]}/")
    return names


def dump_yaml(document: dict[str, Any]) -> str:
    """Return the document as block-style YAML in its own key order."""
    text: str = yaml.dump(
        document,
        Dumper=_BlockDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=88,
    )
    return text


def render_spec(
    pages: Sequence[Path],
    schema_dirs: Sequence[Path] = (),
    *,
    progress: ProgressCallback | None = None,
    warn: WarningHandler = log_warning,
) -> str:
    """Return the derived OpenAPI document as the text `derive` writes."""
    derived = derive(pages, schema_dirs, progress=progress, warn=warn)
    return spec_header(pages, schema_dirs) + dump_yaml(build_openapi(derived))


def render_json_schema(
    pages: Sequence[Path],
    schema_dirs: Sequence[Path] = (),
    *,
    progress: ProgressCallback | None = None,
    warn: WarningHandler = log_warning,
) -> str:
    """Return the derived main JSON Schema as indented JSON text."""
    derived = derive(pages, schema_dirs, progress=progress, warn=warn)
    document = json_schema_document(derived)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def run_derive(
    pages: Sequence[Path],
    output: Path | None,
    output_format: str,
    schema_dirs: Sequence[Path] = (),
    *,
    progress: ProgressCallback | None = None,
) -> None:
    """Derive and write the OpenAPI document or JSON Schema; '-' means stdout.

    Warnings are written to stderr as `PAGE:LINE: warning: MESSAGE`.
    """
    if output_format == "json-schema":
        text = render_json_schema(
            pages, schema_dirs, progress=progress, warn=print_warning
        )
        target = output or Path("-")
    else:
        text = render_spec(pages, schema_dirs, progress=progress, warn=print_warning)
        target = output or DEFAULT_SPEC

    if str(target) == "-":
        sys.stdout.write(text)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    logger.info("wrote %s", target)
