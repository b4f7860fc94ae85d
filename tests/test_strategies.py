"""Tests of the callflow strategies: valid data, bounded trees, unique numbers."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from generated.flow_nodes import FLOW_NODES
from mock_server.flows import validate_flow
from mock_server.harness import InProcessMock
from mock_server.strategies import callflow_batches, callflows, flow_nodes

FIXTURE_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def depth(node: dict[str, Any]) -> int:
    """Return the number of levels of a flow tree."""
    children = node.get("children", {}).values()
    return 1 + max((depth(child) for child in children), default=0)


def contains(stored: Any, sent: Any) -> bool:
    """Return whether `stored` contains every value of `sent`, defaults aside."""
    if isinstance(sent, dict):
        return isinstance(stored, dict) and all(
            key in stored and contains(stored[key], value)
            for key, value in sent.items()
        )
    if isinstance(sent, list):
        return (
            isinstance(stored, list)
            and len(stored) == len(sent)
            and all(contains(s, v) for s, v in zip(stored, sent, strict=True))
        )
    return bool(stored == sent)


@settings(max_examples=60, deadline=None)
@given(flow_nodes(max_depth=4))
def test_flow_nodes_valid(flow: dict[str, Any]) -> None:
    checked, errors = validate_flow(flow)
    assert errors == {}
    assert checked is not None


@settings(max_examples=60, deadline=None)
@given(flow_nodes(max_depth=2))
def test_flow_depth_bounded(flow: dict[str, Any]) -> None:
    assert depth(flow) <= 2


@settings(max_examples=60, deadline=None)
@given(flow_nodes())
def test_flow_modules_known(flow: dict[str, Any]) -> None:
    stack = [flow]
    while stack:
        node = stack.pop()
        assert node["module"] in FLOW_NODES
        stack.extend(node.get("children", {}).values())


@FIXTURE_SETTINGS
@given(data=callflows())
def test_callflow_round_trips(
    callflow_mock: InProcessMock, data: dict[str, Any]
) -> None:
    with callflow_mock.client() as client:
        created = client.put(callflow_mock.callflows_url(), json={"data": data})
        assert created.status_code == 201, created.text
        url = callflow_mock.callflows_url(created.json()["data"]["id"])
        fetched = client.get(url).json()["data"]
        client.delete(url)
    assert contains(fetched, data)


@FIXTURE_SETTINGS
@given(batch=callflow_batches(min_size=2, max_size=4, max_depth=2))
def test_batch_stored_together(
    callflow_mock: InProcessMock, batch: list[dict[str, Any]]
) -> None:
    with callflow_mock.client() as client:
        urls = []
        for data in batch:
            created = client.put(callflow_mock.callflows_url(), json={"data": data})
            assert created.status_code == 201, created.text
            urls.append(callflow_mock.callflows_url(created.json()["data"]["id"]))
        for url in urls:
            client.delete(url, params={"should_soft_delete": "false"})


@settings(max_examples=40, deadline=None)
@given(callflow_batches(min_size=2, max_size=5, max_depth=1))
def test_batch_numbers_unique(batch: list[dict[str, Any]]) -> None:
    numbers = [number for data in batch for number in data["numbers"]]
    patterns = [pattern for data in batch for pattern in data.get("patterns", [])]
    assert len(numbers) == len(set(numbers))
    assert len(patterns) == len(set(patterns))
