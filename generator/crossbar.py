"""Fixed facts of Kazoo 4.3's crossbar API that no doc table states.

Envelopes, the error body, list rows, paging and filter parameters, authentication,
path parameters and error responses, as OpenAPI 3.1 fragments that
`generator.openapi` places into the callflows document.
"""

from __future__ import annotations

import copy
from typing import Any

Schema = dict[str, Any]

SCHEMA_PREFIX = "#/components/schemas/"
KAZOO_ID_PATTERN = "^[0-9a-f]{32}$"

# Component names of the crossbar shapes, fixed by the contract with generate/serve.
CALLFLOW_REQUEST = "CallflowRequest"
CALLFLOW_PATCH_REQUEST = "CallflowPatchRequest"
CALLFLOW_DOCUMENT = "CallflowDocument"
CALLFLOW_RESPONSE = "CallflowResponse"
CALLFLOW_LIST_ROW = "CallflowListRow"
CALLFLOW_LIST_RESPONSE = "CallflowListResponse"
ERROR_RESPONSE = "ErrorResponse"

AUTH_HEADER_SCHEME = "AuthToken"
AUTH_QUERY_SCHEME = "AuthTokenQuery"

# Example values shared by the documented example bodies.
EXAMPLE_ACCOUNT_ID = "3c2a1f0e9b8d7c6b5a4f3e2d1c0b9a88"
EXAMPLE_CALLFLOW_ID = "6f1c0a0b3c5d4e7f8a9b0c1d2e3f4a5b"
_EXAMPLE_ENVELOPE = {
    "auth_token": "example-auth-token",
    "request_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    "node": "Jm9vYmFyQGV4YW1wbGUx",
    "version": "4.3.0",
    "timestamp": "2024-05-01T12:00:00Z",
}


def ref(component: str) -> Schema:
    """Return a `$ref` to a schema component."""
    return {"$ref": SCHEMA_PREFIX + component}


def _string(description: str, **keywords: Any) -> Schema:
    return {"type": "string", "description": description, **keywords}


def _envelope_properties() -> Schema:
    """Return the keys every crossbar envelope carries next to `data`."""
    return {
        "auth_token": _string(
            "The token the request authenticated with. Success envelopes omit it "
            "when the request sent none; Kazoo 4.3 error envelopes then carry the "
            'string "undefined".'
        ),
        "request_id": _string(
            "The request's X-Request-ID header, or a 32-character hex id that the "
            "server chose."
        ),
        "node": _string("Opaque id of the Kazoo node that sent the response."),
        "version": _string("Kazoo version of the node that sent the response."),
        "timestamp": _string(
            "Time of the response, ISO 8601 in UTC.", format="date-time"
        ),
    }


_ENVELOPE_REQUIRED = ["status", "data", "request_id", "node", "version", "timestamp"]


def success_envelope(data: Schema, description: str) -> Schema:
    """Return the success envelope of one callflow document."""
    return {
        "type": "object",
        "description": description,
        "required": list(_ENVELOPE_REQUIRED),
        "properties": {
            "status": {"const": "success", "type": "string"},
            **_envelope_properties(),
            "revision": _string(
                "The document's revision (CouchDB `_rev`) before a delete, after a "
                "write, or as fetched."
            ),
            "data": data,
        },
    }


def list_envelope(row: Schema) -> Schema:
    """Return the success envelope of the callflows listing."""
    return {
        "type": "object",
        "description": "Success envelope of the callflows listing.",
        "required": list(_ENVELOPE_REQUIRED),
        "properties": {
            "status": {"const": "success", "type": "string"},
            **_envelope_properties(),
            "revision": _string(
                "Opaque MD5 of the rendered body; absent when the list is empty."
            ),
            "data": {
                "type": "array",
                "description": "One row per callflow of the account.",
                "items": row,
            },
            "page_size": {
                "type": "integer",
                "minimum": 0,
                "description": "Number of rows in `data` (not the requested size). "
                "Absent with `paginate=false`.",
            },
            "start_key": _string(
                "The `start_key` of the request, present only when it sent one."
            ),
            "next_start_key": _string(
                "Key of the next page, to send as `start_key`; absent on the last page."
            ),
        },
    }


