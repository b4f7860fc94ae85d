"""The mock's implementation of the generated callflows handlers.

Before a handler runs, the app has decoded the body, checked the account and the
token, and stored a RequestContext in the scope. Each handler validates the
data, calls the store and renders a success envelope. Errors are raised as
MockError, and the app turns them into error envelopes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import orjson
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from generated.handlers import CallflowsHandlers
from mock_server.context import RequestContext, request_context
from mock_server.documents import (
    StoredCallflow,
    gregorian_now,
    merge_patch,
    public_fields,
)
from mock_server.envelope import json_response, success_body
from mock_server.errors import (
    CallflowNotFound,
    DatastoreConflict,
    ErrorMap,
    IdTaken,
    PreconditionFailed,
    RevisionMismatch,
    ValidationFailed,
    merge_errors,
    unique_errors,
)
from mock_server.filters import filter_query
from mock_server.paging import PageRequest, encode_start_key, page_request
from mock_server.schema_errors import type_error
from mock_server.state import MockState
from mock_server.validation import check_callflow

WRITE_ATTEMPTS = 100
"""Times a POST or PATCH re-reads and retries after a concurrent write.

Each round one of the competing writers wins, so N concurrent writes of one
callflow need at most N attempts. After this many the response is 409.
"""
ID_ATTEMPTS = 10_000
"""Generated ids a create tries before it gives up with 409."""

_METADATA_FIELDS = ("name", "numbers", "pvt_type")


class MockHandlers(CallflowsHandlers):
    """Callflows handlers backed by a MockState.

    `models` maps operation ids to the generated request model that validates
    their documents (`Route.request_model`).
    """

    def __init__(
        self, state: MockState, models: Mapping[str, type[BaseModel] | None]
    ) -> None:
        self.state = state
        self.models = dict(models)

    # Listing -------------------------------------------------------------------

    async def list_callflows(self, request: Request, account_id: str) -> Response:
        """List callflows: one page (or all), filtered, in Kazoo 4.3's row order."""
        context = request_context(request)
        values = {k: context.request_value(k) for k in ("paginate", "page_size")}
        values["start_key"] = context.request_value("start_key")
        page = page_request(values)
        query = filter_query(context.query)

        limit = page.page_size if page.paginate else None
        listing = await self.state.store.listing(
            account_id, query, page.start_key, limit
        )
        headers: dict[str, str] = {}
        if listing.revision is not None:
            headers["etag"] = f'"{listing.revision}"'
        paging = _paging(page, listing.count, listing.next_id)
        body = success_body(
            context, listing.data, revision=listing.revision, paging=paging
        )
        return json_response(context, body, 200, headers)

    # One callflow --------------------------------------------------------------

    async def get_callflow(
        self, request: Request, account_id: str, callflow_id: str
    ) -> Response:
        """Fetch a callflow with the `metadata` of the documents its flow names."""
        context = request_context(request)
        record = await self._current(account_id, callflow_id)
        check_if_match(request, record)
        metadata = orjson.dumps(await self._metadata(account_id, record.refs))
        data = record.body[:-1] + b',"metadata":' + metadata + b"}"
        body = success_body(context, data, revision=record.rev)
        return json_response(context, body, 200, {"etag": f'"{record.rev}"'})

    async def _current(self, account_id: str, callflow_id: str) -> StoredCallflow:
        record = await self.state.store.get(account_id, callflow_id)
        if record is None:
            raise CallflowNotFound(callflow_id)
        return record

    async def _metadata(
        self, account_id: str, refs: tuple[str, ...]
    ) -> dict[str, dict[str, Any]]:
        """Describe each referenced id that resolves to a callflow or a document."""
        if not refs:
            return {}
        callflows = await self.state.store.get_many(account_id, refs)
        metadata: dict[str, dict[str, Any]] = {}
        for ref in refs:
            callflow = callflows.get(ref)
            if callflow is not None:
                entry: dict[str, Any] = {"name": callflow.name} if callflow.name else {}
                entry.update(numbers=list(callflow.numbers), pvt_type="callflow")
                metadata[ref] = entry
                continue
            document = self.state.directory.document(account_id, ref)
            if document is not None:
                fields = {k: document[k] for k in _METADATA_FIELDS if k in document}
                metadata[ref] = fields
        return metadata

    # Writes --------------------------------------------------------------------

    async def create_callflow(
        self, request: Request, account_id: str, data: dict[str, Any]
    ) -> Response:
        """Create a callflow; an `id` in the data becomes its id."""
        context = request_context(request)
        document = await self._validated(account_id, "create_callflow", data, None)
        raw_id = data.get("id")
        if isinstance(raw_id, str) and raw_id:
            record = await self.state.store.create(
                account_id, raw_id, document, gregorian_now()
            )
        else:
            record = await self._create_with_new_id(account_id, document)
        location = f"{request.url.path.rstrip('/')}/{quote(record.id, safe='')}"
        body = success_body(context, record.body, revision=record.rev)
        return json_response(context, body, 201, {"location": location})

    async def _create_with_new_id(
        self, account_id: str, document: dict[str, Any]
    ) -> StoredCallflow:
        """Create under a generated id, drawing another while the id is taken.

        A seeded id sequence starts over in every process, so a server restarted
        from a state file, or a second worker on Redis, draws ids already in use.
        """
        for _ in range(ID_ATTEMPTS):
            callflow_id = self.state.ids.document_id()
            try:
                return await self.state.store.create(
                    account_id, callflow_id, document, gregorian_now()
                )
            except IdTaken:
                continue
        raise DatastoreConflict(f"no free callflow id in {ID_ATTEMPTS} attempts")

    async def replace_callflow(
        self,
        request: Request,
        account_id: str,
        callflow_id: str,
        data: dict[str, Any],
    ) -> Response:
        """Replace every public field of a callflow with the request's data."""
        context = request_context(request)
        for _ in range(WRITE_ATTEMPTS):
            current = await self._current(account_id, callflow_id)
            document = await self._validated(
                account_id, "replace_callflow", data, callflow_id
            )
            record = await self._update(request, current, document)
            if record is not None:
                return _document_response(context, record.body, record.rev)
        raise DatastoreConflict("the callflow kept changing during the update")

    async def patch_callflow(
        self,
        request: Request,
        account_id: str,
        callflow_id: str,
        data: dict[str, Any],
    ) -> Response:
        """Merge the request's data into a callflow; a null value removes a key."""
        context = request_context(request)
        if not isinstance(data, dict):
            raise ValidationFailed({"data": {"type": type_error("object", data)}})
        for _ in range(WRITE_ATTEMPTS):
            current = await self._current(account_id, callflow_id)
            merged = merge_patch(public_fields(data), current.public())
            document = await self._validated(
                account_id, "patch_callflow", merged, callflow_id
            )
            record = await self._update(request, current, document)
            if record is not None:
                return _document_response(context, record.body, record.rev)
        raise DatastoreConflict("the callflow kept changing during the update")

    async def delete_callflow(
        self, request: Request, account_id: str, callflow_id: str
    ) -> Response:
        """Soft-delete a callflow (hard with `should_soft_delete=false`)."""
        context = request_context(request)
        current = await self._current(account_id, callflow_id)
        check_if_match(request, current)
        soft = _is_true(context.request_value("should_soft_delete"), default=True)
        old = await self.state.store.delete(
            account_id, callflow_id, current.rev, gregorian_now(), soft=soft
        )
        data = old.body[:-1] + b',"_read_only":{"deleted":true}}'
        return _document_response(context, data, old.rev)

    async def _validated(
        self,
        account_id: str,
        operation_id: str,
        data: Any,
        callflow_id: str | None,
    ) -> dict[str, Any]:
        """Return the document to store, or raise every validation error found."""
        model = self.models.get(operation_id)
        document, errors = check_callflow(model, data)
        numbers = _strings(document.get("numbers"))
        patterns = _strings(document.get("patterns"))
        # The store's write checks uniqueness atomically and raises the same
        # errors, so a lookup here only serves to report them with other errors.
        if errors and (numbers or patterns):
            conflicts = await self.state.store.conflicts(
                account_id, numbers, patterns, exclude_id=callflow_id
            )
            unique: ErrorMap = unique_errors(conflicts)
            merge_errors(errors, unique)
        if errors:
            raise ValidationFailed(errors)
        return document

    async def _update(
        self, request: Request, current: StoredCallflow, document: dict[str, Any]
    ) -> StoredCallflow | None:
        """Save `document` over `current`; None when another write came first."""
        if_match = check_if_match(request, current)
        try:
            return await self.state.store.update(
                current.account_id, current.id, document, current.rev, gregorian_now()
            )
        except RevisionMismatch:
            if if_match:
                raise PreconditionFailed from None
            return None


