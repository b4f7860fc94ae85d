"""Accounts, users, API keys and directory documents loaded from a fixture file.

A fixture is a JSON or YAML document:

    accounts:
      - id: 32 lowercase hex            # required
        name: Example Telecom           # required; user_auth's account_name
        realm: example.sip.callflow-kit.test  # optional; user_auth's account_realm
        api_key: 64 characters          # optional; api_auth's api_key
        parent_id: 32 hex               # optional; the parent's tokens may use it
        phone_numbers: ["+15550100000"] # optional; user_auth's phone_number
        users:                          # optional; user_auth logins
          - {id, username, password, first_name, last_name}
        documents:                      # optional; what a fetch's metadata names
          - {id, pvt_type, name, ...}
        callflows:                      # optional; created at load time
          - {numbers: [...], flow: {...}}

The package ships `default_fixtures.yaml`; `--fixtures PATH` replaces it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import yaml

from mock_server import jsoncodec
from mock_server.documents import compact_json
from mock_server.errors import FixtureError
from mock_server.numbers import normalize_number

DEFAULT_FIXTURES = "default_fixtures.yaml"
# libyaml's loader when PyYAML was built with it. It decodes this project's fixture
# files 5 to 9 times faster than the pure-Python SafeLoader, to the same objects.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_HEX_ID = re.compile(r"[0-9a-f]{32}")


def normalize_account_name(name: str) -> str:
    """Return an account name as Kazoo compares it: lowercase letters and digits."""
    return "".join(c for c in name.lower() if c.isalnum())


@dataclass(frozen=True, slots=True)
class User:
    """A user that can log in with `PUT /v2/user_auth`."""

    id: str
    username: str
    password: str
    first_name: str = ""
    last_name: str = ""

    def credentials(self, method: str) -> str:
        """Return the hex digest Kazoo expects for `method` ("md5" or "sha")."""
        secret = f"{self.username.lower()}:{self.password}".encode()
        if method == "sha":
            return hashlib.sha1(secret, usedforsecurity=False).hexdigest()
        return hashlib.md5(secret, usedforsecurity=False).hexdigest()

    def full_name(self) -> str:
        """Return "First Last", the name a fetch's metadata shows for a user."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class Account:
    """An account the mock serves, with its logins and directory documents."""

    id: str
    name: str
    realm: str | None = None
    api_key: str | None = None
    parent_id: str | None = None
    phone_numbers: tuple[str, ...] = ()
    users: tuple[User, ...] = ()
    documents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