def error_envelope() -> Schema:
    """Return the error envelope shared by every 4xx response."""
    return {
        "type": "object",
        "description": "Kazoo's error envelope.",
        "required": ["status", "error", "message", "data", *_ENVELOPE_REQUIRED[2:]],
        "properties": {
            "status": {"const": "error", "type": "string"},
            **_envelope_properties(),
            "error": _string(
                'The HTTP status code as a string, such as "404".',
                pattern="^[1-5][0-9]{2}$",
            ),
            "message": _string(
                "Error name such as `bad_identifier` or `validation error`."
            ),
            "data": {
                "type": "object",
                "description": "Validation errors keyed by dotted field path then by "
                "rule (`required`, `type`, `minLength`, `unique`, ...), or a "
                "system error with `message` and, for some errors, `cause`.",
            },
        },
    }


def list_row(featurecode: Schema) -> Schema:
    """Return one row of the callflows listing; `featurecode` is the page's schema."""
    strings: Schema = {"type": "array", "items": {"type": "string"}}
    return {
        "type": "object",
        "description": "A callflow as the listing shows it (Kazoo 4.3 view "
        "`callflows/crossbar_listing`).",
        "required": ["id", "featurecode", "modules", "flags"],
        "properties": {
            "id": _string("Id of the callflow.", pattern=KAZOO_ID_PATTERN),
            "name": _string("Name of the callflow, when it has one."),
            "type": _string("Free-form `type` of the callflow, when set."),
            "numbers": {**strings, "description": "Numbers, as stored."},
            "patterns": {**strings, "description": "Patterns, as stored."},
            "owner_id": _string("Owner of the callflow, when set."),
            "group_id": _string("Group of the callflow, when set."),
            "featurecode": {
                "description": "The stored feature code, or `false` when the "
                "callflow has none.",
                "anyOf": [featurecode, {"const": False, "type": "boolean"}],
            },
            "modules": {
                **strings,
                "description": "Distinct module names of the flow, depth first; a "
                "node counts when it has `module` and `data` and "
                "`data.skip_module` is not true.",
            },
            "flags": {**strings, "description": "Flags set by external applications."},
        },
    }


def request_data(callflow: Schema) -> Schema:
    """Return the schema of a create's or replace's `data`: the callflow as sent.

    Kazoo 4.3 normalises the numbers before it validates the document, so a
    number is checked in its normalised form (`raw_number`), and two numbers
    that normalise alike break `uniqueItems`. It also requires at least one
    number or pattern. The stored document obeys `callflow` itself.
    """
    data = copy.deepcopy(callflow)
    properties = data.setdefault("properties", {})
    numbers = properties.get("numbers")
    if isinstance(numbers, dict) and isinstance(numbers.get("items"), dict):
        numbers["items"] = raw_number(numbers["items"])
        numbers["uniqueItems"] = True
    data["anyOf"] = [
        {"required": [name], "properties": {name: {"minItems": 1}}}
        for name in ("numbers", "patterns")
    ]
    return data


def raw_number(stored: Schema) -> Schema:
    """Return the schema of a number before Kazoo 4.3's default normalisation.

    `stored` limits the normalised number to `maxLength` characters. A number
    that starts with `00` or `011` followed by five or more digits loses that
    prefix to a `+`, so it may be one or two characters longer. Eight or more
    digits starting with 2-9 gain a `+`, so such a number must be one
    character shorter. Other numbers are stored as sent.
    """
    limit = stored.get("maxLength")
    if not isinstance(limit, int):
        return stored
    plain = {key: value for key, value in stored.items() if key != "maxLength"}
    return {
        **plain,
        "anyOf": [
            {"maxLength": limit, "not": {"pattern": f"^[2-9][0-9]{{{limit - 1}}}$"}},
            {"maxLength": limit + 1, "pattern": "^00[0-9]{5,}$"},
            {"maxLength": limit + 2, "pattern": "^011[0-9]{5,}$"},
        ],
    }


