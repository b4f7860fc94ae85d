"""Reference resolution with prance: recursion kept as local refs, sources located."""

from __future__ import annotations

from pathlib import Path

from lint_support import base_spec, write_yaml

from generator.lint import lint_specs
from generator.lint.bundle import bundle_spec
from generator.lint.loader import load_spec

PROJECT_SPEC = (
    Path(__file__).resolve().parent.parent / "spec" / "callflows.openapi.yaml"
)


def test_root_recursion_keeps_component(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "openapi.yaml", base_spec())
    bundle = bundle_spec(load_spec(path))
    item = bundle.document["components"]["schemas"]["Item"]
    children = item["properties"]["children"]
    assert children["additionalProperties"] == {"$ref": "#/components/schemas/Item"}
    assert list(bundle.hoisted) == ["Item"]
    assert bundle.hoisted["Item"].pointer == "/components/schemas/Item"


def test_external_recursion_hoisted(tmp_path: Path) -> None:
    document = base_spec()
    schemas = document["components"]["schemas"]
    schemas["Item"] = {"$ref": "nodes.yaml#/Item"}
    write_yaml(
        tmp_path / "nodes.yaml",
        {"Item": {"type": "object", "properties": {"next": {"$ref": "#/Item"}}}},
    )
    path = write_yaml(tmp_path / "openapi.yaml", document)
    bundle = bundle_spec(load_spec(path))
    # The root already has a component named Item, so the hoisted one is renamed.
    assert list(bundle.hoisted) == ["Item_2"]
    hoisted = bundle.document["components"]["schemas"]["Item_2"]
    assert hoisted["properties"]["next"] == {"$ref": "#/components/schemas/Item_2"}
    assert bundle.hoisted["Item_2"].file.path == (tmp_path / "nodes.yaml").resolve()
    assert lint_specs([path]).findings == []


def test_locate_follows_refs(tmp_path: Path) -> None:
    document = base_spec()
    document["components"]["schemas"]["Item"]["properties"]["name"] = {
        "$ref": "parts.yaml#/Name"
    }
    write_yaml(tmp_path / "parts.yaml", {"Name": {"type": "string"}})
    bundle = bundle_spec(load_spec(write_yaml(tmp_path / "openapi.yaml", document)))
    origin = bundle.locate(
        [
            "components",
            "schemas",
            "ItemRequest",
            "properties",
            "data",
            "properties",
            "name",
            "type",
        ]
    )
    assert origin.file.path == (tmp_path / "parts.yaml").resolve()
    assert origin.pointer == "/Name/type"


def test_unresolvable_ref_still_bundles(tmp_path: Path) -> None:
    document = base_spec()
    document["components"]["schemas"]["Item"]["properties"]["name"] = {"$ref": "#/nope"}
    spec = load_spec(write_yaml(tmp_path / "openapi.yaml", document))
    bundle = bundle_spec(spec)
    assert bundle.document["components"]["schemas"]["Item"]["properties"]["name"] == {}
    # The loaded data gets its reference back once prance is done.
    name = spec.root.data["components"]["schemas"]["Item"]["properties"]["name"]
    assert name == {"$ref": "#/nope"}


def test_project_spec_lints_clean() -> None:
    run = lint_specs([PROJECT_SPEC])
    assert [finding.message for finding in run.findings] == []
    assert run.exit_code == 0