class Directory:
    """The loaded accounts, with lookups by API key, realm, name and phone number.

    `callflows` maps account ids to the fixture callflows that a state creates
    when it loads the directory. The directory lives as long as the server, so
    `take_callflows` hands them over once and keeps no reference to them.
    """

    def __init__(
        self,
        accounts: list[Account],
        callflows: Mapping[str, list[Any]] | None = None,
    ) -> None:
        self.accounts: dict[str, Account] = {a.id: a for a in accounts}
        self._callflows: dict[str, list[Any]] = dict(callflows or {})
        self.primary: Account | None = accounts[0] if accounts else None
        self._by_api_key = {a.api_key: a for a in accounts if a.api_key}
        self._by_realm = {a.realm.lower(): a for a in accounts if a.realm}
        self._by_phone = {n: a for a in accounts for n in a.phone_numbers}
        self._by_name: dict[str, list[Account]] = {}
        self._documents: dict[tuple[str, str], Mapping[str, Any]] = {}
        for account in accounts:
            key = normalize_account_name(account.name)
            self._by_name.setdefault(key, []).append(account)
            for doc_id, document in account.documents.items():
                self._documents[account.id, doc_id] = document
            for user in account.users:
                user_doc = {"name": user.full_name(), "pvt_type": "user"}
                self._documents[account.id, user.id] = user_doc

    def encode_callflows(self) -> None:
        """Keep the fixture callflows as compact JSON instead of decoded objects.

        Every callflow must contain JSON values only, as a decoded JSON file does.
        The JSON takes a fraction of the memory of the decoded objects, so a
        caller that then drops its decoded document frees most of that memory
        before the callflows are stored.
        """
        for callflows in self._callflows.values():
            for index, callflow in enumerate(callflows):
                callflows[index] = _EncodedCallflow(compact_json(callflow))

    def take_callflows(self) -> Iterator[tuple[str, int, Any]]:
        """Yield each fixture callflow, decoded, with its account id and index.

        Accounts come in fixture order. The directory drops its callflows when
        called, and the iterator drops each one as it yields it, so a caller that
        stores them one by one keeps at most one decoded callflow alive.
        Later calls yield nothing.
        """
        return _drain_callflows(self._pop_callflows())

    def _pop_callflows(self) -> dict[str, list[Any]]:
        callflows, self._callflows = self._callflows, {}
        return callflows

    def by_api_key(self, api_key: str) -> Account | None:
        """Return the account of an API key."""
        return self._by_api_key.get(api_key)

    def by_realm(self, realm: str) -> Account | None:
        """Return the account of a SIP realm, compared without case."""
        return self._by_realm.get(realm.lower())

    def by_name(self, name: str) -> list[Account]:
        """Return the accounts whose normalised name equals that of `name`."""
        return self._by_name.get(normalize_account_name(name), [])

    def by_phone_number(self, number: str) -> Account | None:
        """Return the account that owns a phone number, after normalisation."""
        return self._by_phone.get(normalize_number(number))

    def may_access(self, token_account_id: str, account_id: str) -> bool:
        """Return whether a token of one account may use another.

        An account may use itself and its descendants, as in Kazoo's `pvt_tree`.
        """
        seen: set[str] = set()
        current: str | None = account_id
        while current is not None and current not in seen:
            if current == token_account_id:
                return True
            seen.add(current)
            parent = self.accounts.get(current)
            current = parent.parent_id if parent else None
        return False

    def document(self, account_id: str, document_id: str) -> Mapping[str, Any] | None:
        """Return a user or directory document of an account as metadata reads it."""
        return self._documents.get((account_id, document_id))


@dataclass(frozen=True, slots=True)
class _EncodedCallflow:
    """A fixture callflow kept as compact JSON until a state stores it."""

    json: bytes


def _drain_callflows(
    callflows: dict[str, list[Any]],
) -> Iterator[tuple[str, int, Any]]:
    for account_id, pending in callflows.items():
        for index in range(len(pending)):
            callflow, pending[index] = pending[index], None
            if isinstance(callflow, _EncodedCallflow):
                callflow = jsoncodec.loads(callflow.json)
            yield account_id, index, callflow


def load_fixture_file(path: Path | None) -> Directory:
    """Load a fixture file, or the packaged default when `path` is None."""
    if path is None:
        data = resources.files(__package__).joinpath(DEFAULT_FIXTURES).read_bytes()
        source = DEFAULT_FIXTURES
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FixtureError(f"cannot read fixture file {path}: {exc}") from exc
        source = str(path)
    document = _decode(data, source)
    del data
    directory = parse_fixtures(document, source)
    if source.endswith(".json"):
        directory.encode_callflows()
    return directory


