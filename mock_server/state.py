"""Everything a running mock holds: directory, tokens, callflows and id source."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from pydantic import BaseModel

from mock_server.auth import TokenInfo, TokenRegistry
from mock_server.config import MockConfig
from mock_server.documents import gregorian_now
from mock_server.errors import FixtureError, MockError
from mock_server.fixtures import Directory, load_fixture_file, rename_primary
from mock_server.ids import IdFactory
from mock_server.store import CallflowStore, MemoryStore
from mock_server.validation import check_callflow

logger = logging.getLogger(__name__)


class MockState:
    """The mutable state of one mock server.

    `callflow_model` validates callflows that fixtures create; the HTTP handlers
    take theirs from the route table.
    """

    def __init__(
        self,
        config: MockConfig,
        callflow_model: type[BaseModel] | None = None,
        store: CallflowStore | None = None,
    ) -> None:
        self.config = config
        self.callflow_model = callflow_model
        self.ids = IdFactory(config.seed)
        self.store: CallflowStore = store if store is not None else MemoryStore()
        self.tokens = TokenRegistry(self.ids)
        self.directory = Directory([])
        self.startup_token: str | None = None

    async def reset(self) -> None:
        """Return to the start state: configured fixtures, no callflows, one token."""
        directory = load_fixture_file(self.config.fixtures)
        if self.config.account_id is not None:
            directory = rename_primary(directory, self.config.account_id)
        self.ids.reseed()
        await self.load(directory)

    async def load(self, directory: Directory) -> None:
        """Replace every account, token and callflow with those of `directory`."""
        await self.store.clear()
        self.tokens.clear()
        self.directory = directory
        self.startup_token = None
        if directory.primary is not None:
            info = TokenInfo(directory.primary.id, None, "startup")
            self.startup_token = self.tokens.issue(info, self.config.token)
        for account in directory.accounts.values():
            for index, data in enumerate(account.callflows):
                where = f"accounts[{account.id}].callflows[{index}]"
                await self._create_fixture_callflow(account.id, data, where)
        logger.debug("loaded %d accounts", len(directory.accounts))

    async def _create_fixture_callflow(
        self, account_id: str, data: Any, where: str
    ) -> None:
        document, errors = check_callflow(self.callflow_model, data)
        if errors:
            detail = orjson.dumps(errors).decode()
            raise FixtureError(f"{where}: invalid callflow: {detail}")
        raw_id = data.get("id") if isinstance(data, dict) else None
        callflow_id = raw_id if isinstance(raw_id, str) and raw_id else None
        try:
            await self.store.create(
                account_id,
                callflow_id or self.ids.document_id(),
                document,
                gregorian_now(),
            )
        except MockError as exc:
            raise FixtureError(f"{where}: {exc}") from exc
