"""Resolve every `$ref` of a spec into one document with prance, recursion included.

prance inlines each reference target. Its default handler raises at the first
recursive reference, and its built-in alternatives either leave a reference that
points into another file or replace the target with an open object, so the flow
tree's `children` would stop being checked. Here the handler returns a local
reference to a `components/schemas` entry instead, and that entry receives the
resolved target: the bundle is one valid document that keeps every recursion.

The bundle is what openapi-spec-validator checks. `Bundle.locate` maps a path in
the bundle back to the file and JSON pointer the value came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import ParseResult

from prance.util import resolver as prance_resolver  # type: ignore[import-untyped]
from prance.util import url as prance_url

from generator.errors import LintSetupError
from generator.lint.loader import (
    RefSite,
    SpecFiles,
    UnresolvedRef,
    YamlFile,
    join_pointer,
    split_pointer,
)

_COMPONENT_NAME = re.compile(r"[^A-Za-z0-9._-]")
_SCHEMAS_POINTER = "/components/schemas/"
_RefKey = tuple[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Origin:
    """The file and JSON pointer a bundled value was copied from."""

    file: YamlFile
    pointer: str


@dataclass(eq=False)
class Bundle:
    """The resolved document and the origin of each hoisted recursive schema."""

    spec: SpecFiles
    document: dict[str, Any]
    hoisted: dict[str, Origin]

    def locate(self, path: Sequence[str | int]) -> Origin:
        """Return the source of the value at a path in the bundle.

        The walk follows `$ref` in the source files wherever prance inlined one,
        and stops at the last step it can follow.
        """
        tokens = [str(token) for token in path]
        file, pointer = self.spec.root, ""
        if tokens[:2] == ["components", "schemas"] and len(tokens) > 2:
            origin = self.hoisted.get(tokens[2])
            if origin is not None:
                file, pointer, tokens = origin.file, origin.pointer, tokens[3:]

        for token in tokens:
            try:
                target = self.spec.follow(file, pointer, file.get(pointer))
                file, pointer = target.file, target.pointer
                file.get(join_pointer(pointer, token))
            except (LookupError, UnresolvedRef):
                break
            pointer = join_pointer(pointer, token)
        return Origin(file, pointer)


class _CapturingResolver(prance_resolver.RefResolver):  # type: ignore[misc]
    """prance's resolver, keeping the resolved value of every reference target."""

    resolved_targets: dict[_RefKey, Any]

    def _resolve_targets(self, *args: Any) -> dict[_RefKey, Any]:
        self.resolved_targets = super()._resolve_targets(*args)
        return self.resolved_targets


class _Hoister:
    """The recursion handler: name each recursive target as a schema component."""

    def __init__(self, spec: SpecFiles) -> None:
        self._spec = spec
        root_schemas = spec.root.data.get("components", {}).get("schemas", {})
        self._used_names = (
            set(root_schemas) if isinstance(root_schemas, dict) else set()
        )
        self.names: dict[_RefKey, str] = {}
        self.origins: dict[str, Origin] = {}

    def __call__(
        self, limit: int, parsed_url: ParseResult, recursions: tuple[Any, ...] = ()
    ) -> dict[str, str]:
        key: _RefKey = (
            prance_url.urlresource(parsed_url),
            tuple(split_pointer(parsed_url.fragment)),
        )
        name = self.names.get(key) or self._name(key, parsed_url)
        return {"$ref": join_pointer("#/components/schemas", name)}

    def _name(self, key: _RefKey, parsed_url: ParseResult) -> str:
        file = self._spec.files[_path_of(self._spec, parsed_url)]
        pointer = join_pointer("", *key[1])
        if file is self._spec.root and pointer.startswith(_SCHEMAS_POINTER):
            # A root component keeps its own name and its own place.
            name = key[1][2]
        else:
            name = _COMPONENT_NAME.sub("_", key[1][-1] if key[1] else file.path.stem)
            base, counter = name, 2
            while name in self._used_names:
                name, counter = f"{base}_{counter}", counter + 1
        self._used_names.add(name)
        self.names[key] = name
        self.origins[name] = Origin(file, pointer)
        return name


def _path_of(spec: SpecFiles, parsed_url: ParseResult) -> Any:
    for path in spec.files:
        if path.as_posix() == parsed_url.path:
            return path
    raise LintSetupError(
        f"prance resolved a reference into an unloaded file {parsed_url.path}"
    )


@contextmanager
def _without_refs(
    spec: SpecFiles, sites: Sequence[tuple[YamlFile, RefSite]]
) -> Iterator[None]:
    """Hide unresolvable `$ref` keys from prance and restore them afterwards.

    prance stops at the first reference it cannot resolve. The `ref-unresolvable`
    rule already reports each one, so the rest of the document is still checked.
    """
    removed: list[tuple[dict[str, Any], str]] = []
    for file, site in sites:
        holder = file.get(site.pointer)
        removed.append((holder, holder.pop("$ref")))
    try:
        yield
    finally:
        for holder, ref in removed:
            holder["$ref"] = ref


def bundle_spec(spec: SpecFiles) -> Bundle:
    """Resolve the spec's references with prance into one self-contained document."""
    cache: dict[tuple[str, bool], Any] = {}
    for path, file in spec.files.items():
        cache[(prance_url.urlresource(prance_url.absurl(path.as_uri())), True)] = (
            file.data
        )

    hoister = _Hoister(spec)
    broken = [(file, site) for file, site, _ in spec.unresolvable_refs()]
    with _without_refs(spec, broken):
        resolver = _CapturingResolver(
            spec.root.data,
            spec.root.uri,
            reference_cache=cache,
            recursion_limit_handler=hoister,
            resolve_types=prance_resolver.RESOLVE_INTERNAL
            | prance_resolver.RESOLVE_FILES,
        )
        try:
            resolver.resolve_references()
        except prance_url.ResolutionError as exc:
            raise LintSetupError(
                f"{spec.root.path}: prance cannot resolve: {exc}"
            ) from exc

    document: dict[str, Any] = resolver.specs
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for key, name in hoister.names.items():
        schemas[name] = resolver.resolved_targets[key]
    return Bundle(spec=spec, document=document, hoisted=hoister.origins)
