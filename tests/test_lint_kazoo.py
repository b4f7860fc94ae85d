"""Kazoo's own generated OpenAPI 3.0 spec (85 files) as real lint input.

The spec refers to itself through `metaflow` and `callflows.action` (the flow
tree) and `storage.attachments.field`; the tests pin the defects it really has.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from generator.lint import LintRun, lint_specs
from generator.lint.bundle import Bundle, bundle_spec
from generator.lint.findings import Finding, Severity
from generator.lint.loader import load_spec

KAZOO = Path(__file__).parent / "data" / "kazoo-oas3-master"
ROOT = KAZOO / "openapi.yml"
SCHEMAS = KAZOO / "oas3-schemas.yml"


@pytest.fixture(scope="module")
def run() -> LintRun:
    return lint_specs([ROOT])


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return bundle_spec(load_spec(ROOT))


def findings_of(run: LintRun, rule_id: str) -> list[Finding]:
    """Return the findings of one rule."""
    return [finding for finding in run.findings if finding.rule == rule_id]


def test_kazoo_reads_referenced_files(run: LintRun) -> None:
    # paths/bulk.yml is the one file that openapi.yml does not refer to.
    assert len(run.files) == 84
    assert KAZOO.joinpath("paths", "bulk.yml").resolve() not in run.files


def test_kazoo_finding_counts(run: LintRun) -> None:
    assert Counter(finding.rule for finding in run.findings) == {
        "yaml-key-not-string": 545,
        "success-response-schema-missing": 545,
        "error-response-missing": 545,
        "request-envelope-missing": 169,
        "x-pattern-properties": 22,
        "enum-type-mismatch": 5,
        "default-invalid": 1,
    }
    assert run.exit_code == 1


def test_kazoo_structure_valid(run: LintRun) -> None:
    # Recursion resolved, nothing skipped: the validator ran and found nothing.
    assert findings_of(run, "oas-structure") == []
    assert findings_of(run, "ref-unresolvable") == []


def test_kazoo_recursion_hoisted(bundle: Bundle) -> None:
    schemas = bundle.document["components"]["schemas"]
    assert sorted(bundle.hoisted) == [
        "callflows.action",
        "metaflow",
        "storage.attachments.field",
    ]
    children = schemas["metaflow"]["properties"]["children"]
    assert children["x-patternProperties"][".+"] == {
        "$ref": "#/components/schemas/metaflow"
    }
    action_children = schemas["callflows.action"]["properties"]["children"]
    assert action_children["x-patternProperties"][".+"] == {
        "$ref": "#/components/schemas/callflows.action"
    }
    assert bundle.hoisted["metaflow"].file.path == SCHEMAS.resolve()
    assert bundle.hoisted["metaflow"].pointer == "/metaflow"


def test_kazoo_binding_digit_enum(run: LintRun) -> None:
    finding = next(
        finding
        for finding in findings_of(run, "enum-type-mismatch")
        if "binding_digit" in finding.location.pointer
    )
    assert finding.severity is Severity.ERROR
    assert finding.location.path == SCHEMAS.resolve()
    assert finding.location.pointer == "/metaflows/properties/binding_digit/enum/0"
    assert finding.location.line == 6095
    assert finding.message == (
        "enum values 1, 2, 3, 4, 5, 6, 7, 8, 9, 0 are integer, but the schema's type "
        "is 'string'; change the values to that type (quote them) or change the type"
    )


def test_kazoo_enum_mismatches(run: LintRun) -> None:
    assert sorted(
        (finding.location.line, finding.location.pointer)
        for finding in findings_of(run, "enum-type-mismatch")
    ) == [
        (3716, "/clicktocall/properties/bypass_media/oneOf/1/enum/1"),
        (4743, "/devices.combo_key/oneOf/0/properties/value/oneOf/1/enum/0"),
        (4989, "/endpoint.media/properties/bypass_media/oneOf/1/enum/1"),
        (6095, "/metaflows/properties/binding_digit/enum/0"),
        (7712, "/queues/properties/caller_exit_key/enum/0"),
    ]


def test_kazoo_gateway_default(run: LintRun) -> None:
    (finding,) = findings_of(run, "default-invalid")
    assert finding.location.pointer == "/resources/properties/gateways/items/default"
    assert finding.location.line == 8026
    assert finding.message == (
        "default {} fails its schema: 'server' is a required property; change the "
        "default or the schema"
    )


def test_kazoo_callflow_bodies_unwrapped(run: LintRun) -> None:
    callflows = KAZOO.joinpath("paths", "callflows.yml").resolve()
    found = [
        finding
        for finding in findings_of(run, "request-envelope-missing")
        if finding.location.path == callflows
    ]
    assert [finding.location.line for finding in found] == [22, 64, 81]
    assert found[0].message.startswith(
        "PUT /accounts/{ACCOUNT_ID}/callflows application/json body is "
        "../oas3-schemas.yml#/callflows, not the crossbar envelope"
    )


def test_kazoo_unquoted_status_codes(run: LintRun) -> None:
    callflows = KAZOO.joinpath("paths", "callflows.yml").resolve()
    lines = [
        finding.location.line
        for finding in findings_of(run, "yaml-key-not-string")
        if finding.location.path == callflows
    ]
    assert lines == [9, 25, 38, 50, 67, 84]


def test_kazoo_flow_tree_pattern(run: LintRun) -> None:
    pointers = {
        finding.location.pointer for finding in findings_of(run, "x-pattern-properties")
    }
    assert "/callflows.action/properties/children/x-patternProperties" in pointers
    assert "/metaflow/properties/children/x-patternProperties" in pointers
