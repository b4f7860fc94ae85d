"""Load a single- or multi-file OpenAPI document and keep each node's line.

A file is parsed into YAML nodes by libyaml (when present), then built into plain
Python values. The node tree stays in memory so that `YamlFile.line_of` can map a
JSON pointer back to its line. Mapping keys become strings, as JSON has them;
keys that YAML reads as another type (an unquoted `200:`) are recorded for the
`yaml-key-not-string` rule. Every `$ref` string is recorded with its pointer, and
`load_spec` follows the file part of each one to load the whole document.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from generator.errors import LintSetupError

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
SUPPORTED_VERSIONS = ("3.0", "3.1")


def escape_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    """Undo `escape_token`."""
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(pointer: str, *tokens: str | int) -> str:
    """Append reference tokens to a JSON pointer."""
    return pointer + "".join("/" + escape_token(str(token)) for token in tokens)


def split_pointer(pointer: str) -> list[str]:
    """Split a JSON pointer into unescaped reference tokens."""
    if not pointer:
        return []
    return [unescape_token(token) for token in pointer.lstrip("/").split("/")]


@dataclass(frozen=True, slots=True)
class RefSite:
    """A `$ref` string and the pointer of the object that contains it."""

    pointer: str
    ref: str


@dataclass(frozen=True, slots=True)
class NonStringKey:
    """A mapping key that YAML reads as something other than a string."""

    pointer: str
    key: object


@dataclass(eq=False)
class YamlFile:
    """One parsed file of the document: its data, node tree and `$ref` sites."""

    path: Path
    data: Any
    node: yaml.Node | None
    refs: list[RefSite] = field(default_factory=list)
    non_string_keys: list[NonStringKey] = field(default_factory=list)
    # The key and value nodes of each mapping node that `line_of` went through, by
    # the mapping node's id and the key's text; the first of duplicate keys wins.
    _pairs: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = field(
        default_factory=dict, init=False, repr=False
    )

    @property
    def uri(self) -> str:
        """Return the file's `file://` URI, the base of its relative references."""
        return self.path.as_uri()

    def line_of(self, pointer: str) -> int | None:
        """Return the 1-based line of the node at the pointer, or of its parent.

        A pointer that ends on a mapping key gives the key's line, which is where
        an editor shows `enum:` or `default:`.
        """
        node = self.node
        line = node.start_mark.line + 1 if node is not None else None
        for token in split_pointer(pointer):
            if isinstance(node, yaml.MappingNode):
                match = self._find_key(node, token)
                if match is None:
                    return line
                line = match[0].start_mark.line + 1
                node = match[1]
            elif isinstance(node, yaml.SequenceNode) and token.isdigit():
                if int(token) >= len(node.value):
                    return line
                node = node.value[int(token)]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def _find_key(
        self, node: yaml.MappingNode, token: str
    ) -> tuple[yaml.Node, yaml.Node] | None:
        pairs = self._pairs.get(id(node))
        if pairs is None:
            pairs = self._pairs[id(node)] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    pairs.setdefault(key_node.value, (key_node, value_node))
        return pairs.get(token)

    def get(self, pointer: str) -> Any:
        """Return the value at the pointer; raise LookupError when there is none."""
        value = self.data
        for token in split_pointer(pointer):
            if isinstance(value, dict):
                value = value[token]
            elif isinstance(value, list) and token.isdigit():
                value = value[int(token)]
            else:
                raise KeyError(token)
        return value


