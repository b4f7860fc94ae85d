"""Hypothesis strategies of valid Kazoo callflows, for property tests of clients.

    from hypothesis import given
    from mock_server.strategies import callflows

    @given(callflows())
    def test_create_accepts(data): ...      # data: the `data` of a create

A drawn callflow has a name, one to three numbers, sometimes a pattern, and a
flow tree of at most `max_depth` levels built from the modules that real
clients configure most: users, devices, ring groups, menus, time-of-day routes,
voicemail, media, carriers. Each node's `data` contains realistic values that pass
its module's schema in the spec, and branching modules get the child keys that
Kazoo reads for them: `_` for "next", digits for a menu, temporal rule ids for a
time-of-day route. Numbers are 4-digit extensions and E.164 numbers in the
fictional +1 555 01xx range, so Kazoo's normalisation leaves them unchanged;
`callflow_batches` keeps them unique across every callflow of a batch, as one
account requires.

Ids that nodes refer to come from `FlowReferences`; the default names the
documents of the packaged fixtures, so a fetch's `metadata` resolves them.
Requires the `hypothesis` package.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

Node = dict[str, Any]
Draw = st.SearchStrategy[Any]

NEXT = "_"
"""The child key Kazoo follows after a module finishes (or when no key matches)."""


@dataclass(frozen=True, slots=True)
class FlowReferences:
    """Ids of the documents that flow nodes may name, by document type."""

    users: Sequence[str]
    devices: Sequence[str]
    voicemail_boxes: Sequence[str]
    menus: Sequence[str]
    groups: Sequence[str]
    temporal_rules: Sequence[str]
    media: Sequence[str]
    callflows: Sequence[str]


DEFAULT_REFERENCES = FlowReferences(
    users=("a11ce000000000000000000000000001", "b0b00000000000000000000000000002"),
    devices=("de71ce00000000000000000000000003",),
    voicemail_boxes=("face0000000000000000000000000004",),
    menus=("3e7a0000000000000000000000000005",),
    groups=("90000000000000000000000000000006",),
    temporal_rules=(
        "7e11e000000000000000000000000011",
        "7e11e000000000000000000000000012",
    ),
    media=("3ed1a000000000000000000000000007", "3ed1a000000000000000000000000008"),
    callflows=("ca11f10e000000000000000000000009",),
)
"""The documents of the packaged fixtures' first account (media and the target
callflow are ids that no fixture defines)."""

_TIMEOUTS = st.sampled_from([15, 20, 25, 30, 45, 60])
_DELAYS = st.sampled_from([0, 0, 5, 10])
_NAMES = st.sampled_from(
    [
        "Main Number",
        "Reception",
        "Sales",
        "Support",
        "After Hours",
        "Alice Example",
        "Conference Bridge",
        "Night Mode",
    ]
)
_PROMPTS = st.sampled_from(
    [
        "Thank you for calling. Please hold.",
        "For sales press 1, for support press 2.",
        "Our office is closed. Please leave a message.",
    ]
)
_CALLER_ID_NAMES = st.sampled_from(["Sales", "Support", "Example Telecom"])


def _optional(
    required: dict[str, Draw], optional: dict[str, Draw] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(required, optional=optional or {})


def _endpoint(references: FlowReferences) -> st.SearchStrategy[dict[str, Any]]:
    kinds = [
        ("user", references.users),
        ("device", references.devices),
        ("group", references.groups),
    ]
    endpoints = [
        _optional(
            {"endpoint_type": st.just(kind), "id": st.sampled_from(list(ids))},
            {"delay": _DELAYS, "timeout": _TIMEOUTS},
        )
        for kind, ids in kinds
        if ids
    ]
    return st.one_of(endpoints)


def _unique_by_id(
    references: FlowReferences,
) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(
        _endpoint(references), min_size=1, max_size=3, unique_by=lambda e: e["id"]
    )


def _ids(ids: Sequence[str]) -> Draw:
    return st.sampled_from(list(ids))


def _branching_data(references: FlowReferences) -> dict[str, Draw]:
    """Return the data strategy of each module that continues with child `_`."""
    return {
        "user": _optional(
            {"id": _ids(references.users)},
            {
                "timeout": _TIMEOUTS,
                "delay": _DELAYS,
                "can_call_self": st.booleans(),
                "strategy": st.sampled_from(["simultaneous", "single"]),
            },
        ),
        "device": _optional(
            {"id": _ids(references.devices)},
            {"timeout": _TIMEOUTS, "can_call_self": st.booleans()},
        ),
        "ring_group": _optional(
            {"endpoints": _unique_by_id(references)},
            {
                "name": _NAMES,
                "strategy": st.sampled_from(["simultaneous", "single"]),
                "timeout": _TIMEOUTS,
                "repeats": st.integers(min_value=1, max_value=3),
            },
        ),
        "group": _optional(
            {"id": _ids(references.groups)},
            {"timeout": _TIMEOUTS, "strategy": st.sampled_from(["simultaneous"])},
        ),
        "play": _optional({"id": _ids(references.media)}, {"answer": st.booleans()}),
        "tts": _optional(
            {"text": _PROMPTS},
            {
                "language": st.sampled_from(["en-us", "fr-ca"]),
                "voice": st.just("female"),
            },
        ),
        "set_cid": _optional(
            {"caller_id_name": _CALLER_ID_NAMES},
            {"caller_id_number": st.sampled_from(["+15550100000", "1000"])},
        ),
        "prepend_cid": _optional(
            {"caller_id_name_prefix": st.sampled_from(["Sales ", "VIP "])},
            {"action": st.just("prepend")},
        ),
        "language": _optional({"language": st.sampled_from(["en-us", "de-de"])}),
        "sleep": _optional(
            {"duration": st.integers(min_value=1, max_value=5)},
            {"unit": st.sampled_from(["s", "ms"])},
        ),
        "record_call": _optional(
            {"action": st.just("start")},
            {"format": st.sampled_from(["mp3", "wav"]), "time_limit": st.just(3600)},
        ),
    }


def _leaf_data(references: FlowReferences) -> dict[str, Draw]:
    """Return the data strategy of each module that ends the call or hands it on."""
    return {
        "voicemail": _optional(
            {"id": _ids(references.voicemail_boxes)},
            {"action": st.sampled_from(["compose", "check"])},
        ),
        "hangup": st.just({}),
        "response": _optional(
            {"code": st.sampled_from([404, 480, 486, 503])},
            {"message": st.sampled_from(["Busy Here", "Not Found"])},
        ),
        "offnet": _optional({}, {"caller_id_type": st.just("external")}),
        "resources": _optional({}, {"use_local_resources": st.booleans()}),
        "callflow": _optional({"id": _ids(references.callflows)}),
        "park": _optional({"action": st.sampled_from(["park", "retrieve", "auto"])}),
        "conference": _optional({}, {"moderator": st.booleans()}),
        "call_forward": _optional(
            {"action": st.sampled_from(["activate", "deactivate", "toggle"])}
        ),
        "do_not_disturb": _optional(
            {"action": st.sampled_from(["activate", "deactivate", "toggle"])}
        ),
        "privacy": _optional({"mode": st.sampled_from(["full", "name", "number"])}),
        "pivot": _optional(
            {"voice_url": st.just("https://pivot.example.test/callflow")},
            {"method": st.sampled_from(["get", "post"])},
        ),
    }


def _node(module: str, data: Draw, children: Draw | None = None) -> Draw:
    fields: dict[str, Draw] = {"module": st.just(module), "data": data}
    if children is None:
        return st.fixed_dictionaries(fields)
    return st.fixed_dictionaries({**fields, "children": children})


def _next_child(child: Draw) -> Draw:
    """Return children that are empty or hold one node under `_`."""
    return st.one_of(st.just({}), st.fixed_dictionaries({NEXT: child}))


def _keyed_children(keys: Sequence[str], child: Draw) -> Draw:
    return st.dictionaries(
        st.sampled_from(list(keys)), child, min_size=1, max_size=min(4, len(keys))
    )


def flow_nodes(
    max_depth: int = 3, references: FlowReferences = DEFAULT_REFERENCES
) -> st.SearchStrategy[Node]:
    """Return a strategy of valid flow trees of 1 to `max_depth` levels."""
    if max_depth < 1:
        raise ValueError(f"max_depth must be at least 1, not {max_depth!r}")
    branching = _branching_data(references)
    leaves = [_node(module, data) for module, data in _leaf_data(references).items()]
    if max_depth == 1:
        return st.one_of(*leaves, *(_node(m, d) for m, d in branching.items()))

    child = flow_nodes(max_depth - 1, references)
    menu_keys = [*"0123456789", NEXT]
    rule_keys = [*references.temporal_rules, NEXT]
    branches = [_node(m, d, _next_child(child)) for m, d in branching.items()]
    branches.append(
        _node(
            "menu",
            _optional({"id": _ids(references.menus)}),
            _keyed_children(menu_keys, child),
        )
    )
    branches.append(
        _node(
            "temporal_route",
            _optional({}, {"timezone": st.sampled_from(["America/New_York", "UTC"])}),
            _keyed_children(rule_keys, child),
        )
    )
    return st.one_of(*branches, *leaves)


def extensions() -> st.SearchStrategy[str]:
    """Return a strategy of 4-digit extensions, which Kazoo stores as sent."""
    return st.integers(min_value=1000, max_value=8999).map(str)


def e164_numbers() -> st.SearchStrategy[str]:
    """Return a strategy of E.164 numbers in the fictional +1 555 01xx range."""
    return st.integers(min_value=0, max_value=99_999).map(lambda n: f"+155501{n:05d}")


def phone_numbers() -> st.SearchStrategy[str]:
    """Return a strategy of numbers a callflow may hold: extensions and E.164."""
    return st.one_of(extensions(), e164_numbers())


def feature_code_patterns() -> st.SearchStrategy[str]:
    """Return a strategy of feature code patterns such as `^\\*7([0-9]{2,})$`."""
    return st.integers(min_value=10, max_value=99).map(lambda n: f"^\\*{n}([0-9]*)$")


@st.composite
def _callflow(
    draw: st.DrawFn,
    max_depth: int,
    references: FlowReferences,
    numbers: st.SearchStrategy[list[str]],
    patterns: st.SearchStrategy[list[str]],
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": draw(_NAMES),
        "numbers": draw(numbers),
        "flow": draw(flow_nodes(max_depth, references)),
    }
    drawn_patterns = draw(patterns)
    if drawn_patterns:
        data["patterns"] = drawn_patterns
    return data


def callflows(
    max_depth: int = 3,
    references: FlowReferences = DEFAULT_REFERENCES,
) -> st.SearchStrategy[dict[str, Any]]:
    """Return a strategy of valid callflow `data` objects, as a create sends them."""
    numbers = st.lists(phone_numbers(), min_size=1, max_size=3, unique=True)
    patterns = st.lists(feature_code_patterns(), max_size=1)
    return _callflow(max_depth, references, numbers, patterns)


def callflow_batches(
    min_size: int = 1,
    max_size: int = 5,
    max_depth: int = 3,
    references: FlowReferences = DEFAULT_REFERENCES,
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Return a strategy of callflow lists whose numbers and patterns are all unique.

    One account can store every callflow of a batch, in any order.
    """
    return _batch(min_size, max_size, max_depth, references)


@st.composite
def _batch(
    draw: st.DrawFn,
    min_size: int,
    max_size: int,
    max_depth: int,
    references: FlowReferences,
) -> list[dict[str, Any]]:
    size = draw(st.integers(min_value=min_size, max_value=max_size))
    used_numbers: set[str] = set()
    used_patterns: set[str] = set()
    batch = []
    for _ in range(size):
        numbers = st.lists(
            phone_numbers().filter(_unused(used_numbers)),
            min_size=1,
            max_size=3,
            unique=True,
        )
        patterns = st.lists(
            feature_code_patterns().filter(_unused(used_patterns)), max_size=1
        )
        callflow = draw(_callflow(max_depth, references, numbers, patterns))
        used_numbers.update(callflow["numbers"])
        used_patterns.update(callflow.get("patterns", []))
        batch.append(callflow)
    return batch


def _unused(used: set[str]) -> Callable[[str], bool]:
    return lambda value: value not in used
