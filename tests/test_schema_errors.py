"""Tests of the translation of pydantic errors into Kazoo's validation errors."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from generated import models
from mock_server.schema_errors import translate_errors, type_error

REQUIRED = "Field is required but missing"


def translate(
    model: type[pydantic.BaseModel], document: Any, prefix: str = ""
) -> dict[str, Any]:
    """Validate `document` strictly, which must fail, and translate the errors."""
    with pytest.raises(pydantic.ValidationError) as caught:
        model.model_validate(document, strict=True)
    return translate_errors(caught.value, document, model, prefix)


def test_type_error_one_type() -> None:
    assert type_error("object", 5) == {
        "message": "Value did not match type(s): object",
        "target": "object",
        "value": 5,
    }


def test_type_error_several_types() -> None:
    assert type_error(["string", "integer"], None) == {
        "message": "Value did not match type(s): string, integer",
        "target": ["string", "integer"],
        "value": None,
    }


@pytest.mark.parametrize(
    ("model", "field", "types"),
    [
        pytest.param(
            models.CallflowsConference,
            "play_entry_tone",
            ["boolean", "string"],
            id="boolean-first",
        ),
        pytest.param(
            models.CallflowsAfterBridge,
            "data",
            ["string", "boolean"],
            id="string-first",
        ),
        pytest.param(
            models.MetaflowsRelate,
            "participant_id",
            ["string", "integer"],
            id="integer-second",
        ),
    ],
)
def test_union_types_in_schema_order(
    model: type[pydantic.BaseModel], field: str, types: list[str]
) -> None:
    document = {"conference_id": "c", "other_participant": 1, field: []}
    errors = translate(model, document)
    assert errors[field] == {"type": type_error(types, [])}


def test_null_in_union_keeps_path() -> None:
    document = {"conference_id": "c", "other_participant": 1, "participant_id": None}
    errors = translate(models.MetaflowsRelate, document)
    assert errors == {
        "participant_id": {"type": type_error(["string", "integer"], None)}
    }


@pytest.mark.parametrize(
    ("field", "target"),
    [
        pytest.param("numbers", "array", id="numbers"),
        pytest.param("patterns", "array", id="patterns"),
        pytest.param("featurecode", "object", id="featurecode"),
        pytest.param("metaflow", "object", id="metaflow"),
    ],
)
def test_null_field_type_error(field: str, target: str) -> None:
    document = {"flow": {"module": "hangup"}, field: None}
    errors = translate(models.Callflows, document)
    assert errors == {field: {"type": type_error(target, None)}}


def test_prefix_joined() -> None:
    errors = translate(models.CallflowsUser, {"timeout": "x"}, "flow.data")
    assert list(errors) == ["flow.data.timeout"]


def test_missing_field_named() -> None:
    errors = translate(models.MetaflowsRelate, {"participant_id": 1}, "d")
    assert errors["d.conference_id"] == {
        "required": {"message": REQUIRED, "value": "conference_id"}
    }


def test_metaflow_module_unknown() -> None:
    document = {"numbers": {"1": {"module": "nope"}}}
    errors = translate(models.Metaflows, document, "metaflow")
    assert errors == {
        "metaflow.numbers.1.module": {
            "error": {
                "message": "unable to find metaflow schema for module nope",
                "value": "nope",
            }
        }
    }


def test_flow_in_metaflow_data_unknown() -> None:
    document = {"module": "callflow", "data": {"flow": {"module": "nope"}}}
    errors = translate(models.MetaflowActionCallflow, document, "metaflow.numbers.1")
    assert errors == {
        "metaflow.numbers.1.data.flow.module": {
            "error": {
                "message": "unable to find callflow schema for module nope",
                "value": "nope",
            }
        }
    }


def test_flow_module_missing() -> None:
    errors = translate(models.Callflows, {"flow": {"data": {}}})
    assert errors == {
        "flow.module": {"required": {"message": REQUIRED, "value": "module"}}
    }


def test_dot_in_key_escaped() -> None:
    document = {"patterns": {"a.b": {"module": "nope"}}}
    errors = translate(models.Metaflows, document)
    assert list(errors) == ["patterns.a%2Eb.module"]
