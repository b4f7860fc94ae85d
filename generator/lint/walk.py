"""Index the operations, schemas and examples of a document, each at its source.

The walk starts at the root file and follows `$ref` into other files, visiting
each referenced object once. A schema defined in `oas3-schemas.yml` and used by
twenty operations is therefore checked, and reported, once, at its own line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.lint.loader import SpecFiles, UnresolvedRef, YamlFile, join_pointer

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Keywords whose value is one subschema, a map of them, or a list of them.
_SUBSCHEMA = (
    "additionalProperties",
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
)
_SUBSCHEMA_MAPS = (
    "properties",
    "patternProperties",
    "x-patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
)
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


@dataclass(frozen=True, slots=True)
class Node:
    """An object of the document with the file and JSON pointer it sits at."""

    file: YamlFile
    pointer: str
    value: dict[str, Any]

    def child(self, *tokens: str | int) -> str:
        """Return the pointer of a value below this object."""
        return join_pointer(self.pointer, *tokens)


@dataclass(frozen=True, slots=True)
class ExampleSite:
    """An example value next to the schema it must satisfy."""

    file: YamlFile
    pointer: str
    value: Any
    schema: Node


@dataclass(frozen=True, slots=True)
class ParameterUse:
    """A parameter listed by an operation or path item, and its resolved object."""

    file: YamlFile
    pointer: str
    parameter: Node

    @property
    def name(self) -> Any:
        """Return the parameter's `name`."""
        return self.parameter.value.get("name")

    @property
    def location(self) -> Any:
        """Return the parameter's `in`: path, query, header or cookie."""
        return self.parameter.value.get("in")


@dataclass(slots=True)
class Operation:
    """One operation with its path template and the parameters that apply to it."""

    template: str | None
    method: str
    node: Node
    parameters: list[ParameterUse] = field(default_factory=list)


@dataclass(eq=False)
class SpecIndex:
    """Everything the rules inspect, collected by one walk."""

    spec: SpecFiles
    schemas: list[Node] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    examples: list[ExampleSite] = field(default_factory=list)
    _seen: set[tuple[int, str]] = field(default_factory=set)

    def target(self, file: YamlFile, pointer: str, value: Any) -> Node | None:
        """Follow references to an object; return None for a broken one."""
        try:
            found = self.spec.follow(file, pointer, value)
        except UnresolvedRef:
            return None
        if not isinstance(found.value, dict):
            return None
        return Node(found.file, found.pointer, found.value)

    def _first_visit(self, node: Node) -> bool:
        key = (id(node.file), node.pointer)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def add_schema(self, file: YamlFile, pointer: str, value: Any) -> None:
        """Index a schema and every subschema below it."""
        stack = [(file, pointer, value)]
        while stack:
            file, pointer, value = stack.pop()
            if (
                self.spec.version == "3.1"
                and isinstance(value, dict)
                and "$ref" in value
            ):
                # 3.1 applies the keywords next to `$ref` too; 3.0 ignores them.
                siblings = {k: v for k, v in value.items() if k != "$ref"}
                own = Node(file, pointer, siblings)
                if siblings and self._first_visit(own):
                    self.schemas.append(own)
                    stack.extend(_subschemas(own))
            node = self.target(file, pointer, value)
            if node is not None and self._first_visit(node):
                self.schemas.append(node)
                stack.extend(_subschemas(node))

    def add_content(self, node: Node) -> None:
        """Index the media types of a `content` map: their schemas and examples."""
        content = node.value.get("content")
        if not isinstance(content, dict):
            return
        for media_type, value in content.items():
            media = self.target(node.file, node.child("content", media_type), value)
            if media is None or not self._first_visit(media):
                continue
            self.add_schema_with_examples(media)
            for name, header in _items(media.value.get("encoding")):
                for header_name, header_value in _items(header.get("headers")):
                    pointer = media.child("encoding", name, "headers", header_name)
                    self.add_parameter(media.file, pointer, header_value)

    def add_schema_with_examples(self, node: Node) -> None:
        """Index the `schema` of a parameter, header or media type with its examples."""
        if "schema" not in node.value:
            return
        schema_pointer = node.child("schema")
        self.add_schema(node.file, schema_pointer, node.value["schema"])
        schema = self.target(node.file, schema_pointer, node.value["schema"])
        if schema is None:
            return
        if "example" in node.value:
            self.examples.append(
                ExampleSite(
                    node.file, node.child("example"), node.value["example"], schema
                )
            )
        for name, example in _items(node.value.get("examples")):
            found = self.target(node.file, node.child("examples", name), example)
            if found is not None and "value" in found.value:
                pointer = join_pointer(found.pointer, "value")
                self.examples.append(
                    ExampleSite(found.file, pointer, found.value["value"], schema)
                )

    def add_parameter(self, file: YamlFile, pointer: str, value: Any) -> Node | None:
        """Index a parameter or header object and return it resolved."""
        node = self.target(file, pointer, value)
        if node is not None and self._first_visit(node):
            self.add_schema_with_examples(node)
            self.add_content(node)
        return node

    def add_path_item(
        self, template: str | None, file: YamlFile, pointer: str, value: Any
    ) -> None:
        """Index a path item's operations; `template` is None for webhooks."""
        item = self.target(file, pointer, value)
        if item is None:
            return
        shared = self._parameters(item)
        for method in HTTP_METHODS:
            if isinstance(item.value.get(method), dict):
                node = Node(item.file, item.child(method), item.value[method])
                self.add_operation(template, method, node, shared)

    def add_operation(
        self, template: str | None, method: str, node: Node, shared: list[ParameterUse]
    ) -> None:
        """Index an operation, its parameters, body, responses and callbacks."""
        own = self._parameters(node)
        own_keys = {(use.name, use.location) for use in own}
        inherited = [use for use in shared if (use.name, use.location) not in own_keys]
        self.operations.append(Operation(template, method, node, inherited + own))

        if "requestBody" in node.value:
            self.add_request_body(
                node.file, node.child("requestBody"), node.value["requestBody"]
            )
        for code, response in _items(node.value.get("responses")):
            self.add_response(node.file, node.child("responses", code), response)
        for name, callback in _items(node.value.get("callbacks")):
            for expression, item in _items(callback):
                pointer = node.child("callbacks", name, expression)
                self.add_path_item(None, node.file, pointer, item)

    def add_request_body(self, file: YamlFile, pointer: str, value: Any) -> None:
        """Index a request body's content."""
        node = self.target(file, pointer, value)
        if node is not None and self._first_visit(node):
            self.add_content(node)

    def add_response(self, file: YamlFile, pointer: str, value: Any) -> None:
        """Index a response's content and headers."""
        node = self.target(file, pointer, value)
        if node is None or not self._first_visit(node):
            return
        self.add_content(node)
        for name, header in _items(node.value.get("headers")):
            self.add_parameter(node.file, node.child("headers", name), header)

    def _parameters(self, node: Node) -> list[ParameterUse]:
        found = []
        parameters = node.value.get("parameters")
        for index, value in enumerate(
            parameters if isinstance(parameters, list) else []
        ):
            pointer = node.child("parameters", index)
            parameter = self.add_parameter(node.file, pointer, value)
            if parameter is not None:
                found.append(ParameterUse(node.file, pointer, parameter))
        return found