class _Builder:
    """Build plain values from a node tree, recording `$ref` sites and odd keys."""

    def __init__(self, file: YamlFile, has_merge_keys: bool = True) -> None:
        self._file = file
        self._constructor = yaml.SafeLoader("")
        self._path: list[str] = []
        self._built: dict[int, Any] = {}
        self._has_merge_keys = has_merge_keys

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR_TAG:
                return node.value
            return self._constructor.construct_object(node)
        if id(node) in self._built:
            return self._built[id(node)]
        if isinstance(node, yaml.SequenceNode):
            return self._build_sequence(node)
        if isinstance(node, yaml.MappingNode):
            return self._build_mapping(node)
        raise TypeError(f"unexpected YAML node {node!r}")

    # The loops below take string scalars, most of the values, without a call to
    # `build`, which makes building Kazoo's spec about a third faster.

    def _build_sequence(self, node: yaml.SequenceNode) -> list[Any]:
        items: list[Any] = []
        self._built[id(node)] = items
        for index, item in enumerate(node.value):
            if type(item) is yaml.ScalarNode and item.tag == _STR_TAG:
                items.append(item.value)
                continue
            self._path.append(str(index))
            items.append(self.build(item))
            self._path.pop()
        return items

    def _build_mapping(self, node: yaml.MappingNode) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        self._built[id(node)] = mapping
        if self._has_merge_keys and any(key.tag == _MERGE_TAG for key, _ in node.value):
            self._constructor.flatten_mapping(node)
        for key_node, value_node in node.value:
            if type(key_node) is yaml.ScalarNode and key_node.tag == _STR_TAG:
                key = key_node.value
            else:
                key = self._build_key(key_node)
            if type(value_node) is yaml.ScalarNode and value_node.tag == _STR_TAG:
                value = value_node.value
            else:
                self._path.append(key)
                value = self.build(value_node)
                self._path.pop()
            mapping[key] = value
            if key == "$ref" and isinstance(value, str):
                self._file.refs.append(RefSite(self._pointer(), value))
        return mapping

    def _build_key(self, node: yaml.Node) -> str:
        key = self.build(node)
        self._file.non_string_keys.append(
            NonStringKey(join_pointer(self._pointer(), str(key)), key)
        )
        return str(key)

    def _pointer(self) -> str:
        return join_pointer("", *self._path)