def stored_document_extras() -> Schema:
    """Return the keys a response adds to the stored callflow document."""
    return {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": _string("Id of the callflow.", pattern=KAZOO_ID_PATTERN),
            "metadata": {
                "type": "object",
                "description": "Fetch only: the documents the flow refers to, by id.",
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "numbers": {"type": "array", "items": {"type": "string"}},
                        "pvt_type": {"type": "string"},
                    },
                },
            },
            "_read_only": {
                "type": "object",
                "description": 'Delete only: `{"deleted": true}`.',
                "properties": {"deleted": {"type": "boolean"}},
            },
        },
    }


def path_parameters() -> dict[str, Schema]:
    """Return the ACCOUNT_ID and CALLFLOW_ID path parameters, by component name."""
    return {
        name: {
            "name": name,
            "in": "path",
            "required": True,
            "description": f"{label} id: 32 lowercase hexadecimal characters.",
            "schema": {"type": "string", "pattern": KAZOO_ID_PATTERN},
        }
        for name, label in (("ACCOUNT_ID", "Account"), ("CALLFLOW_ID", "Callflow"))
    }


def _query(name: str, description: str, schema: Schema) -> Schema:
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _key_filter(name: str, description: str) -> Schema:
    # An empty KEY names no field: `has_key=` keeps nothing, `key_missing=` all.
    return _query(name, description, {"type": "string"})


def _or_any_string(schema: Schema) -> Schema:
    """Return `schema` or any string: Kazoo 4.3 rejects no value of this parameter.

    The first branch is the value that has an effect; the description of the
    parameter states what Kazoo does with any other string.
    """
    return {"anyOf": [schema, {"type": "string"}]}


def _time_filter(name: str, bound: str, field: str) -> Schema:
    return _query(
        name,
        f"Keep callflows whose `{field}` is {bound} this value, in Gregorian "
        "seconds (Unix time + 62167219200); the bound is inclusive. A value that "
        "is not an integer keeps no callflow.",
        _or_any_string({"type": "integer"}),
    )


def list_parameters() -> dict[str, Schema]:
    """Return the query parameters of the listing, by component name."""
    return {
        "paginate": _query(
            "paginate",
            "`false` returns every row, without `page_size`, `start_key` and "
            "`next_start_key`; any other value pages.",
            {**_or_any_string({"type": "boolean"}), "default": True},
        ),
        "page_size": _query(
            "page_size",
            "Rows per page. Kazoo 4.3 reads a value that is not a positive integer "
            "as 50.",
            {**_or_any_string({"type": "integer", "minimum": 1}), "default": 50},
        ),
        "start_key": _query(
            "start_key",
            "`next_start_key` of the previous page; a plain callflow id works too. "
            "A key that matches no callflow starts at the next one in id order.",
            {"type": "string"},
        ),
        "filters": {
            "name": "filters",
            "in": "query",
            "description": "Field filters, each a query key of its own: "
            "`filter_<KEY>=<VALUE>` keeps callflows whose value at the dotted path "
            "KEY, as a string, equals VALUE or is in VALUE read as a JSON list; "
            "`filter_not_<KEY>=<VALUE>` keeps the others. Filters read the stored "
            "document, and all of them must match. Kazoo 4.3 ignores query keys "
            "that are neither filters nor other parameters of this operation.",
            "style": "form",
            "explode": True,
            "schema": {"type": "object"},
        },
        "has_key": _key_filter(
            "has_key", "Keep callflows that have a value (null too) at this path."
        ),
        "key_missing": _key_filter(
            "key_missing", "Keep callflows that have no value at this path."
        ),
        "has_value": _key_filter(
            "has_value",
            "Keep callflows whose value at this path is not empty: not null, "
            '`""`, `"0"`, `0`, `[]` or `{}`.',
        ),
        "value_missing": _key_filter(
            "value_missing", "Keep callflows whose value at this path is empty."
        ),
        "created_from": _time_filter("created_from", "at or after", "pvt_created"),
        "created_to": _time_filter("created_to", "at or before", "pvt_created"),
        "modified_from": _time_filter("modified_from", "at or after", "pvt_modified"),
        "modified_to": _time_filter("modified_to", "at or before", "pvt_modified"),
        "pretty_print": _query(
            "pretty_print",
            "`true` indents the response body; any other value does not.",
            {**_or_any_string({"type": "boolean"}), "default": False},
        ),
    }