def _items(value: Any) -> Iterator[tuple[str, Any]]:
    """Yield a mapping's items, or nothing when the value is not a mapping."""
    if isinstance(value, dict):
        yield from value.items()


def _subschemas(node: Node) -> Iterator[tuple[YamlFile, str, Any]]:
    """Yield the subschemas of a schema as (file, pointer, value)."""
    schema = node.value
    for keyword in _SUBSCHEMA:
        if isinstance(schema.get(keyword), dict):
            yield node.file, node.child(keyword), schema[keyword]
    for keyword in _SUBSCHEMA_MAPS:
        for name, value in _items(schema.get(keyword)):
            yield node.file, node.child(keyword, name), value
    for keyword in (*_SUBSCHEMA_LISTS, "items"):
        values = schema.get(keyword)
        for index, value in enumerate(values if isinstance(values, list) else []):
            yield node.file, node.child(keyword, index), value


def index_spec(spec: SpecFiles) -> SpecIndex:
    """Walk the document from its root and return the index of what it contains."""
    index = SpecIndex(spec)
    root = spec.root
    for template, item in _items(root.data.get("paths")):
        index.add_path_item(template, root, join_pointer("", "paths", template), item)
    for name, item in _items(root.data.get("webhooks")):
        index.add_path_item(None, root, join_pointer("", "webhooks", name), item)

    components = root.data.get("components")
    components = components if isinstance(components, dict) else {}
    for name, value in _items(components.get("schemas")):
        index.add_schema(root, join_pointer("", "components", "schemas", name), value)
    for kind in ("parameters", "headers"):
        for name, value in _items(components.get(kind)):
            index.add_parameter(root, join_pointer("", "components", kind, name), value)
    for name, value in _items(components.get("responses")):
        index.add_response(
            root, join_pointer("", "components", "responses", name), value
        )
    for name, value in _items(components.get("requestBodies")):
        pointer = join_pointer("", "components", "requestBodies", name)
        index.add_request_body(root, pointer, value)
    for name, item in _items(components.get("pathItems")):
        index.add_path_item(
            None, root, join_pointer("", "components", "pathItems", name), item
        )
    return index
