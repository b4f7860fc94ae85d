"""Tests of callflow module schemas: source layout, spec components and models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pydantic
import pytest
import yaml
from openapi_spec_validator import validate

from generated import models
from generated.flow_nodes import FLOW_DEFAULTS, FLOW_NODES, METAFLOW_NODES
from generator.codegen import collect_flow_nodes, render_code
from generator.errors import UnresolvedReferenceError
from generator.openapi import METAFLOW_NODES as METAFLOW_FAMILY
from generator.openapi import build_openapi, module_names
from generator.pipeline import collect_sources, derive, render_spec, spec_header

ROOT = Path(__file__).parents[1]
SOURCE = ROOT / "spec" / "source"
DATA = Path(__file__).parent / "data"
KAZOO = DATA / "kazoo-4.3"
PREFIX = "#/components/schemas/"
SPEC_NAME = "spec/callflows.openapi.yaml"
# Kazoo 4.3's callflow modules: every `callflows.<module>` schema it ships.
MODULES_4_3 = [
    "acdc_agent",
    "acdc_member",
    "acdc_queue",
    "acdc_wait_time",
    "after_bridge",
    "audio_macro",
    "branch_bnumber",
    "branch_variable",
    "call_forward",
    "call_waiting",
    "callflow",
    "camping_feature",
    "check_cid",
    "cidlistmatch",
    "collect_dtmf",
    "conference",
    "conference_feature",
    "dead_air",
    "device",
    "directory",
    "disa",
    "do_not_disturb",
    "dynamic_cid",
    "eavesdrop",
    "eavesdrop_feature",
    "edr",
    "fax_detect",
    "faxbox",
    "flush_dtmf",
    "group",
    "group_pickup",
    "group_pickup_feature",
    "hangup",
    "hotdesk",
    "intercept",
    "intercept_feature",
    "intercom",
    "language",
    "lookupcidname",
    "manual_presence",
    "menu",
    "missed_call_alert",
    "move",
    "nomorobo",
    "offnet",
    "page_group",
    "park",
    "pivot",
    "play",
    "prepend_cid",
    "privacy",
    "receive_fax",
    "record_call",
    "record_caller",
    "resources",
    "response",
    "ring_group",
    "ring_group_toggle",
    "route_to_cid",
    "send_dtmf",
    "set",
    "set_alert_info",
    "set_cid",
    "set_variable",
    "set_variables",
    "skel",
    "sleep",
    "temporal_route",
    "transfer",
    "tts",
    "user",
    "voicemail",
    "webhook",
]
# Kazoo 4.3's metaflow modules: every `metaflows.<module>` schema it ships.
METAFLOW_MODULES_4_3 = [
    "audio_level",
    "break",
    "callflow",
    "hangup",
    "hold",
    "hold_control",
    "intercept",
    "move",
    "pivot",
    "play",
    "record_call",
    "relate",
    "resume",
    "say",
    "sound_touch",
    "transfer",
    "tts",
]


@pytest.fixture(scope="module")
def spec_text() -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        return render_spec([Path("spec/source")])


@pytest.fixture(scope="module")
def schemas(spec_text: str) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(spec_text)["components"]["schemas"]
    return found


def ref(component: str) -> dict[str, str]:
    return {"$ref": PREFIX + component}


def example(name: str) -> dict[str, Any]:
    path = DATA / "callflow-examples" / f"{name}.json"
    body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return body


# Source layout ---------------------------------------------------------------------


def test_source_has_every_module() -> None:
    pages = sorted(page.stem for page in (SOURCE / "modules").glob("*.md"))
    schemas = sorted(path.name for path in (SOURCE / "schemas").glob("*.json"))
    assert sorted([*pages, "disa"]) == MODULES_4_3
    assert schemas == [
        "callflows.disa.json",
        *(f"metaflows.{module}.json" for module in METAFLOW_MODULES_4_3),
    ]


def test_metaflow_schemas_unchanged() -> None:
    for module in METAFLOW_MODULES_4_3:
        name = f"metaflows.{module}.json"
        copy = KAZOO / "schemas" / name
        assert (SOURCE / "schemas" / name).read_bytes() == copy.read_bytes(), name


def test_module_pages_unchanged() -> None:
    for page in (SOURCE / "modules").glob("*.md"):
        copy = KAZOO / "callflow-doc" / "ref" / page.name
        assert page.read_bytes() == copy.read_bytes(), page.name


def test_layout_sorts_sources() -> None:
    sources = collect_sources([SOURCE])
    assert [page.name for page in sources.pages] == ["callflows.md", "metaflows.md"]
    assert len(sources.module_pages) == 72
    assert {page.parent.name for page in sources.module_pages} == {"modules"}
    assert sources.schema_files[0] == SOURCE / "schemas" / "callflows.disa.json"
    assert len(sources.schema_files) == 1 + len(METAFLOW_MODULES_4_3)
    assert sources.schema_dirs == [SOURCE / "schemas"]


def test_readme_not_a_page() -> None:
    sources = collect_sources([SOURCE])
    assert (SOURCE / "README.md").is_file()
    assert all(page.name != "README.md" for page in sources.pages)


def test_module_page_named_by_folder(tmp_path: Path) -> None:
    modules = tmp_path / "modules"
    modules.mkdir()
    shutil.copy(KAZOO / "callflow-doc" / "ref" / "user.md", modules / "user.md")
    by_folder = derive([modules])
    by_file = derive([modules / "user.md"])
    assert by_folder.main == ["callflows.user"]
    assert by_file.main == ["callflows.user"]
    assert by_folder.schemas == by_file.schemas


def test_page_wins_over_json(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "schemas").mkdir()
    shutil.copy(KAZOO / "callflow-doc" / "ref" / "user.md", tmp_path / "modules")
    schema = {"_id": "callflows.user", "type": "object", "properties": {}}
    (tmp_path / "schemas" / "callflows.user.json").write_text(json.dumps(schema))
    derived = derive([tmp_path])
    assert "timeout" in derived.schemas["callflows.user"]["properties"]
    assert derived.sources["callflows.user"].page.name == "user.md"


def test_json_schema_file_argument() -> None:
    derived = derive([SOURCE / "schemas" / "callflows.disa.json"])
    assert derived.main == []
    assert derived.schemas["callflows.disa"] == {
        "description": "Validator for the DISA callflow data object",
        "properties": {
            "skip_module": {
                "description": "When set to true this callflow action is skipped, "
                "advancing to the wildcard branch (if any)",
                "type": "boolean",
            }
        },
        "type": "object",
    }


def test_json_schema_unresolved_reference(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"x": {"$ref": "nowhere"}}}
    path = tmp_path / "callflows.broken.json"
    path.write_text(json.dumps(schema))
    with pytest.raises(UnresolvedReferenceError, match="#/definitions/nowhere"):
        derive([path])


def test_header_counts_module_pages(
    spec_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    header = spec_header([Path("spec/source")])
    assert spec_text.startswith(header)
    assert header.splitlines() == [
        "# Generated by `callflow-kit derive` from spec/source/callflows.md,",
        "# spec/source/metaflows.md, 72 module pages in spec/source/modules/, 18 JSON "
        "schemas in",
        "# spec/source/schemas/.",
        "# Do not edit: change the source pages, then run `callflow-kit derive`.",
    ]


# Spec components ---------------------------------------------------------------------


def test_spec_validates(spec_text: str) -> None:
    validate(yaml.safe_load(spec_text))


def test_module_components_present(schemas: dict[str, Any]) -> None:
    for module in MODULES_4_3:
        assert schemas[f"callflows.{module}"]["type"] == "object", module
        assert f"callflows.action.{module}" in schemas, module


def test_module_names_rule() -> None:
    ids = ["callflows", "callflows.action", "callflows.user", "callflows.a.b", "menu"]
    assert module_names(ids) == ["user"]


def test_discriminator_mapping(schemas: dict[str, Any]) -> None:
    union = schemas["FlowNode"]
    mapping = union["discriminator"]["mapping"]
    assert union["discriminator"]["propertyName"] == "module"
    assert list(mapping) == MODULES_4_3
    assert mapping["user"] == PREFIX + "callflows.action.user"
    assert union["oneOf"] == [{"$ref": target} for target in mapping.values()]


def test_variant_links_module_data(schemas: dict[str, Any]) -> None:
    base, own = schemas["callflows.action.user"]["allOf"]
    assert base == ref("callflows.action")
    assert own["required"] == ["data", "module"]
    assert own["properties"]["module"] == {"type": "string", "const": "user"}
    assert own["properties"]["data"] == {**ref("callflows.user"), "default": {}}


def test_required_data_no_default(schemas: dict[str, Any]) -> None:
    own = schemas["callflows.action.ring_group"]["allOf"][1]
    assert "endpoints" in schemas["callflows.ring_group"]["required"]
    assert own["properties"]["data"] == ref("callflows.ring_group")


def test_flow_and_children_use_union(schemas: dict[str, Any]) -> None:
    flow = schemas["callflows"]["properties"]["flow"]
    children = schemas["callflows.action"]["properties"]["children"]
    assert flow["$ref"] == PREFIX + "FlowNode"
    assert children["patternProperties"] == {".+": ref("FlowNode")}


def test_module_defaults_in_spec(schemas: dict[str, Any]) -> None:
    user = schemas["callflows.user"]["properties"]
    assert user["delay"]["default"] == 0
    assert user["strategy"]["default"] == "simultaneous"
    assert user["timeout"]["default"] == 20


def test_no_modules_no_union() -> None:
    raw = json.loads((DATA / "derived-schemas.json").read_text(encoding="utf-8"))
    document = build_openapi(SimpleNamespace(**raw))
    schemas = document["components"]["schemas"]
    assert "FlowNode" not in schemas
    assert schemas["callflows"]["properties"]["flow"]["$ref"] == (
        PREFIX + "callflows.action"
    )
    assert collect_flow_nodes(document) == []


# Generated models ------------------------------------------------------------------


def test_flow_nodes_table() -> None:
    assert sorted(FLOW_NODES) == MODULES_4_3
    assert FLOW_NODES["user"] is models.CallflowsActionUser
    for module, node in FLOW_NODES.items():
        assert issubclass(node, models.CallflowsAction), module


def test_variant_types_data() -> None:
    fields = models.CallflowsActionUser.model_fields
    assert fields["data"].annotation is models.CallflowsUser
    assert models.CallflowsActionUser(module="user").data.timeout == 20


def test_flow_data_typed_at_depth() -> None:
    callflow = models.Callflows.model_validate(
        {
            "numbers": ["1000"],
            "flow": {
                "module": "user",
                "children": {
                    "_": {
                        "module": "menu",
                        "children": {
                            "1": {
                                "module": "ring_group",
                                "data": {
                                    "endpoints": [{"id": "a", "endpoint_type": "user"}]
                                },
                            }
                        },
                    }
                },
            },
        }
    )
    assert isinstance(callflow.flow.children, dict)
    menu = callflow.flow.children["_"]
    assert isinstance(menu.children, dict)
    ring_group = menu.children["1"]
    assert isinstance(callflow.flow, models.CallflowsAction)
    assert isinstance(callflow.flow.data, models.CallflowsUser)
    assert isinstance(menu.data, models.CallflowsMenu)
    assert isinstance(ring_group.data, models.CallflowsRingGroup)
    assert ring_group.data.endpoints[0].timeout == 20


def test_unknown_module_model_rejects() -> None:
    body = {
        "numbers": ["1"],
        "flow": {"module": "user", "children": {"_": {"module": "foo"}}},
    }
    with pytest.raises(pydantic.ValidationError) as caught:
        models.Callflows.model_validate(body)
    [error] = caught.value.errors()
    assert error["type"] == "union_tag_invalid"
    assert error["loc"] == ("flow", "user", "children", "_")


def test_examples_typed_by_module() -> None:
    body = example("04-menu-ivr-digit-children")
    flow = models.CallflowRequest.model_validate(body).data.flow
    assert isinstance(flow, models.CallflowsActionMenu)
    assert isinstance(flow.children, dict)
    assert all(
        isinstance(child, models.CallflowsAction) for child in flow.children.values()
    )


def test_generated_deterministic(spec_text: str) -> None:
    first = render_code(spec_text, SPEC_NAME)
    second = render_code(spec_text, SPEC_NAME)
    assert first == second
    assert '    "user": CallflowsActionUser,\n' in first["flow_nodes.py"]


# Metaflow modules ------------------------------------------------------------------


def test_metaflow_module_names_rule() -> None:
    ids = ["metaflow", "metaflows", "metaflows.hold", "metaflows.a.b", "callflows.x"]
    assert module_names(ids, METAFLOW_FAMILY) == ["hold"]


def test_metaflow_discriminator_mapping(schemas: dict[str, Any]) -> None:
    union = schemas["MetaflowNode"]
    mapping = union["discriminator"]["mapping"]
    assert union["discriminator"]["propertyName"] == "module"
    assert list(mapping) == METAFLOW_MODULES_4_3
    assert mapping["hold"] == PREFIX + "metaflow.action.hold"
    assert union["oneOf"] == [{"$ref": target} for target in mapping.values()]


def test_metaflow_variant_links_data(schemas: dict[str, Any]) -> None:
    base, own = schemas["metaflow.action.hold"]["allOf"]
    assert base == ref("metaflow")
    assert own["required"] == ["module"]
    assert own["properties"]["module"] == {"type": "string", "const": "hold"}
    assert own["properties"]["data"] == {**ref("metaflows.hold"), "default": {}}


def test_metaflow_required_data(schemas: dict[str, Any]) -> None:
    own = schemas["metaflow.action.relate"]["allOf"][1]
    assert own["required"] == ["data", "module"]
    assert own["properties"]["data"] == ref("metaflows.relate")


def test_metaflow_refs_use_union(schemas: dict[str, Any]) -> None:
    metaflows = schemas["metaflows"]["properties"]
    children = schemas["metaflow"]["properties"]["children"]
    assert metaflows["numbers"]["patternProperties"]["^[0-9]+$"]["$ref"] == (
        PREFIX + "MetaflowNode"
    )
    assert metaflows["patterns"]["patternProperties"][".+"]["$ref"] == (
        PREFIX + "MetaflowNode"
    )
    assert children["patternProperties"][".+"]["$ref"] == PREFIX + "MetaflowNode"


def test_metaflow_callflow_runs_flow(schemas: dict[str, Any]) -> None:
    flow = schemas["metaflows.callflow"]["properties"]["flow"]
    assert flow["$ref"] == PREFIX + "FlowNode"


def test_metaflow_nodes_table() -> None:
    assert sorted(METAFLOW_NODES) == METAFLOW_MODULES_4_3
    assert METAFLOW_NODES["transfer"] is models.MetaflowActionTransfer
    for module, node in METAFLOW_NODES.items():
        assert issubclass(node, models.Metaflow), module


def test_metaflow_data_typed() -> None:
    node = METAFLOW_NODES["transfer"].model_validate({"module": "transfer"})
    assert isinstance(node, models.MetaflowActionTransfer)
    assert isinstance(node.data, models.MetaflowsTransfer)
    assert node.data.transfer_type == models.MetaflowsTransferTransferType.blind


def test_metaflow_unknown_module_rejected() -> None:
    body = {"numbers": {"1": {"module": "nope"}}}
    with pytest.raises(pydantic.ValidationError) as caught:
        models.Metaflows.model_validate(body)
    [error] = caught.value.errors()
    assert error["type"] == "union_tag_invalid"
    assert error["loc"] == ("numbers", "1")


def test_flow_defaults_top_level_only() -> None:
    assert FLOW_DEFAULTS == {"children": {}}
    node = models.CallflowsAction.model_validate({"module": "user"})
    assert node.children is pydantic.MISSING