def security_schemes() -> dict[str, Schema]:
    """Return the two places a request may carry its auth token."""
    return {
        AUTH_HEADER_SCHEME: {
            "type": "apiKey",
            "in": "header",
            "name": "X-Auth-Token",
            "description": "Token from `PUT /v2/user_auth` or `PUT /v2/api_auth`.",
        },
        AUTH_QUERY_SCHEME: {
            "type": "apiKey",
            "in": "query",
            "name": "auth_token",
            "description": "The same token as a query parameter; the header wins.",
        },
    }


def security_requirement() -> list[dict[str, list[str]]]:
    """Return the document-wide requirement: one of the two token places."""
    return [{AUTH_HEADER_SCHEME: []}, {AUTH_QUERY_SCHEME: []}]


def response_headers() -> dict[str, Schema]:
    """Return the `Location` and `ETag` header components."""
    return {
        "Location": {
            "description": "Path of the created callflow: the request path, `/`, "
            "then the new id.",
            "schema": {"type": "string"},
        },
        "ETag": {
            "description": "The response's `revision` in double quotes.",
            "schema": {"type": "string"},
        },
    }


# status -> (response component, description, envelope `message`, example `data`).
# A `None` message marks a status that Kazoo 4.3 leaves to cowboy, which sends no body.
_ERRORS: dict[int, tuple[str, str, str | None, Schema]] = {
    400: (
        "BadRequest",
        "Validation error: the body (on PATCH, the document merged from it) breaks "
        "the schema or a callflow rule, such as numbers unique within the account "
        "or at least one number or pattern; or the body is not a JSON envelope "
        "with `data`.",
        "validation error",
        {
            "numbers": {
                "required": {
                    "message": "Callflows must be assigned at least one number or "
                    "pattern"
                }
            }
        },
    ),
    401: (
        "Unauthorized",
        "No auth token, or one the server does not know.",
        "invalid_credentials",
        {"message": "invalid credentials"},
    ),
    403: (
        "Forbidden",
        "The token's account is neither the account in the path nor one of its "
        "ancestors.",
        "forbidden",
        {"message": "forbidden"},
    ),
    404: (
        "NotFound",
        "The account or callflow does not exist (`bad_identifier`, with the id as "
        "`cause`), or an id in the path is malformed.",
        "bad_identifier",
        {"cause": EXAMPLE_CALLFLOW_ID, "message": "bad identifier"},
    ),
    405: (
        "MethodNotAllowed",
        "The method is not allowed on this path, for example after a `verb` override.",
        "invalid_method",
        {"message": "method not allowed"},
    ),
    409: (
        "Conflict",
        "The datastore rejected the write: a concurrent update, or a create with "
        "an `id` that exists.",
        "datastore_conflict",
        {"message": "conflicting documents"},
    ),
    412: (
        "PreconditionFailed",
        "`If-Match` names another revision. Kazoo 4.3 sends an empty body.",
        None,
        {},
    ),
    415: (
        "UnsupportedMediaType",
        "The request's Content-Type is not one crossbar reads. Kazoo 4.3 sends an "
        "empty body.",
        None,
        {},
    ),
}


def error_response_name(status: int) -> str:
    """Return the response component name of an error status."""
    return _ERRORS[status][0]


def error_responses() -> dict[str, Schema]:
    """Return the error response components, by name, in status order."""
    responses: dict[str, Schema] = {}
    for status, (name, description, message, data) in sorted(_ERRORS.items()):
        response: Schema = {"description": description}
        if message is not None:
            example = {
                "status": "error",
                "error": str(status),
                "message": message,
                "data": data,
                **_EXAMPLE_ENVELOPE,
            }
            response["content"] = {
                "application/json": {"schema": ref(ERROR_RESPONSE), "example": example}
            }
        responses[name] = response
    return responses
