"""Errors the mock turns into Kazoo 4.3 error envelopes, and Kazoo's message texts.

Every class defines its HTTP status, the envelope's `message` and its `data`; the app
renders them in one place (`mock_server.app`).

MockError                         base: status, envelope message, data
├── FixtureError                  400 a fixture file or body that cannot be loaded
├── ValidationFailed              400 "validation error", data keyed by path and rule
│   ├── InvalidJson               400 json.invalid: the body is not a JSON object
│   ├── EnvelopeInvalid           400 data.required / data.type: no usable `data`
│   ├── PayloadTooLarge           400 file.maxSize: body over the upload limit
│   └── NumbersInUse              400 numbers.unique / patterns.unique (from the store)
├── InvalidCredentials            401 invalid_credentials
├── Forbidden                     403 forbidden
├── NotFound                      404 not_found: no such endpoint
├── BadIdentifier                 404 bad_identifier with the id as cause
│   └── CallflowNotFound          404 the callflow is missing or deleted (store)
├── MalformedAccountId            404 "bad identifier": the account id is not 32 hex
├── ApiKeyNotFound                404 "bad identifier" with the key as a list
├── MethodNotAllowed              405 invalid_method
├── DatastoreConflict             409 datastore_conflict
│   ├── IdTaken                   409 PUT with an id that exists (from the store)
│   └── RevisionMismatch          409 the document changed since it was read (store)
├── PreconditionFailed            412 If-Match names a stale revision
├── UnsupportedMediaType          415 content type Kazoo does not accept
├── HandlerNotImplemented         501 an operation the mock does not implement
└── DatastoreFault                500 the state file or Redis failed
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Kazoo's message texts, exactly as Kazoo 4.3 sends them; clients match on these.
MSG_VALIDATION_ERROR = "validation error"
MSG_REQUIRED = "Field is required but missing"
MSG_NUMBERS_OR_PATTERNS = "Callflows must be assigned at least one number or pattern"
MSG_NOT_UNIQUE_ITEMS = "List of items is not unique"
MSG_NOT_IN_ENUM = "Value not found in enumerated list of values"
MSG_STRICT_PROPERTIES = (
    "Strict checking of data is enabled; only include schema-defined properties"
)
MSG_ALL_JSON_VALID = "All JSON must be valid"
MSG_MAX_SIZE = "Payload or Files must not be more than {limit} bytes"
MSG_INVALID_CREDENTIALS = "invalid credentials"
MSG_FORBIDDEN = "forbidden"
MSG_NOT_FOUND = "not found"
MSG_BAD_IDENTIFIER = "bad identifier"
MSG_INVALID_ACCOUNT_ID = "invalid account_id '{account_id}'"
MSG_METHOD_NOT_ALLOWED = "method not allowed"
MSG_CONFLICTING_DOCUMENTS = "conflicting documents"
MSG_UNKNOWN_FAILURE = "unknown failure"
MSG_UNIQUE = "{value} exists in callflow {callflow_id} ({name})"

# Kazoo leaves 412, 415 and 501 to its HTTP server, which sends no JSON body. These
# texts are the mock's own, in the same style, so every response is an envelope.
MSG_PRECONDITION_FAILED = "precondition failed"
MSG_UNSUPPORTED_MEDIA_TYPE = "unsupported media type"
MSG_NOT_IMPLEMENTED = "not implemented"
# The mock's own cap on JSON nesting, so that no decoding, validation or encoding
# step recurses too deep.
MSG_MAX_DEPTH = "JSON must not be nested more than {limit} levels deep"

ErrorMap = dict[str, dict[str, dict[str, Any]]]
"""Validation errors: dotted field path, then Kazoo rule name, then the error body."""


class MockError(Exception):
    """Base of every error rendered as a Kazoo error envelope."""

    status_code = 500
    error_message = "unspecified_fault"

    def data(self) -> Any:
        """Return the envelope's `data` value."""
        return {"message": str(self) or self.error_message}


class FixtureError(MockError):
    """A fixture document that cannot be loaded; the message names the entry."""

    status_code = 400
    error_message = "invalid_fixtures"


class ValidationFailed(MockError):
    """Invalid request data, reported field by field."""

    status_code = 400
    error_message = MSG_VALIDATION_ERROR

    def __init__(self, errors: ErrorMap) -> None:
        self.errors = errors
        super().__init__(", ".join(f"{path}.{rule}" for path, rule in _pairs(errors)))

    def data(self) -> Any:
        return self.errors


class InvalidJson(ValidationFailed):
    """A body that is not valid JSON, or valid JSON that is not an object."""

    def __init__(self, message: str) -> None:
        super().__init__({"json": {"invalid": {"message": message, "target": "body"}}})


class EnvelopeInvalid(ValidationFailed):
    """A JSON body whose `data` is missing or neither an object nor an array."""

    @classmethod
    def missing(cls, envelope: Any) -> EnvelopeInvalid:
        """Build the error for an envelope without `data`."""
        body = {"message": MSG_REQUIRED, "value": envelope}
        return cls({"data": {"required": body}})

    @classmethod
    def wrong_type(cls, value: Any) -> EnvelopeInvalid:
        """Build the error for a `data` value that is a string, number or null."""
        types = "object, array"
        body = {"message": f"Value did not match type(s): {types}", "target": types}
        return cls({"data": {"type": {**body, "value": value}}})


class PayloadTooLarge(ValidationFailed):
    """A body larger than the upload limit; Kazoo 4.3 returns 400, not 413."""

    def __init__(self, limit: int) -> None:
        body = {"message": MSG_MAX_SIZE.format(limit=limit), "target": limit}
        super().__init__({"file": {"maxSize": body}})


