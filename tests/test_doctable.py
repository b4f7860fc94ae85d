"""Finding Schema tables by their header row, splitting rows, naming tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.doctable import Diagnostic, Row, parse_tables, read_tables, split_cells

PAGE = Path("page.md")
E0_HEADER = (
    "Key | Description | Type | Default | Required\n"
    "--- | ----------- | ---- | ------- | --------\n"
)
E3_HEADER = (
    "Key | Description | Type | Default | Required | Support Level\n"
    "--- | ----------- | ---- | ------- | -------- | -------------\n"
)


def test_e0_table_rows_and_lines() -> None:
    text = "#### Schema\n\n" + E0_HEADER + "`flow` | A node | `object` |   | `true`\n"
    tables = parse_tables(text, PAGE).tables
    assert len(tables) == 1
    assert tables[0].line == 3
    assert tables[0].columns == ("key", "description", "type", "default", "required")
    assert tables[0].rows == (
        Row(
            line=5,
            key="`flow`",
            description="A node",
            type="`object`",
            required="`true`",
        ),
    )


def test_e3_table_support_column() -> None:
    text = (
        E3_HEADER + "`flags` | Flags | `array(string())` |   | `false` | `supported`\n"
    )
    (table,) = parse_tables(text, PAGE).tables
    assert table.columns[-1] == "support"
    assert table.rows[0].support == "`supported`"


def test_pipes_inside_backticks_do_not_split() -> None:
    row = "`listen_on` | Leg | `string('both' | 'self' | 'peer')` |   | `false` |  "
    (table,) = parse_tables(E3_HEADER + row, PAGE).tables
    assert table.rows[0].type == "`string('both' | 'self' | 'peer')`"
    assert table.rows[0].support == ""


def test_split_cells_escaped_pipe() -> None:
    assert split_cells(r"a \| b | c") == ["a | b ", " c"]


def test_split_cells_unbalanced_backtick() -> None:
    assert split_cells("`a | b | c") == ["`a ", " b ", " c"]


def test_row_without_trailing_blank_cell() -> None:
    (table,) = parse_tables(
        E3_HEADER + "`a` | x | `string()` |   | `false` |", PAGE
    ).tables
    assert table.rows[0].required == "`false`"
    assert table.rows[0].support == ""


def test_row_with_stray_trailing_pipe() -> None:
    result = parse_tables(
        E0_HEADER + "`amount` | Amount | `number()` |   | `false` |", PAGE
    )
    assert result.tables[0].rows[0].type == "`number()`"
    assert result.diagnostics == []


def test_outer_pipes_accepted() -> None:
    text = "| Key | Description | Type |\n|---|---|---|\n| `a` | x | `string()` |\n"
    (table,) = parse_tables(text, PAGE).tables
    assert table.rows[0] == Row(line=3, key="`a`", description="x", type="`string()`")


def test_extra_pipes_join_description() -> None:
    result = parse_tables(E0_HEADER + "`a` | one | two | `string` |   | `false`", PAGE)
    assert result.tables[0].rows[0].description == "one | two"
    assert result.tables[0].rows[0].type == "`string`"
    (warning,) = result.diagnostics
    assert warning.line == 3
    assert "has more cells than the 5 columns" in warning.message


def test_extra_pipes_of_link_union_join_type() -> None:
    row = "`a` | desc | [#/definitions/x](#x) | `string()` |   | `false`"
    result = parse_tables(E0_HEADER + row, PAGE)
    assert result.tables[0].rows[0].description == "desc"
    assert result.tables[0].rows[0].type == "[#/definitions/x](#x) | `string()`"


def test_missing_cells_read_blank_with_warning() -> None:
    result = parse_tables(E3_HEADER + "`slot` | Slot | `string` |   | `false`", PAGE)
    assert result.tables[0].rows[0].support == ""
    (warning,) = result.diagnostics
    assert warning == Diagnostic(
        PAGE,
        3,
        "row '`slot` | Slot | `string` |   | `false`' has 5 cells but its header "
        "has 6; the missing cells are read as blank",
    )
    assert str(warning).startswith("page.md:3: warning: row ")


@pytest.mark.parametrize(
    ("header", "columns"),
    [
        pytest.param(
            "Key | Description | Type", ("key", "description", "type"), id="three"
        ),
        pytest.param(
            "Key | Description | Type | Default",
            ("key", "description", "type", "default"),
            id="four",
        ),
        pytest.param(
            "Key | Type | Description", ("key", "type", "description"), id="reordered"
        ),
        pytest.param(
            "Key | Description | Type | Default | Required | Support",
            ("key", "description", "type", "default", "required", "support"),
            id="support-short",
        ),
    ],
)
def test_header_variants_accepted(header: str, columns: tuple[str, ...]) -> None:
    rule = " | ".join("---" for _ in columns)
    (table,) = parse_tables(f"{header}\n{rule}\n", PAGE).tables
    assert table.columns == columns


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Key | Description", id="two-columns"),
        pytest.param("Key | Value | Description", id="no-type"),
        pytest.param("Name | Description | Type", id="not-key"),
        pytest.param("Key | Description | Type | Type", id="repeated"),
    ],
)
def test_other_tables_ignored(header: str) -> None:
    rule = " | ".join("---" for _ in header.split("|"))
    assert parse_tables(f"{header}\n{rule}\n`a` | b | c\n", PAGE).tables == []


def test_header_without_rule_ignored() -> None:
    assert parse_tables("Key | Description | Type\n`a` | b | c\n", PAGE).tables == []


def test_tables_inside_code_fences_ignored() -> None:
    text = "```\n" + E0_HEADER + "`a` | b | `string` |   | `false`\n```\n"
    assert parse_tables(text, PAGE).tables == []


def test_table_ends_at_blank_line() -> None:
    text = (
        E0_HEADER
        + "`a` | b | `string` |   | `false`\n\n`c` | d | `string` |   | `false`\n"
    )
    (table,) = parse_tables(text, PAGE).tables
    assert [row.key for row in table.rows] == ["`a`"]


def test_roles_main_definition_extra() -> None:
    text = (
        "## Callflows\n\n#### Schema\n\nCall flows.\n\n\n"
        + E3_HEADER
        + "\n### callflows.action\n\nA node.\n\n"
        + E3_HEADER
        + "\n## Send a NOTIFY\n\n"
        + "Key | Type | Description\n--- | --- | ---\n"
    )
    main, action, extra = parse_tables(text, PAGE).tables
    assert (main.role, main.name, main.description) == ("main", None, "Call flows.")
    assert (action.role, action.name, action.description) == (
        "definition",
        "callflows.action",
        "A node.",
    )
    assert (extra.role, extra.heading) == ("extra", "Send a NOTIFY")


def test_main_found_by_heading_not_level() -> None:
    text = "## Ledgers Schema\n\n" + E3_HEADER + "\n##### Schema\n\n" + E3_HEADER
    first, second = parse_tables(text, PAGE).tables
    assert first.role == "main"
    assert second.role == "extra"


def test_schema_for_heading_names_definition() -> None:
    text = "## Schema for auth.callback\n\n" + E3_HEADER
    (table,) = parse_tables(text, PAGE).tables
    assert (table.role, table.name) == ("definition", "auth.callback")


def test_page_of_sub_sections_has_no_main() -> None:
    text = "### metaflow\n\n" + E3_HEADER + "\n### metaflows\n\n" + E3_HEADER
    result = parse_tables(text, PAGE)
    assert result.main is None
    assert [t.name for t in result.tables] == ["metaflow", "metaflows"]


def test_first_table_is_main_without_schema_heading() -> None:
    text = "## Callflow fields\n\n" + E0_HEADER + "\n### Other\n\n" + E0_HEADER
    first, second = parse_tables(text, PAGE).tables
    assert first.role == "main"
    assert second.role == "extra"


def test_description_needs_single_paragraph() -> None:
    text = "#### Schema\n\nOne.\n\nTwo.\n\n" + E3_HEADER
    (table,) = parse_tables(text, PAGE).tables
    assert table.description is None


def test_description_paragraph_lines_joined() -> None:
    text = "#### Schema\n\nfirst line\nsecond line\n\n" + E3_HEADER
    (table,) = parse_tables(text, PAGE).tables
    assert table.description == "first line second line"


def test_read_tables_project_pages() -> None:
    source = Path(__file__).parents[1] / "spec" / "source"
    callflows = read_tables(source / "callflows.md")
    metaflows = read_tables(source / "metaflows.md")
    assert callflows.main is not None
    assert len(callflows.main.rows) == 12
    assert callflows.diagnostics == []
    assert [(t.role, t.name) for t in metaflows.tables] == [
        ("definition", "metaflow"),
        ("definition", "metaflows"),
    ]
