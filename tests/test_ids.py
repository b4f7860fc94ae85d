"""Tests of the id factory behind callflow ids, tokens and request ids."""

from __future__ import annotations

from mock_server.ids import IdFactory


def test_seeded_ids_repeat() -> None:
    first, second = IdFactory(7), IdFactory(7)
    assert [first.document_id(), first.token()] == [
        second.document_id(),
        second.token(),
    ]


def test_request_ids_not_token_halves() -> None:
    ids = IdFactory(1)
    request_ids = [ids.request_id() for _ in range(4)]
    fresh = IdFactory(1)
    token = fresh.token()
    joined = {a + b for a in request_ids for b in request_ids}
    assert token not in joined


def test_reseed_restarts_sequences() -> None:
    ids = IdFactory(3)
    token = ids.token()
    ids.reseed()
    assert ids.token() == token


def test_unseeded_ids_differ() -> None:
    ids = IdFactory()
    assert ids.token() != ids.token()
    assert len(ids.document_id()) == 32