def _decode(data: bytes, source: str) -> Any:
    if source.endswith(".json"):
        try:
            return jsoncodec.loads(data)
        except orjson.JSONDecodeError as exc:
            raise FixtureError(f"{source}: invalid JSON: {exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FixtureError(f"{source}: invalid UTF-8: {exc}") from exc
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise FixtureError(f"{source}: invalid YAML: {exc}") from exc


def parse_fixtures(document: Any, source: str = "fixtures") -> Directory:
    """Build a Directory from a decoded fixture document, checking every entry.

    The directory refers to the callflow objects of `document` but never changes
    `document`.
    """
    if not isinstance(document, dict) or not isinstance(document.get("accounts"), list):
        raise FixtureError(f"{source}: expected an object with an 'accounts' list")
    accounts = []
    callflows: dict[str, list[Any]] = {}
    for index, entry in enumerate(document["accounts"]):
        where = f"{source}: accounts[{index}]"
        account = _account(entry, where)
        accounts.append(account)
        # A copy, so that a state can drop each callflow once it is stored.
        callflows[account.id] = list(_list(entry, "callflows", where))
    ids = [account.id for account in accounts]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise FixtureError(f"{source}: duplicate account ids {duplicates}")
    return Directory(accounts, callflows)


def _account(entry: Any, where: str) -> Account:
    if not isinstance(entry, dict):
        raise FixtureError(f"{where}: expected an object")
    account_id = _hex_id(entry, "id", where)
    api_key = _optional_str(entry, "api_key", where)
    if api_key is not None and len(api_key) != 64:
        raise FixtureError(f"{where}.api_key: must be 64 characters, as in Kazoo")
    parent = entry.get("parent_id")
    documents = {}
    for index, doc in enumerate(_list(entry, "documents", where)):
        doc_where = f"{where}.documents[{index}]"
        if not isinstance(doc, dict):
            raise FixtureError(f"{doc_where}: expected an object")
        documents[_hex_id(doc, "id", doc_where)] = doc
    return Account(
        id=account_id,
        name=_required_str(entry, "name", where),
        realm=_optional_str(entry, "realm", where),
        api_key=api_key,
        parent_id=_hex_id(entry, "parent_id", where) if parent is not None else None,
        phone_numbers=tuple(
            normalize_number(str(n)) for n in _list(entry, "phone_numbers", where)
        ),
        users=tuple(
            _user(user, f"{where}.users[{i}]")
            for i, user in enumerate(_list(entry, "users", where))
        ),
        documents=documents,
    )


def _user(entry: Any, where: str) -> User:
    if not isinstance(entry, dict):
        raise FixtureError(f"{where}: expected an object")
    return User(
        id=_hex_id(entry, "id", where),
        username=_required_str(entry, "username", where),
        password=_required_str(entry, "password", where),
        first_name=_optional_str(entry, "first_name", where) or "",
        last_name=_optional_str(entry, "last_name", where) or "",
    )


def _hex_id(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not _HEX_ID.fullmatch(value):
        raise FixtureError(
            f"{where}.{key}: expected 32 lowercase hex characters, got {value!r}"
        )
    return value


def _required_str(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise FixtureError(f"{where}.{key}: expected a non-empty string, got {value!r}")
    return value


def _optional_str(entry: dict[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise FixtureError(f"{where}.{key}: expected a string, got {value!r}")
    return value


def _list(entry: dict[str, Any], key: str, where: str) -> list[Any]:
    value = entry.get(key, [])
    if not isinstance(value, list):
        raise FixtureError(f"{where}.{key}: expected a list, got {value!r}")
    return value


def account_fixture(account: Account) -> dict[str, Any]:
    """Return an account as a fixture entry, the inverse of loading it."""
    entry: dict[str, Any] = {"id": account.id, "name": account.name}
    optional = {
        "realm": account.realm,
        "api_key": account.api_key,
        "parent_id": account.parent_id,
    }
    entry.update({key: value for key, value in optional.items() if value})
    entry["phone_numbers"] = list(account.phone_numbers)
    entry["users"] = [
        {
            "id": user.id,
            "username": user.username,
            "password": user.password,
            "first_name": user.first_name,
            "last_name": user.last_name,
        }
        for user in account.users
    ]
    entry["documents"] = [dict(doc) for doc in account.documents.values()]
    return entry


def rename_primary(directory: Directory, account_id: str) -> Directory:
    """Return the directory with its first account moved to `account_id`.

    Children of that account follow it, so `--account-id` keeps the fixture whole.
    The fixture callflows move to the returned directory.
    """
    if not _HEX_ID.fullmatch(account_id):
        raise FixtureError(
            f"account id {account_id!r}: expected 32 lowercase hex characters"
        )
    primary = directory.primary
    if primary is None or primary.id == account_id:
        return directory
    if account_id in directory.accounts:
        raise FixtureError(f"account id {account_id!r} is already in the fixtures")
    accounts = []
    for account in directory.accounts.values():
        if account is primary:
            account = dataclasses.replace(account, id=account_id)
        elif account.parent_id == primary.id:
            account = dataclasses.replace(account, parent_id=account_id)
        accounts.append(account)
    callflows = {
        account_id if owner == primary.id else owner: pending
        for owner, pending in directory._pop_callflows().items()
    }
    return Directory(accounts, callflows)