def check_if_match(request: Request, record: StoredCallflow) -> bool:
    """Raise 412 when an If-Match header names none of the record's revisions.

    Returns whether the request sent If-Match. `*` matches any stored document.
    Weak tags (`W/"…"`) never match, as in a strong comparison.
    """
    header = request.headers.get("if-match")
    if header is None:
        return False
    tags = [tag.strip() for tag in header.split(",")]
    if "*" in tags:
        return True
    if f'"{record.rev}"' not in tags and record.rev not in tags:
        raise PreconditionFailed
    return True


def _document_response(context: RequestContext, data: bytes, rev: str) -> Response:
    return json_response(context, success_body(context, data, revision=rev))


def _paging(
    page: PageRequest, count: int, next_id: str | None
) -> dict[str, Any] | None:
    if not page.paginate:
        return None
    paging: dict[str, Any] = {"page_size": count}
    if page.start_key is not None:
        paging["start_key"] = encode_start_key(page.start_key)
    if next_id is not None:
        paging["next_start_key"] = encode_start_key(next_id)
    return paging


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def _is_true(value: Any, *, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.lower() == "true"


def operation_models(routes: Iterable[Any]) -> dict[str, type[BaseModel] | None]:
    """Map each route's operation id to its request model."""
    return {route.operation_id: route.request_model for route in routes}
