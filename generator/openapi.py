"""Build the OpenAPI 3.1 document of the callflows API from derived JSON Schemas.

The page schemas become components under their Kazoo schema ids, with references
rewritten from `#/definitions/<id>` to `#/components/schemas/<id>`; the flow node
becomes the recursive `callflows.action` component. The crossbar facts of
`generator.crossbar` supply envelopes, errors, parameters and authentication.

Module schemas (`callflows.<module>`, the `data` of a node running `<module>`)
tie each module to its data through a discriminated union::

    FlowNode                   oneOf with a discriminator on `module`
    ├── callflows.action.user  allOf: callflows.action, module "user",
    │                          data callflows.user
    └── ...                    one variant per module
    callflows.action           the shape every node shares; children → FlowNode

`flow` and every child refer to `FlowNode`, so datamodel-code-generator types a
node's `data` by its module at any depth, and `callflows.action` stays the base
class of every node model. Metaflow nodes get the same treatment: modules
`metaflows.<module>`, variants `metaflow.action.<module>` over the node
`metaflow`, and the union `MetaflowNode`, which `metaflows.numbers`,
`metaflows.patterns` and every metaflow child refer to.
"""

from __future__ import annotations

import copy
import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from generator import crossbar
from generator.crossbar import Schema, ref
from generator.errors import DeriveError

CALLFLOWS = "callflows"
FLOW_NODE = "callflows.action"
FLOW_NODE_UNION = "FlowNode"
METAFLOWS = "metaflows"
METAFLOW_NODE = "metaflow"
METAFLOW_NODE_UNION = "MetaflowNode"
MODULE_KEY = "module"
TAG = "callflows"
COLLECTION_PATH = "/v2/accounts/{ACCOUNT_ID}/callflows"
ITEM_PATH = COLLECTION_PATH + "/{CALLFLOW_ID}"
DEFINITIONS_PREFIX = "#/definitions/"
MERGE_TARGET_KEY = "x-merge-target"
ENUM_NAMES_KEY = "x-enum-varnames"


class DerivedInput(Protocol):
    """The part of `generator.derive.DerivedSchemas` that `build_openapi` reads."""

    @property
    def schemas(self) -> Mapping[str, Mapping[str, Any]]:
        """JSON Schemas by Kazoo schema id, referring to `#/definitions/<id>`."""
        ...

    @property
    def main(self) -> Sequence[str]:
        """Ids of the pages" main schemas, in input order."""
        ...


@dataclass(frozen=True, slots=True)
class NodeFamily:
    """A recursive node schema whose `module` selects the schema of its `data`."""

    node: str
    """Id of the node schema that every variant extends (`callflows.action`)."""
    data_prefix: str
    """Module data schemas are `<data_prefix>.<module>` (`callflows.user`)."""
    variant_prefix: str
    """Variants are `<variant_prefix>.<module>` (`callflows.action.user`)."""
    union: str
    """The discriminated union over the variants (`FlowNode`)."""
    kind: str
    """The word for such a node in Kazoo's messages: `callflow` or `metaflow`."""


