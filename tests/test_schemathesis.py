"""Schemathesis against the live mock: every response must match the spec.

Every check runs on positive and negative data in the examples, coverage and
fuzzing phases, then the stateful phase chains a create to the operations on
the created callflow through the spec's links. Each case starts from
`data/conformance-fixtures.yaml`, whose callflow the item operations address.

`make test` runs a bounded campaign that is the same on every run;
`make fuzz` sets CALLFLOW_KIT_FUZZ=1 for a longer one with a random seed.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import hypothesis
import pytest
import schemathesis
from schemathesis import Case, GenerationMode, Response
from schemathesis.checks import CheckFunction
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import overrides
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)
from use_defaults import DefaultsView

from mock_server.harness import LiveAdmin, MockAccess
from mock_server.numbers import normalize_number
from mock_server.testing import LiveServer

AnyCase = Case[Any]

FUZZ = os.environ.get("CALLFLOW_KIT_FUZZ") == "1"
SPEC = Path(__file__).parents[1] / "spec" / "callflows.openapi.yaml"
FIXTURES = Path(__file__).parent / "data" / "conformance-fixtures.yaml"
ACCOUNT_ID = "3c2a1f0e9b8d7c6b5a4f3e2d1c0b9a88"
CALLFLOW_ID = "cf000000000000000000000000000001"
ITEM = "/v2/accounts/{ACCOUNT_ID}/callflows/{CALLFLOW_ID}"

# The request body component of each write, for `is_defaulted_required_only`.
REQUEST_COMPONENTS = {
    "PUT": "CallflowRequest",
    "POST": "CallflowRequest",
    "PATCH": "CallflowPatchRequest",
}
DEFAULTS_VIEW = DefaultsView(SPEC)

MAX_EXAMPLES = 300 if FUZZ else 30
"""Generated cases per operation and phase."""
STATEFUL_SCENARIOS = 200 if FUZZ else 15
STATEFUL_STEPS = 12 if FUZZ else 6


def load_schema(*, coverage: bool, stateful: bool = False) -> schemathesis.BaseSchema:
    """Load the spec with the campaign's settings.

    Requests address the fixtures' account, so no case stops at a 404 for an
    unknown account. The item operations address the fixture callflow in the
    stateless phases; the stateful phase takes ids from the creates' links.
    """
    schema = schemathesis.openapi.from_path(SPEC)
    parameters = {"path.ACCOUNT_ID": ACCOUNT_ID}
    if not stateful:
        parameters["path.CALLFLOW_ID"] = CALLFLOW_ID
    schema.config.update(parameters=parameters)
    if stateful:
        # Schemathesis starts scenarios at operations it takes for creates: a
        # POST, or a GET without path parameters. Kazoo creates with PUT, so the
        # links it infers would start every scenario with a replace of a random
        # id. Without inference, the spec's links from the create are the rules.
        schema.config.phases.stateful.inference.algorithms = []
    schema.config.generation.update(
        max_examples=MAX_EXAMPLES, deterministic=not FUZZ, database="none"
    )
    schema.config.phases.coverage.enabled = coverage
    return schema


# Schemathesis derives every coverage case of an operation while pytest collects
# the test. For a create or replace, whose body contains the union of every flow
# module, that takes over two minutes per operation, so only `make fuzz` runs the
# coverage phase there; the other phases still send them positive and negative data.
writes = load_schema(coverage=FUZZ).include(method=["PUT", "POST"])
others = load_schema(coverage=True).exclude(method=["PUT", "POST"])


@pytest.fixture(scope="module")
def admin(callflow_mock_server: LiveServer) -> LiveAdmin:
    """Return the admin of the plugin's live server."""
    return LiveAdmin(callflow_mock_server)


def is_kazoo_only_rejection(case: AnyCase, response: Response) -> bool:
    """Return whether a 400 comes only from Kazoo rules that a JSON Schema cannot state.

    Two rules of Kazoo 4.3 reject data that the spec's schema allows: a number
    or pattern that another callflow of the account already has (`unique`), and two
    numbers that differ as sent but not once normalised (`uniqueItems`).
    """
    if response.status_code != 400:
        return False
    errors = response.json().get("data")
    if not isinstance(errors, dict) or not errors:
        return False
    for field, rules in errors.items():
        if field not in ("numbers", "patterns") or not isinstance(rules, dict):
            return False
        for rule in rules:
            if rule == "uniqueItems" and field == "numbers" and collide(case):
                continue
            if rule != "unique":
                return False
    return True


def collide(case: AnyCase) -> bool:
    """Return whether the case's numbers are distinct but not once normalised."""
    data = case.body.get("data") if isinstance(case.body, dict) else None
    numbers = data.get("numbers") if isinstance(data, dict) else None
    if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
        return False
    normalised = {normalize_number(str(number)) for number in numbers}
    return len(set(numbers)) == len(numbers) and len(normalised) < len(numbers)