@dataclass(frozen=True, slots=True)
class Conflict:
    """One number or pattern that another live callflow of the account uses."""

    field: str  # "numbers" or "patterns"
    value: str
    callflow_id: str
    name: str  # the other callflow's name, or its id when it has none


class NumbersInUse(ValidationFailed):
    """Numbers or patterns that other callflows of the account already use."""

    def __init__(self, conflicts: Iterable[Conflict]) -> None:
        self.conflicts = tuple(conflicts)
        super().__init__(unique_errors(self.conflicts))


def unique_errors(conflicts: Iterable[Conflict]) -> ErrorMap:
    """Build Kazoo 4.3's `unique` errors; one survives per field, as in Kazoo.

    Kazoo reads conflicts from a view sorted by value then callflow id and keeps the
    error of the last row, so the greatest (value, id) pair wins.
    """
    errors: ErrorMap = {}
    for conflict in sorted(conflicts, key=lambda c: (c.value, c.callflow_id)):
        message = MSG_UNIQUE.format(
            value=conflict.value, callflow_id=conflict.callflow_id, name=conflict.name
        )
        body = {"message": message, "cause": conflict.value}
        errors[conflict.field] = {"unique": body}
    return errors


class InvalidCredentials(MockError):
    """No token, an unknown token, or wrong login credentials."""

    status_code = 401
    error_message = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__(MSG_INVALID_CREDENTIALS)


class Forbidden(MockError):
    """A token of one account used on an account that is not its own or a descendant."""

    status_code = 403
    error_message = "forbidden"

    def __init__(self) -> None:
        super().__init__(MSG_FORBIDDEN)


class NotFound(MockError):
    """A path that matches no endpoint."""

    status_code = 404
    error_message = "not_found"

    def __init__(self) -> None:
        super().__init__(MSG_NOT_FOUND)


class BadIdentifier(MockError):
    """A well-formed id that names no document."""

    status_code = 404
    error_message = "bad_identifier"

    def __init__(self, identifier: str) -> None:
        self.identifier = identifier
        super().__init__(f"{MSG_BAD_IDENTIFIER}: {identifier!r}")

    def data(self) -> Any:
        return {"cause": self.identifier, "message": MSG_BAD_IDENTIFIER}


class CallflowNotFound(BadIdentifier):
    """A callflow id that is missing, deleted or not a callflow."""


class MalformedAccountId(MockError):
    """An account id in the path that is not 32 lowercase hex characters."""

    status_code = 404
    error_message = MSG_BAD_IDENTIFIER

    def __init__(self, account_id: str) -> None:
        super().__init__(MSG_INVALID_ACCOUNT_ID.format(account_id=account_id))


class ApiKeyNotFound(MockError):
    """An API key that no account has; Kazoo puts the key alone in a list."""

    status_code = 404
    error_message = MSG_BAD_IDENTIFIER

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        super().__init__("unknown API key")

    def data(self) -> Any:
        return [self.api_key]


class MethodNotAllowed(MockError):
    """A method that the endpoint does not support."""

    status_code = 405
    error_message = "invalid_method"

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.allowed = tuple(allowed)
        super().__init__(MSG_METHOD_NOT_ALLOWED)


class DatastoreConflict(MockError):
    """A write that conflicts with the stored document."""

    status_code = 409
    error_message = "datastore_conflict"

    def data(self) -> Any:
        return {"message": MSG_CONFLICTING_DOCUMENTS}


class IdTaken(DatastoreConflict):
    """A create with a client-chosen id that a callflow (maybe deleted) already has."""

    def __init__(self, callflow_id: str) -> None:
        self.callflow_id = callflow_id
        super().__init__(f"callflow id {callflow_id!r} is taken")


class RevisionMismatch(DatastoreConflict):
    """A write based on a revision that is no longer the stored one."""

    def __init__(self, expected: str, actual: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"revision {expected!r} is stale; the stored one is {actual!r}"
        )


class PreconditionFailed(MockError):
    """An If-Match header that names none of the document's current revisions."""

    status_code = 412
    error_message = "precondition_failed"

    def __init__(self) -> None:
        super().__init__(MSG_PRECONDITION_FAILED)


class UnsupportedMediaType(MockError):
    """A write whose Content-Type Kazoo does not accept."""

    status_code = 415
    error_message = "unsupported_media_type"

    def __init__(self, content_type: str) -> None:
        self.content_type = content_type
        super().__init__(MSG_UNSUPPORTED_MEDIA_TYPE)


class HandlerNotImplemented(MockError):
    """An operation of the spec whose handler the mock does not override."""

    status_code = 501
    error_message = "not_implemented"

    def __init__(self, operation_id: str) -> None:
        self.operation_id = operation_id
        super().__init__(MSG_NOT_IMPLEMENTED)

    def data(self) -> Any:
        return {"cause": self.operation_id, "message": MSG_NOT_IMPLEMENTED}


class DatastoreFault(MockError):
    """A state file or Redis server that failed; Kazoo's 500 for datastore errors.

    The message names the cause for the log and the start-up error; the
    envelope's `data.cause` carries only its first line.
    """

    status_code = 500
    error_message = "datastore_fault"

    def data(self) -> Any:
        cause = str(self).split("\n", 1)[0]
        return {"cause": cause, "message": MSG_UNKNOWN_FAILURE}


def merge_errors(target: ErrorMap, extra: Mapping[str, Mapping[str, Any]]) -> None:
    """Add `extra` to `target`; an error already there for a path and rule is kept."""
    for path, rules in extra.items():
        slot = target.setdefault(path, {})
        for rule, body in rules.items():
            slot.setdefault(rule, body)


def _pairs(errors: ErrorMap) -> Iterable[tuple[str, str]]:
    for path, rules in errors.items():
        for rule in rules:
            yield path, rule