CALLFLOW_NODES = NodeFamily(
    FLOW_NODE, CALLFLOWS, FLOW_NODE, FLOW_NODE_UNION, "callflow"
)
METAFLOW_NODES = NodeFamily(
    METAFLOW_NODE, METAFLOWS, f"{METAFLOW_NODE}.action", METAFLOW_NODE_UNION, "metaflow"
)
NODE_FAMILIES = (CALLFLOW_NODES, METAFLOW_NODES)


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the callflows API and the shapes it exchanges."""

    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    success_status: int
    error_statuses: tuple[int, ...]
    request_schema: str | None
    response_schema: str
    success_description: str


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get",
        COLLECTION_PATH,
        "list_callflows",
        "List the account's callflows",
        "Return one summary row per callflow, a page at a time unless "
        "`paginate=false`. Kazoo 4.3 does not promise an order.",
        200,
        (401, 403, 404, 405),
        None,
        crossbar.CALLFLOW_LIST_RESPONSE,
        "A page of callflow rows.",
    ),
    Operation(
        "put",
        COLLECTION_PATH,
        "create_callflow",
        "Create a callflow",
        "Store a new callflow with schema defaults filled in. Numbers are "
        "normalised first and must be unique within the account, like patterns. "
        "A `data.id` becomes the new callflow's id.",
        201,
        (400, 401, 403, 404, 405, 409, 415),
        crossbar.CALLFLOW_REQUEST,
        crossbar.CALLFLOW_RESPONSE,
        "The created callflow.",
    ),
    Operation(
        "get",
        ITEM_PATH,
        "get_callflow",
        "Fetch a callflow",
        "Return the stored callflow with `metadata` about the documents its flow "
        "refers to.",
        200,
        (401, 403, 404, 405),
        None,
        crossbar.CALLFLOW_RESPONSE,
        "The callflow.",
    ),
    Operation(
        "post",
        ITEM_PATH,
        "replace_callflow",
        "Replace a callflow",
        "Replace every public field of the callflow with the request's `data`; "
        "fields the request leaves out are removed.",
        200,
        (400, 401, 403, 404, 405, 409, 412, 415),
        crossbar.CALLFLOW_REQUEST,
        crossbar.CALLFLOW_RESPONSE,
        "The callflow as replaced.",
    ),
    Operation(
        "patch",
        ITEM_PATH,
        "patch_callflow",
        "Patch a callflow",
        "Merge the request's `data` into the stored callflow and validate the "
        "result: objects merge recursively, arrays and other values replace, "
        "`null` removes a key.",
        200,
        (400, 401, 403, 404, 405, 409, 412, 415),
        crossbar.CALLFLOW_PATCH_REQUEST,
        crossbar.CALLFLOW_RESPONSE,
        "The callflow as patched.",
    ),
    Operation(
        "delete",
        ITEM_PATH,
        "delete_callflow",
        "Delete a callflow",
        "Soft-delete the callflow and return it with `_read_only.deleted`; its "
        "numbers and patterns become free, and fetching it returns 404.",
        200,
        (401, 403, 404, 405, 409, 412),
        None,
        crossbar.CALLFLOW_RESPONSE,
        "The deleted callflow.",
    ),
)


def build_openapi(derived: DerivedInput) -> dict[str, Any]:
    """Build the OpenAPI 3.1 document of the callflows API from derived schemas."""
    schemas = page_components(derived)
    schemas.update(crossbar_components(schemas[CALLFLOWS]))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kazoo callflows API",
            "version": "4.3",
            "description": "The callflows endpoints of Kazoo 4.3's crossbar REST API. "
            "Schemas come from Kazoo's documented schema tables; envelopes, errors, "
            "paging, filters and authentication follow Kazoo 4.3's crossbar.",
            "license": {"name": "MPL-2.0", "identifier": "MPL-2.0"},
        },
        "servers": [
            {
                "url": "http://{server}:8000",
                "variables": {"server": {"default": "127.0.0.1"}},
            }
        ],
        "tags": [{"name": TAG, "description": "Callflows of an account."}],
        "security": crossbar.security_requirement(),
        "paths": build_paths(),
        "components": {
            "schemas": schemas,
            "parameters": {
                **crossbar.path_parameters(),
                **crossbar.list_parameters(),
            },
            "headers": crossbar.response_headers(),
            "responses": crossbar.error_responses(),
            "securitySchemes": crossbar.security_schemes(),
        },
    }


def page_components(derived: DerivedInput) -> dict[str, Schema]:
    """Return the page schemas as components, sorted by id, refs rewritten."""
    if CALLFLOWS not in derived.schemas:
        raise DeriveError(
            ", ".join(derived.main) or "derived schemas",
            None,
            f"no schema with id {CALLFLOWS!r} among {sorted(derived.schemas)}; "
            "include the callflows doc page in the pages to derive",
        )
    schemas = {
        schema_id: _component_schema(derived.schemas[schema_id])
        for schema_id in sorted(derived.schemas)
    }
    _extract_flow_node(schemas)
    _link_modules(schemas)
    for schema in schemas.values():
        _name_enum_members(schema)
    return dict(sorted(schemas.items()))


def _component_schema(schema: Mapping[str, Any]) -> Schema:
    """Copy a derived schema without its root meta keywords, refs rewritten."""
    component = {
        key: value
        for key, value in schema.items()
        if key not in ("$schema", "$id", "definitions")
    }
    rewritten: Schema = rewrite_refs(copy.deepcopy(component))
    return rewritten


def rewrite_refs(node: Any) -> Any:
    """Rewrite every `#/definitions/<id>` reference to `#/components/schemas/<id>`."""
    if isinstance(node, list):
        return [rewrite_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: rewrite_refs(value) for key, value in node.items()}
    target = result.get("$ref")
    if isinstance(target, str) and target.startswith(DEFINITIONS_PREFIX):
        result["$ref"] = crossbar.SCHEMA_PREFIX + target[len(DEFINITIONS_PREFIX) :]
    return result


def _extract_flow_node(schemas: dict[str, Schema]) -> None:
    """Point an inline `flow` at the recursive `callflows.action` component.

    The node comes from `flow_node_from_page` unless another page defines it.
    `flow` keeps the page's description and the defaults that stay at the top
    level (see `top_level_defaults`). Pages whose `flow` is a reference stay as
    they are.
    """
    properties = schemas[CALLFLOWS].get("properties", {})
    flow = properties.get("flow")
    node = flow_node_from_page(schemas[CALLFLOWS], crossbar.SCHEMA_PREFIX + FLOW_NODE)
    if node is None or not isinstance(flow, dict):
        return
    schemas.setdefault(FLOW_NODE, node)

    reference = ref(FLOW_NODE)
    if "description" in flow:
        reference["description"] = flow["description"]
    if defaults := top_level_defaults(flow):
        reference["properties"] = defaults
    properties["flow"] = reference


def flow_node_from_page(callflows: Mapping[str, Any], node_ref: str) -> Schema | None:
    """Return the recursive flow node that a page defines inline as `flow`, or None.

    Kazoo 4.0's page inlines the node and types `children` as a bare object,
    whose values that schema never checks. The node returned here maps every
    non-empty child key to `node_ref`, so the node's shape applies at every
    depth, as Kazoo 4.3's `callflows.action` does. The default of a required
    property (`data`) stays in the node, because it is what lets a node leave
    that property out. The default of an optional property (`children`) only
    adds a key to the stored node, and the page sets it on the top-level node,
    so `flow` keeps it and the node drops it.
    """
    flow = callflows.get("properties", {}).get("flow")
    if not isinstance(flow, dict) or "$ref" in flow:
        return None

    node: Schema = copy.deepcopy(flow)
    for name in top_level_defaults(flow):
        del node["properties"][name]["default"]
    children = node.get("properties", {}).get("children")
    if isinstance(children, dict) and not _has_member_keywords(children):
        children["patternProperties"] = {".+": {"$ref": node_ref}}
    return node


def top_level_defaults(flow: Mapping[str, Any]) -> Schema:
    """Return `{name: {"default": value}}` for each optional property with a default.

    These defaults of an inline `flow` apply to the top-level node only.
    """
    required = flow.get("required", [])
    defaults: Schema = {}
    for name, schema in flow.get("properties", {}).items():
        if name not in required and isinstance(schema, dict) and "default" in schema:
            defaults[name] = {"default": copy.deepcopy(schema["default"])}
    return defaults


def module_names(
    schema_ids: Sequence[str], family: NodeFamily = CALLFLOW_NODES
) -> list[str]:
    """Return the sorted modules of a node family whose `data` schema is among the ids.

    Kazoo validates a callflow node's `data` against the schema
    `callflows.<module>` (a metaflow node's against `metaflows.<module>`), so
    every such id is a module, except the node itself (`callflows.action`) and
    sub-schemas with a further dot (`callflows.audio_macro.prompt`).
    """
    prefix = family.data_prefix + "."
    return sorted(
        schema_id[len(prefix) :]
        for schema_id in schema_ids
        if schema_id.startswith(prefix)
        and schema_id != family.node
        and "." not in schema_id[len(prefix) :]
    )


def _link_modules(schemas: dict[str, Schema]) -> None:
    """Add the node variants and the discriminated union of every node family."""
    for family in NODE_FAMILIES:
        _link_family(schemas, family)


def _link_family(schemas: dict[str, Schema], family: NodeFamily) -> None:
    """Add one node variant per module and the union over them.

    Every reference to the node outside the variants is pointed at the union, so
    for callflows `flow` and `children` accept only nodes of known modules.
    Without module schemas, or without the node, the components stay as they are.
    """
    modules = module_names(list(schemas), family)
    if not modules or family.node not in schemas:
        return

    node_ref = crossbar.SCHEMA_PREFIX + family.node
    union_ref = crossbar.SCHEMA_PREFIX + family.union
    for schema_id in list(schemas):
        schemas[schema_id] = _retarget_refs(schemas[schema_id], node_ref, union_ref)

    required = schemas[family.node].get("required", [])
    mapping = {}
    for module in modules:
        variant = f"{family.variant_prefix}.{module}"
        data_schema = schemas[f"{family.data_prefix}.{module}"]
        empty_data_valid = not data_schema.get("required")
        schemas[variant] = _module_variant(family, module, required, empty_data_valid)
        mapping[module] = crossbar.SCHEMA_PREFIX + variant
    schemas[family.union] = {
        "description": f"A {family.kind} node of a known module. `module` selects "
        "the variant, and `data` must match the module's schema "
        f"`{family.data_prefix}.<module>`.",
        "oneOf": [{"$ref": target} for target in mapping.values()],
        "discriminator": {"propertyName": MODULE_KEY, "mapping": mapping},
    }


def _retarget_refs(node: Any, old: str, new: str) -> Any:
    """Return `node` with every `$ref` to `old` pointing at `new`."""
    if isinstance(node, list):
        return [_retarget_refs(item, old, new) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _retarget_refs(value, old, new) for key, value in node.items()}
    if result.get("$ref") == old:
        result["$ref"] = new
    return result


def _module_variant(
    family: NodeFamily,
    module: str,
    base_required: Sequence[str],
    empty_data_valid: bool,
) -> Schema:
    """Return the node variant of one module: its name and its data schema.

    `data` keeps the node's `{}` default only where `{}` is valid module data,
    and is required where it is not, so a module with required properties needs
    `data`. `required` repeats the base's list, because datamodel-code-generator
    otherwise drops the default in the subclass it generates.
    """
    data = ref(f"{family.data_prefix}.{module}")
    required = set(base_required)
    if empty_data_valid:
        data["default"] = {}
    else:
        required.add("data")
    return {
        "description": f"A {family.kind} node that runs the `{module}` module.",
        "allOf": [
            ref(family.node),
            {
                "type": "object",
                "required": sorted(required),
                "properties": {
                    MODULE_KEY: {"type": "string", "const": module},
                    "data": data,
                },
            },
        ],
    }


def _has_member_keywords(schema: Schema) -> bool:
    return any(
        key in schema
        for key in ("properties", "patternProperties", "additionalProperties")
    )


_SYMBOL_NAMES = {"*": "star", "#": "pound", "+": "plus", "-": "minus", "": "empty"}


def _name_enum_members(node: Any) -> None:
    """Add `x-enum-varnames` to string enums whose values are not identifiers.

    datamodel-code-generator names enum members after this list, so the DTMF
    enum gets `digit_1`, `star` and `pound` instead of numbered placeholders.
    """
    if isinstance(node, list):
        for item in node:
            _name_enum_members(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _name_enum_members(value)

    values = node.get("enum")
    if not isinstance(values, list) or ENUM_NAMES_KEY in node:
        return
    if all(isinstance(value, str) and _is_member_name(value) for value in values):
        return
    if all(isinstance(value, str) for value in values):
        node[ENUM_NAMES_KEY] = _unique(enum_member_name(value) for value in values)


def enum_member_name(value: str) -> str:
    """Return a readable Python identifier for an enum value."""
    if value in _SYMBOL_NAMES:
        return _SYMBOL_NAMES[value]
    if value.isdigit():
        return f"digit_{value}" if len(value) == 1 else f"number_{value}"
    name = re.sub(r"\W+", "_", value).strip("_").lower()
    if not name:
        return "value"
    if not _is_member_name(name):
        return f"value_{name}"
    return name


def _is_member_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _unique(names: Any) -> list[str]:
    """Return the names, suffixing repeats with their position."""
    result: list[str] = []
    for name in names:
        result.append(f"{name}_{len(result)}" if name in result else name)
    return result


def crossbar_components(callflow: Mapping[str, Any]) -> dict[str, Schema]:
    """Return the PascalCase envelope components around the callflow schema."""
    featurecode = callflow.get("properties", {}).get("featurecode", {"type": "object"})
    return {
        crossbar.CALLFLOW_REQUEST: {
            "type": "object",
            "description": "Request envelope of a create or replace.",
            "required": ["data"],
            "properties": {
                "data": {
                    **crossbar.request_data(dict(callflow)),
                    "description": "The callflow to store. Kazoo normalises its "
                    "numbers, then validates it as a "
                    f"`{CALLFLOWS}`, which `{MERGE_TARGET_KEY}` names.",
                    MERGE_TARGET_KEY: crossbar.SCHEMA_PREFIX + CALLFLOWS,
                }
            },
        },
        crossbar.CALLFLOW_PATCH_REQUEST: {
            "type": "object",
            "description": "Request envelope of a patch.",
            "required": ["data"],
            "properties": {
                "data": {
                    "type": "object",
                    "description": "Keys to merge into the stored callflow; `null` "
                    "removes a key. The merged document must be a valid "
                    f"`{CALLFLOWS}`, which `{MERGE_TARGET_KEY}` names.",
                    MERGE_TARGET_KEY: crossbar.SCHEMA_PREFIX + CALLFLOWS,
                }
            },
        },
        crossbar.CALLFLOW_DOCUMENT: {
            "description": "A stored callflow as responses show it.",
            "allOf": [ref(CALLFLOWS), crossbar.stored_document_extras()],
        },
        crossbar.CALLFLOW_RESPONSE: crossbar.success_envelope(
            ref(crossbar.CALLFLOW_DOCUMENT), "Success envelope of one callflow."
        ),
        crossbar.CALLFLOW_LIST_ROW: crossbar.list_row(copy.deepcopy(featurecode)),
        crossbar.CALLFLOW_LIST_RESPONSE: crossbar.list_envelope(
            ref(crossbar.CALLFLOW_LIST_ROW)
        ),
        crossbar.ERROR_RESPONSE: crossbar.error_envelope(),
    }


def build_paths() -> dict[str, Any]:
    """Return the two callflows paths with their operations."""
    paths: dict[str, Any] = {}
    for operation in OPERATIONS:
        if operation.path not in paths:
            names = re.findall(r"\{(\w+)\}", operation.path)
            paths[operation.path] = {"parameters": [_parameter(n) for n in names]}
        paths[operation.path][operation.method] = _operation(operation)
    return paths


def _parameter(name: str) -> Schema:
    return {"$ref": f"#/components/parameters/{name}"}


def _operation(operation: Operation) -> Schema:
    result: Schema = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "description": operation.description,
        "tags": [TAG],
    }
    if operation.operation_id == "list_callflows":
        result["parameters"] = [_parameter(n) for n in crossbar.list_parameters()]
    if operation.request_schema is not None:
        # Kazoo reads a request without a body as `{"data": {}}`; only a patch
        # accepts that, as a merge of nothing.
        result["requestBody"] = {
            "required": operation.method != "patch",
            "content": {"application/json": {"schema": ref(operation.request_schema)}},
        }

    responses: Schema = {str(operation.success_status): _success(operation)}
    for status in operation.error_statuses:
        name = crossbar.error_response_name(status)
        responses[str(status)] = {"$ref": f"#/components/responses/{name}"}
    result["responses"] = responses
    return result


def _success(operation: Operation) -> Schema:
    response: Schema = {"description": operation.success_description}
    if operation.method == "get":
        response["headers"] = {"ETag": {"$ref": "#/components/headers/ETag"}}
    if operation.method == "put":
        response["headers"] = {"Location": {"$ref": "#/components/headers/Location"}}
    response["content"] = {
        "application/json": {"schema": ref(operation.response_schema)}
    }
    if operation.method == "put":
        response["links"] = _links_from_created_id()
    return response


def _links_from_created_id() -> dict[str, Schema]:
    """Link a create's returned id to every operation on that callflow."""
    return {
        "".join(part.title() for part in item.operation_id.split("_")): {
            "operationId": item.operation_id,
            "description": f"{item.summary} by the id the create returned.",
            "parameters": {
                "ACCOUNT_ID": "$request.path.ACCOUNT_ID",
                "CALLFLOW_ID": "$response.body#/data/id",
            },
        }
        for item in OPERATIONS
        if item.path == ITEM_PATH
    }