def load_file(path: Path) -> YamlFile:
    """Parse one YAML or JSON file; raise LintSetupError when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LintSetupError(
            f"{_display(path)}: cannot read the file: {exc.strerror}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise LintSetupError(
            f"{_display(path)}: invalid UTF-8 at byte {exc.start}"
        ) from exc

    try:
        node = yaml.compose(text, Loader=_Loader)
        file = YamlFile(path=path, data=None, node=node)
        if node is not None:
            # An unknown tag such as `!include` fails here, with its line.
            # A merge key is the plain scalar `<<` or a key with an explicit tag.
            merge_keys = "<<" in text or "!" in text
            file.data = _Builder(file, has_merge_keys=merge_keys).build(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = _display(path) + (f":{mark.line + 1}" if mark is not None else "")
        raise LintSetupError(f"{where}: invalid YAML: {exc.problem}") from exc
    return file


@dataclass(frozen=True, slots=True)
class RefTarget:
    """The object a `$ref` points to, with the file and pointer it lives at."""

    file: YamlFile
    pointer: str
    value: Any


class UnresolvedRef(Exception):
    """A `$ref` that names no loaded file or no value inside one."""


def split_ref(ref: str) -> tuple[str, str]:
    """Split a reference into its file part and its decoded JSON pointer."""
    location, _, fragment = ref.partition("#")
    return location, unquote(fragment)


def is_remote(ref: str) -> bool:
    """Return whether the reference names a resource by URL instead of by file."""
    return urlsplit(ref).scheme not in ("", "file")


@dataclass(eq=False)
class SpecFiles:
    """The root file of an OpenAPI document and every file its references load."""

    root: YamlFile
    files: dict[Path, YamlFile]
    _ref_paths: dict[tuple[YamlFile, str], Path | None] = field(default_factory=dict)
    # Each reference's target, or the reason it has none, by source file and `$ref`
    # string: the walk and the rules follow the same references many times.
    _targets: dict[tuple[YamlFile, str], RefTarget | str] = field(
        default_factory=dict, init=False, repr=False
    )
    _unresolvable: list[tuple[YamlFile, RefSite, str]] | None = None

    @property
    def version(self) -> str:
        """Return the `openapi` field's major.minor, e.g. "3.1"."""
        return str(self.root.data["openapi"])[:3]

    def ref_file(self, source: YamlFile, ref: str) -> Path | None:
        """Return the path of the file a reference names, or None for a remote one."""
        location, _ = split_ref(ref)
        if not location:
            return source.path
        key = (source, location)
        if key not in self._ref_paths:
            self._ref_paths[key] = _local_path(source.path.parent, location)
        return self._ref_paths[key]

    def resolve(self, source: YamlFile, ref: str) -> RefTarget:
        """Return what the reference points to; raise UnresolvedRef if nothing."""
        key = (source, ref)
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = self._find_target(source, ref)
        if isinstance(target, str):
            raise UnresolvedRef(target)
        return target

    def _find_target(self, source: YamlFile, ref: str) -> RefTarget | str:
        """Return the reference's target, or the reason why it has none."""
        path = self.ref_file(source, ref)
        if path is None:
            return "remote references are not fetched"
        file = self.files.get(path)
        if file is None:
            return f"file {_display(path)} not found"
        _, pointer = split_ref(ref)
        try:
            value = file.get(pointer)
        except (LookupError, ValueError):
            return f"{_display(path)} has no {pointer!r}"
        return RefTarget(file, pointer, value)

    def follow(self, source: YamlFile, pointer: str, value: Any) -> RefTarget:
        """Follow `$ref` chains from a value until a non-reference object."""
        target = RefTarget(source, pointer, value)
        seen: set[tuple[int, str]] = set()
        while isinstance(target.value, dict) and isinstance(
            target.value.get("$ref"), str
        ):
            key = (id(target.file), target.pointer)
            if key in seen:
                raise UnresolvedRef("the reference chain loops without an object")
            seen.add(key)
            target = self.resolve(target.file, target.value["$ref"])
        return target

    def iter_refs(self) -> Iterator[tuple[YamlFile, RefSite]]:
        """Yield every `$ref` site of every loaded file."""
        for file in self.files.values():
            for site in file.refs:
                yield file, site

    def unresolvable_refs(self) -> list[tuple[YamlFile, RefSite, str]]:
        """Return every `$ref` site that resolves to nothing, with the reason."""
        if self._unresolvable is None:
            self._unresolvable = []
            for file, site in self.iter_refs():
                try:
                    target = self.resolve(file, site.ref)
                    # A chain of references that comes back to itself (A -> A,
                    # A -> B -> A) never reaches an object either.
                    self.follow(target.file, target.pointer, target.value)
                except UnresolvedRef as exc:
                    self._unresolvable.append((file, site, str(exc)))
        return self._unresolvable


def _local_path(folder: Path, location: str) -> Path | None:
    """Return the normalised path a reference's file part names, or None if remote."""
    if is_remote(location):
        return None
    return Path(os.path.normpath(folder / unquote(urlsplit(location).path)))


def _display(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def load_spec(root_path: Path) -> SpecFiles:
    """Load the root file and, breadth first, every local file it refers to.

    A referenced file that does not exist is left out, and the `ref-unresolvable`
    rule reports it. Raise LintSetupError when the root file is not an OpenAPI 3.0
    or 3.1 document or when any file cannot be parsed.
    """
    root = load_file(root_path.resolve())
    version = root.data.get("openapi") if isinstance(root.data, dict) else None
    if not isinstance(version, str) or version[:3] not in SUPPORTED_VERSIONS:
        raise LintSetupError(
            f"{root_path}: not an OpenAPI 3.0 or 3.1 document (its 'openapi' field "
            f"is {version!r}); pass the root file of the spec"
        )

    spec = SpecFiles(root=root, files={root.path: root})
    queue = deque([root])
    while queue:
        file = queue.popleft()
        for site in file.refs:
            path = spec.ref_file(file, site.ref)
            if path is None or path in spec.files or not path.is_file():
                continue
            spec.files[path] = load_file(path)
            queue.append(spec.files[path])
    return spec
