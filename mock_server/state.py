"""Everything a running mock holds: directory, tokens, callflows and id source."""

from __future__ import annotations

import gc
import logging
from typing import Any

from pydantic import BaseModel

from mock_server import jsoncodec
from mock_server.auth import TokenInfo, TokenRegistry
from mock_server.config import MockConfig
from mock_server.documents import gregorian_now
from mock_server.errors import FixtureError, MockError
from mock_server.fixtures import Directory, load_fixture_file, rename_primary
from mock_server.ids import IdFactory
from mock_server.store import CallflowStore, MemoryStore
from mock_server.validation import check_callflow

logger = logging.getLogger(__name__)


def freeze_heap() -> None:
    """Collect garbage, then exclude every object alive now from later collections.

    Full collections then skip the stored callflow records. Without this, one
    full collection over 100,000 stored callflows took about 0.1 s on a 2-core
    VM, a pause for every request in progress. Frozen objects are still freed
    when their last reference goes, but a reference cycle among them never is.
    So only a process that keeps its state until it exits may call this, and
    only when no request is in progress: `serve` calls it once, after start-up.

    NOTE: callflows that an admin reset or fixture load stores later stay
    unfrozen, because freezing during that request would also freeze the
    request's own objects, some of which form cycles.
    """
    gc.collect()
    gc.freeze()


class MockState:
    """The mutable state of one mock server.

    `callflow_model` validates callflows that fixtures create; the HTTP handlers
    take theirs from the route table. The state lives in this process only.
    Subclasses keep it elsewhere too (a state file, Redis) by overriding `start`,
    `refresh`, `issue_token`, `clear_tokens`, `load` and `close`.
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
        # The start token that a reset keeps; set only while `reset` runs.
        self._kept_token: str | None = None

    async def start(self) -> None:
        """Build the state a new server starts with: the configured fixtures."""
        await self.reset()

    async def refresh(self, token: str | None) -> None:
        """Bring the accounts and `token` up to date before a request is checked.

        The state of one process never changes behind its back, so this does
        nothing; a state shared between processes reads the changes here.
        """

    async def issue_token(self, info: TokenInfo, token: str | None = None) -> str:
        """Register a new token (random unless given) and return it."""
        return self.tokens.issue(info, token)

    async def clear_tokens(self) -> None:
        """Forget every token."""
        self.tokens.clear()

    async def close(self) -> None:
        """Release what the state holds open, when the server stops."""

    async def reset(self) -> None:
        """Return to the start state: configured fixtures, their callflows, one token.

        The start token stays the same unless the primary account changed.
        """
        directory = load_fixture_file(self.config.fixtures)
        if self.config.account_id is not None:
            directory = rename_primary(directory, self.config.account_id)
        self.ids.reseed()
        # Keep the start token that `serve` printed valid. A seeded token needs
        # no help: the restarted sequence draws the same one, and drawing it
        # keeps the later ids as on a fresh start.
        primary = directory.primary
        same_account = primary is not None and primary.id == self._primary_id()
        if self.config.seed is None and same_account:
            self._kept_token = self.startup_token
        try:
            await self.load(directory)
        finally:
            self._kept_token = None

    def _primary_id(self) -> str | None:
        primary = self.directory.primary
        return primary.id if primary is not None else None

    async def load(self, directory: Directory) -> None:
        """Replace every account, token and callflow with those of `directory`."""
        await self.store.clear()
        await self.clear_tokens()
        self.directory = directory
        self.startup_token = None
        if directory.primary is not None:
            info = TokenInfo(directory.primary.id, None, "startup")
            token = self.config.token or self._kept_token
            self.startup_token = await self.issue_token(info, token)
        # One callflow at a time: each decoded one is freed once it is stored.
        for account_id, index, data in directory.take_callflows():
            where = f"accounts[{account_id}].callflows[{index}]"
            await self._create_fixture_callflow(account_id, data, where)
        logger.debug("loaded %d accounts", len(directory.accounts))

    async def _create_fixture_callflow(
        self, account_id: str, data: Any, where: str
    ) -> None:
        document, errors = check_callflow(self.callflow_model, data)
        if errors:
            detail = jsoncodec.dumps(errors).decode()
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
