"""Deriving schemas from pages and folders: the project's pages and the 4.3 corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.derive import (
    DerivedSchemas,
    SchemaSource,
    derive_schemas,
    json_schema_document,
    list_pages,
    load_kazoo_schema,
    page_schema_id,
)
from generator.errors import (
    DeriveError,
    NoSchemaError,
    UnresolvedReference,
    UnresolvedReferenceError,
)

ROOT = Path(__file__).parents[1]
SOURCE = ROOT / "spec" / "source"
CORPUS = Path(__file__).parent / "data" / "kazoo-4.3"
DTMF = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"]
E3_HEADER = (
    "Key | Description | Type | Default | Required | Support Level\n"
    "--- | ----------- | ---- | ------- | -------- | -------------\n"
)
NO_TABLE = (
    "no Schema table found, so the page adds no schema. Derive reads tables with "
    "a header row such as `Key | Description | Type | Default | Required`"
)


@pytest.fixture(scope="module")
def project() -> DerivedSchemas:
    return derive_schemas([SOURCE / "callflows.md", SOURCE / "metaflows.md"])


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_project_ids_and_sources(project: DerivedSchemas) -> None:
    assert project.main == ["callflows"]
    assert sorted(project.schemas) == ["callflows", "metaflow", "metaflows"]
    assert project.sources["callflows"] == SchemaSource(SOURCE / "callflows.md", 7)
    assert project.sources["metaflows"] == SchemaSource(SOURCE / "metaflows.md", 18)
    assert project.warnings == []


def test_project_flow_required(project: DerivedSchemas) -> None:
    callflows = project.schemas["callflows"]
    assert callflows["required"] == ["flow"]
    assert callflows["properties"]["flow"]["required"] == ["data", "module"]


def test_project_flow_module_length(project: DerivedSchemas) -> None:
    module = project.schemas["callflows"]["properties"]["flow"]["properties"]["module"]
    assert module["type"] == "string"
    assert module["minLength"] == 1
    assert module["maxLength"] == 64


def test_project_flow_defaults(project: DerivedSchemas) -> None:
    flow = project.schemas["callflows"]["properties"]["flow"]["properties"]
    assert flow["data"]["default"] == {}
    assert flow["children"]["default"] == {}


def test_project_numbers_and_patterns(project: DerivedSchemas) -> None:
    properties = project.schemas["callflows"]["properties"]
    assert properties["numbers"]["default"] == []
    assert properties["numbers"]["items"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 36,
    }
    assert properties["patterns"]["default"] == []
    assert properties["patterns"]["items"] == {"type": "string", "minLength": 1}


def test_project_featurecode_lengths(project: DerivedSchemas) -> None:
    featurecode = project.schemas["callflows"]["properties"]["featurecode"][
        "properties"
    ]
    assert featurecode["name"] == {"type": "string", "minLength": 1, "maxLength": 128}
    assert featurecode["number"] == {"type": "string", "minLength": 1, "maxLength": 30}


def test_project_metaflow_reference(project: DerivedSchemas) -> None:
    metaflow = project.schemas["callflows"]["properties"]["metaflow"]
    assert metaflow == {
        "$ref": "#/definitions/metaflows",
        "description": "Actions applied to a call outside of the normal callflow, "
        "initiated by the caller(s)",
    }


def test_project_binding_digit(project: DerivedSchemas) -> None:
    digit = project.schemas["metaflows"]["properties"]["binding_digit"]
    assert digit["type"] == "string"
    assert digit["enum"] == DTMF
    assert digit["default"] == "*"


def test_project_metaflow_children_recursive(project: DerivedSchemas) -> None:
    children = project.schemas["metaflow"]["properties"]["children"]
    assert list(children["patternProperties"]) == [".+"]
    assert children["patternProperties"][".+"]["$ref"] == "#/definitions/metaflow"
    assert project.schemas["metaflow"]["required"] == ["module"]


def test_project_metaflows_numbers_pattern(project: DerivedSchemas) -> None:
    numbers = project.schemas["metaflows"]["properties"]["numbers"]
    assert list(numbers["patternProperties"]) == ["^[0-9]+$"]
    assert numbers["patternProperties"]["^[0-9]+$"]["$ref"] == "#/definitions/metaflow"


def test_project_derive_is_deterministic(project: DerivedSchemas) -> None:
    again = derive_schemas([SOURCE])
    assert json.dumps(again.schemas) == json.dumps(project.schemas)


def test_json_schema_document(project: DerivedSchemas) -> None:
    document = json_schema_document(project)
    assert list(document)[:2] == ["$schema", "type"]
    assert document["required"] == ["flow"]
    assert sorted(document["definitions"]) == ["metaflow", "metaflows"]


def test_json_schema_document_without_main() -> None:
    derived = derive_schemas([SOURCE / "metaflows.md"])
    document = json_schema_document(derived)
    assert derived.main == []
    assert sorted(document) == ["$schema", "definitions"]


@pytest.mark.parametrize(
    ("stem", "schema_id"),
    [
        ("callflows", "callflows"),
        ("api_authentication", "api_auth"),
        ("conference", "conferences"),
        ("user_authentication", "user_auth"),
        ("voicemail", "vmboxes"),
        ("whitelabeling", "whitelabel"),
    ],
)
def test_page_schema_id_renames(stem: str, schema_id: str) -> None:
    assert page_schema_id(Path(f"doc/{stem}.md")) == schema_id


def test_folder_pages_sorted(tmp_path: Path) -> None:
    write(tmp_path, "b.md", "#### Schema\n\n" + E3_HEADER)
    write(tmp_path, "a.md", "#### Schema\n\n" + E3_HEADER)
    write(tmp_path, "notes.txt", "")
    assert list_pages([tmp_path]) == [tmp_path / "a.md", tmp_path / "b.md"]
    assert derive_schemas([tmp_path]).main == ["a", "b"]


def test_missing_path_rejected(tmp_path: Path) -> None:
    with pytest.raises(DeriveError, match="page or folder not found"):
        derive_schemas([tmp_path / "absent.md"])


def test_unresolved_reference_names_page_and_line() -> None:
    with pytest.raises(UnresolvedReferenceError) as caught:
        derive_schemas([SOURCE / "callflows.md"])
    assert caught.value.page == SOURCE / "callflows.md"
    assert caught.value.line == 16
    assert caught.value.reference == "#/definitions/metaflows"
    assert str(caught.value).startswith(
        f"{SOURCE / 'callflows.md'}:16: unresolved reference '#/definitions/metaflows'"
    )
    assert "--schemas" in str(caught.value)


def test_reference_resolved_from_page_folder(tmp_path: Path) -> None:
    page = write(tmp_path, "callflows.md", (SOURCE / "callflows.md").read_text())
    derived = derive_schemas([page], [SOURCE])
    assert sorted(derived.schemas) == ["callflows", "metaflow", "metaflows"]
    assert derived.sources["metaflow"] == SchemaSource(SOURCE / "metaflows.md", 6)


def test_reference_resolved_from_json_folder(tmp_path: Path) -> None:
    derived = derive_schemas([SOURCE / "callflows.md"], [CORPUS / "schemas"])
    assert derived.main == ["callflows"]
    assert derived.sources["metaflows"] == SchemaSource(
        CORPUS / "schemas" / "metaflows.json", None
    )
    metaflows = derived.schemas["metaflows"]
    assert "$schema" not in metaflows
    assert "_id" not in metaflows
    numbers = metaflows["properties"]["numbers"]["patternProperties"]["^[0-9]+$"]
    assert numbers == {"$ref": "#/definitions/metaflow"}
    assert "metaflow" in derived.schemas


def test_json_folder_reference_unresolved(tmp_path: Path) -> None:
    schema = {"properties": {"a": {"$ref": "absent"}}}
    (tmp_path / "metaflows.json").write_text(json.dumps(schema))
    with pytest.raises(UnresolvedReferenceError) as caught:
        derive_schemas([SOURCE / "callflows.md"], [tmp_path])
    assert caught.value.page == tmp_path / "metaflows.json"
    assert caught.value.reference == "#/definitions/absent"


def test_load_kazoo_schema_draft3(tmp_path: Path) -> None:
    schema: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-03/schema#",
        "_id": "x",
        "required": True,
        "properties": {
            "a": {"type": "string", "required": True},
            "b": {"type": "string", "required": False},
            "c": {"$ref": "metaflows"},
        },
    }
    path = tmp_path / "x.json"
    path.write_text(json.dumps(schema))
    assert load_kazoo_schema(path) == {
        "properties": {
            "a": {"type": "string"},
            "b": {"type": "string"},
            "c": {"$ref": "#/definitions/metaflows"},
        },
        "required": ["a"],
    }


def test_load_kazoo_schema_invalid(tmp_path: Path) -> None:
    path = write(tmp_path, "x.json", "{")
    with pytest.raises(DeriveError, match="invalid JSON schema"):
        load_kazoo_schema(path)


def test_hand_written_table_warns(tmp_path: Path) -> None:
    text = (
        "#### Schema\n\n"
        "Key | Description | Type | Default | Required\n--- | --- | --- | --- | ---\n"
        "`{IP}` | The IP | `string` | | `true`\n"
        "`{ZONE}` | The zone | `string('a' or 'b')` | | `true`\n"
        "\n## Via SUP\n\nKey | Description | Type\n--- | --- | ---\n`x` | y | z\n"
    )
    page = write(tmp_path, "ips.md", text)
    derived = derive_schemas([page])
    assert sorted(derived.schemas["ips"]["properties"]) == ["{IP}", "{ZONE}"]
    messages = [(w.page, w.line, w.message) for w in derived.warnings]
    assert all(page_ == page for page_, _, _ in messages)
    assert [line for _, line, _ in messages] == [5, 6, 6, 10]
    assert "'{IP}'" in messages[0][2]
    assert "Type cell \"`string('a' or 'b')`\"" in messages[2][2]
    assert "heading 'Via SUP'" in messages[3][2]


def test_differing_definitions_warn(tmp_path: Path) -> None:
    first = write(
        tmp_path,
        "a.md",
        "### x\n\n" + E3_HEADER + "`a` | A | `string()` |  | `false` |\n",
    )
    second = write(
        tmp_path,
        "b.md",
        "### x\n\n" + E3_HEADER + "`b` | B | `string()` |  | `false` |\n",
    )
    derived = derive_schemas([first, second])
    assert list(derived.schemas["x"]["properties"]) == ["a"]
    (warning,) = derived.warnings
    assert warning.page == second
    assert f"differs from the one defined at {first}:3" in warning.message


def test_progress_callback(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "#### Schema\n\n" + E3_HEADER)
    write(tmp_path, "b.md", "")
    calls: list[tuple[int, int, str]] = []
    derive_schemas(
        [tmp_path],
        progress=lambda done, total, page: calls.append((done, total, page.name)),
    )
    assert calls == [(1, 2, "a.md"), (2, 2, "b.md")]


def test_page_without_table_warns(tmp_path: Path) -> None:
    first = write(tmp_path, "a.md", "#### Schema\n\n" + E3_HEADER)
    second = write(tmp_path, "b.md", "# Notes\n\nNo table here.\n")
    derived = derive_schemas([first, second])
    assert derived.main == ["a"]
    (warning,) = derived.warnings
    assert (warning.page, warning.line, warning.message) == (second, None, NO_TABLE)
    assert str(warning) == f"{second}: warning: {NO_TABLE}"


def test_empty_page_warns(tmp_path: Path) -> None:
    first = write(tmp_path, "a.md", "#### Schema\n\n" + E3_HEADER)
    empty = write(tmp_path, "empty.md", "\n")
    (warning,) = derive_schemas([first, empty]).warnings
    assert warning.page == empty
    assert warning.message.startswith("the page is empty, so the page adds no schema")


def test_no_schema_in_any_page(tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.md", "")
    notes = write(tmp_path, "notes.md", "# Notes\n")
    with pytest.raises(NoSchemaError) as caught:
        derive_schemas([empty, notes])
    assert str(caught.value) == (
        f"no Schema table found in {empty}, {notes}: derive reads tables with a "
        "header row such as `Key | Description | Type | Default | Required`; "
        "pass the Kazoo doc pages that have one"
    )
    assert caught.value.inputs == (empty, notes)
    assert [w.page for w in caught.value.warnings] == [empty, notes]


def test_no_schema_in_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(NoSchemaError) as caught:
        derive_schemas([tmp_path])
    assert caught.value.inputs == (tmp_path,)
    assert caught.value.warnings == ()


def test_no_paths_derive_nothing() -> None:
    derived = derive_schemas([])
    assert derived.schemas == {}
    assert derived.warnings == []


def test_every_unresolved_reference_listed(tmp_path: Path) -> None:
    first = write(
        tmp_path,
        "a.md",
        "#### Schema\n\n"
        + E3_HEADER
        + "`x` | X | [#/definitions/missing](#missing) |  | `false` |\n"
        + "`y` | Y | `string(5..2)` |  | `false` |\n"
        + "`z` | Z | [#/definitions/absent](#absent) |  | `false` |\n",
    )
    second = write(
        tmp_path,
        "b.md",
        "### b.def\n\n"
        + E3_HEADER
        + "`w` | W | [#/definitions/missing](#missing) |  | `false` |\n",
    )
    with pytest.raises(UnresolvedReferenceError) as caught:
        derive_schemas([first, second])
    assert caught.value.unresolved == (
        UnresolvedReference(first, 5, "#/definitions/missing"),
        UnresolvedReference(first, 7, "#/definitions/absent"),
        UnresolvedReference(second, 5, "#/definitions/missing"),
    )
    assert str(caught.value) == (
        "3 unresolved references: no page or schema given to derive defines them; "
        "pass the pages or schema folders that do with --schemas:\n"
        f"  {first}:5: '#/definitions/missing'\n"
        f"  {first}:7: '#/definitions/absent'\n"
        f"  {second}:5: '#/definitions/missing'"
    )
    assert caught.value.page is None
    (warning,) = caught.value.warnings
    assert (warning.page, warning.line) == (first, 6)


def test_unreadable_page_keeps_warnings(tmp_path: Path) -> None:
    first = write(tmp_path, "a.md", "#### Schema\n\n" + E3_HEADER)
    notes = write(tmp_path, "b.md", "# Notes\n")
    broken = tmp_path / "c.md"
    broken.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DeriveError, match="failed to read the page") as caught:
        derive_schemas([first, notes, broken])
    assert caught.value.page == broken
    assert [w.page for w in caught.value.warnings] == [notes]


def test_page_warnings_in_line_order(tmp_path: Path) -> None:
    text = (
        "#### Schema\n\n"
        + E3_HEADER
        + "`d.x` | X | `string()` |  | `false` |\n"
        + "`d` | D | `integer()` |  | `false` |\n"
        + "`e` | E | `string(3..1)` |  | `false` |\n"
    )
    page = write(tmp_path, "a.md", text)
    assert [w.line for w in derive_schemas([page]).warnings] == [5, 7]


def test_name_page_hook() -> None:
    page = CORPUS / "callflow-doc" / "ref" / "menu.md"
    derived = derive_schemas([page], name_page=lambda path: f"callflows.{path.stem}")
    assert derived.main == ["callflows.menu"]


@pytest.mark.parametrize(
    ("folders", "main_count"),
    [
        pytest.param(["crossbar-doc", "crossbar-doc/ref"], 53, id="crossbar"),
        pytest.param(["callflow-doc", "callflow-doc/ref"], 73, id="callflow"),
    ],
)
def test_whole_corpus_derives(folders: list[str], main_count: int) -> None:
    paths = [CORPUS / folder for folder in folders]
    derived = derive_schemas(paths, [CORPUS / "schemas"])
    assert len(derived.main) == main_count


def test_every_corpus_page_derives_alone() -> None:
    pages = sorted(CORPUS.glob("*-doc/**/*.md"))
    assert len(pages) == 242
    for page in pages:
        derived = derive_schemas([page], [CORPUS / "schemas"])
        assert all(isinstance(schema, dict) for schema in derived.schemas.values())