def is_listing_query_only(case: AnyCase) -> bool:
    """Return whether a negative case of the listing breaks only its query string.

    Kazoo 4.3's listing returns 200 for every query string: it ignores keys it
    does not know and reads an invalid value as the default. The spec allows
    any string for its parameters, so the only negative values left are ones
    that serialise to strings anyway, such as lists sent as repeated keys.
    """
    if case.operation.method.upper() != "GET" or "{CALLFLOW_ID}" in case.path:
        return False
    if case.meta is None:
        return False
    modes = {location: info.mode for location, info in case.meta.components.items()}
    negative = {loc for loc, mode in modes.items() if mode == GenerationMode.NEGATIVE}
    return negative == {ParameterLocation.QUERY}


def is_defaulted_required_only(case: AnyCase) -> bool:
    """Return whether a negative body breaks only `required` names that have a default.

    The source pages require some properties and give them a default, such as a
    flow node's `data` (default `{}`). Kazoo 4.3 fills in such a default before
    it checks `required`, so it accepts a body that omits one. The spec keeps
    the pages' `required`; `DefaultsView` is the spec without those names.
    """
    if case.meta is None or not isinstance(case.body, dict):
        return False
    modes = {location: info.mode for location, info in case.meta.components.items()}
    negative = {loc for loc, mode in modes.items() if mode == GenerationMode.NEGATIVE}
    if negative != {ParameterLocation.BODY}:
        return False
    component = REQUEST_COMPONENTS.get(case.operation.method.upper())
    return component is not None and DEFAULTS_VIEW.accepts(component, case.body)


def excluded_checks(case: AnyCase, response: Response) -> list[CheckFunction]:
    """Return the checks that cannot judge this case and response, and only those.

    See `is_kazoo_only_rejection`, `is_listing_query_only` and
    `is_defaulted_required_only` for the reasons.
    """
    excluded: list[CheckFunction] = []
    if is_kazoo_only_rejection(case, response):
        excluded.append(positive_data_acceptance)
    if is_listing_query_only(case) or is_defaulted_required_only(case):
        excluded.append(negative_data_rejection)
    return excluded


def call_and_validate(case: AnyCase, access: MockAccess) -> Response:
    """Send a case as the fixtures' account and run every check on the response."""
    response = case.call(base_url=access.base_url, headers=access.headers)
    case.validate_response(
        response,
        excluded_checks=excluded_checks(case, response),
        transport_kwargs={"base_url": access.base_url, "headers": access.headers},
    )
    return response


@writes.parametrize()
def test_writes_conform(case: AnyCase, admin: LiveAdmin) -> None:
    call_and_validate(case, admin.load(FIXTURES))


@others.parametrize()
def test_others_conform(case: AnyCase, admin: LiveAdmin) -> None:
    call_and_validate(case, admin.load(FIXTURES))


class Scenarios:
    """State for the stateful machine, which Hypothesis instantiates itself."""

    admin: ClassVar[LiveAdmin | None] = None
    outcomes: ClassVar[Counter[tuple[str, int]]] = Counter()


def stateful_machine() -> type[Any]:
    """Return the state machine over the spec's links, reset per scenario."""
    schema = load_schema(coverage=False, stateful=True)
    base: type[Any] = schema.as_state_machine()

    class Machine(base):  # type: ignore[misc]
        access: MockAccess

        def setup(self) -> None:
            assert Scenarios.admin is not None
            self.access = Scenarios.admin.reset()

        def before_call(self, case: AnyCase) -> None:
            # The state machine draws every parameter; the configured account id
            # is applied here, as Schemathesis' own runner does.
            overrides.for_operation(schema.config, operation=case.operation).apply_to(
                case
            )
            super().before_call(case)

        def get_call_kwargs(self, case: AnyCase) -> dict[str, Any]:
            return {"base_url": self.access.base_url, "headers": self.access.headers}

        def after_call(self, response: Response, case: AnyCase) -> None:
            super().after_call(response, case)
            Scenarios.outcomes[case.method, response.status_code] += 1

        def validate_response(
            self,
            response: Response,
            case: AnyCase,
            additional_checks: list[CheckFunction] | None = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=excluded_checks(case, response),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    return Machine


@pytest.fixture
def scenarios(admin: LiveAdmin) -> Iterator[type[Scenarios]]:
    """Hand the admin to the state machine and clear the outcome counts."""
    Scenarios.admin = admin
    Scenarios.outcomes.clear()
    yield Scenarios
    Scenarios.admin = None


def test_stateful_conforms(scenarios: type[Scenarios]) -> None:
    settings = hypothesis.settings(
        max_examples=STATEFUL_SCENARIOS,
        stateful_step_count=STATEFUL_STEPS,
        deadline=None,
        derandomize=not FUZZ,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    stateful_machine().run(settings=settings)

    # Only an id that a create returned reaches a stored callflow, so a 200 from
    # each item operation shows that the links carried it there.
    outcomes = scenarios.outcomes
    assert outcomes["PUT", 201] > 0
    for method in ("GET", "POST", "PATCH", "DELETE"):
        assert outcomes[method, 200] > 0, method
