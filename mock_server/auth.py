"""Auth tokens, request authentication and Kazoo's two login endpoints.

`PUT /v2/user_auth` takes the MD5 (method `md5`, the default) or SHA-1 (method
`sha`) hex digest of `username:password`, with the username in lower case, plus
one way to find the account: `phone_number`, `account_realm` (or `realm`) or
`account_name`, tried in that order. `PUT /v2/api_auth` takes an account's
64-character `api_key`. Both return 201 with the new token in `auth_token`.

Tokens are opaque random strings that do not expire (Kazoo issues JWTs that last
an hour). A request's token comes from the X-Auth-Token header, then the
`auth_token` request value (body `data`, query string, envelope), then an
`Authorization: Bearer` header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mock_server.context import RequestContext
from mock_server.errors import (
    ApiKeyNotFound,
    Forbidden,
    InvalidCredentials,
    ValidationFailed,
)
from mock_server.fixtures import Account, Directory, User
from mock_server.ids import IdFactory
from mock_server.schema_errors import translate_errors, type_error


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """Whom a token belongs to: an account, and the user who logged in, if any."""

    account_id: str
    owner_id: str | None
    method: str  # "user_auth", "api_auth" or "startup"


class TokenRegistry:
    """Issued tokens, by token."""

    def __init__(self, ids: IdFactory) -> None:
        self._ids = ids
        self._tokens: dict[str, TokenInfo] = {}

    def issue(self, info: TokenInfo, token: str | None = None) -> str:
        """Register a new token (random unless given) and return it."""
        token = token or self._ids.token()
        self._tokens[token] = info
        return token

    def lookup(self, token: str) -> TokenInfo | None:
        """Return what a token belongs to, or None when it is unknown."""
        return self._tokens.get(token)

    def clear(self) -> None:
        """Forget every token."""
        self._tokens.clear()

    def items(self) -> list[tuple[str, TokenInfo]]:
        """Return every issued token with what it belongs to, in issue order."""
        return list(self._tokens.items())


def find_token(headers: Mapping[str, str], context: RequestContext) -> str | None:
    """Return the token a request carries, looked up in Kazoo's order."""
    token = headers.get("x-auth-token")
    if token:
        return token
    value = context.request_value("auth_token")
    if isinstance(value, str) and value:
        return value
    authorization = headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


def authorize(
    tokens: TokenRegistry, directory: Directory, token: str | None, account_id: str
) -> TokenInfo:
    """Check that `token` may use `account_id`; raise 401 or 403 otherwise."""
    info = tokens.lookup(token) if token else None
    if info is None:
        raise InvalidCredentials
    if not directory.may_access(info.account_id, account_id):
        raise Forbidden
    return info


# Login requests ------------------------------------------------------------------

ModelT = TypeVar("ModelT", bound=BaseModel)

_Realm = Annotated[
    str | None, Field(min_length=4, max_length=253, pattern=r"^[.\w_-]+$")
]


class UserAuthRequest(BaseModel):
    """The `data` of `PUT /v2/user_auth`, after Kazoo's `user_auth` schema."""

    model_config = ConfigDict(extra="allow")

    credentials: Annotated[str, Field(min_length=1, max_length=64)]
    method: Literal["md5", "sha"] = "md5"
    account_name: str | None = None
    account_realm: _Realm = None
    realm: _Realm = None
    phone_number: str | None = None


class ApiAuthRequest(BaseModel):
    """The `data` of `PUT /v2/api_auth`, after Kazoo's `api_auth` schema."""

    model_config = ConfigDict(extra="forbid")

    api_key: Annotated[str, Field(min_length=64, max_length=64)]


def _parse(model: type[ModelT], data: Any) -> ModelT:
    if not isinstance(data, dict):
        raise ValidationFailed({"data": {"type": type_error("object", data)}})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(translate_errors(exc, data, model)) from exc


def user_login(directory: Directory, data: Any) -> tuple[Account, User]:
    """Return the account and user that `user_auth` data identifies, or raise 401."""
    request = _parse(UserAuthRequest, data)
    for account in _candidate_accounts(directory, request):
        for user in account.users:
            if user.credentials(request.method) == request.credentials.lower():
                return account, user
    raise InvalidCredentials


def _candidate_accounts(
    directory: Directory, request: UserAuthRequest
) -> list[Account]:
    if request.phone_number:
        account = directory.by_phone_number(request.phone_number)
        return [account] if account else []
    realm = request.account_realm or request.realm
    if realm:
        account = directory.by_realm(realm)
        return [account] if account else []
    if request.account_name:
        return directory.by_name(request.account_name)
    return []


def api_login(directory: Directory, data: Any) -> Account:
    """Return the account that an `api_auth` API key belongs to, or raise 404."""
    request = _parse(ApiAuthRequest, data)
    account = directory.by_api_key(request.api_key)
    if account is None:
        raise ApiKeyNotFound(request.api_key)
    return account


def login_data(
    directory: Directory, account: Account, owner_id: str | None
) -> dict[str, Any]:
    """Return the `data` of a successful login, as Kazoo's `response_auth` builds it."""
    data: dict[str, Any] = {"account_id": account.id}
    if owner_id is not None:
        data["owner_id"] = owner_id
    data.update(
        account_name=account.name,
        language="en-us",
        apps=[],
        is_reseller=False,
        reseller_id=_root_account(directory, account).id,
    )
    return data


def _root_account(directory: Directory, account: Account) -> Account:
    seen = {account.id}
    while account.parent_id and account.parent_id not in seen:
        parent = directory.accounts.get(account.parent_id)
        if parent is None:
            break
        seen.add(parent.id)
        account = parent
    return account
