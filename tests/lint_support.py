"""Helpers for the lint tests: a clean base spec and a way to lint a variant of it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from generator.lint import LintConfig, LintRun, lint_specs
from generator.lint.findings import Finding

ITEM = "/items/{ITEM_ID}"


def base_spec(version: str = "3.1.0") -> dict[str, Any]:
    """Return a small spec that every rule passes: envelope, 4xx, recursion."""
    item_response = {"$ref": "#/components/schemas/ItemResponse"}
    return copy.deepcopy(
        {
            "openapi": version,
            "info": {"title": "items", "version": "1"},
            "paths": {
                ITEM: {
                    "parameters": [
                        {
                            "name": "ITEM_ID",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "get": {
                        "operationId": "get_item",
                        "summary": "Get an item",
                        "tags": ["items"],
                        "responses": {
                            "200": _json_response(item_response),
                            "404": {"description": "not found"},
                        },
                    },
                    "post": {
                        "operationId": "replace_item",
                        "summary": "Replace an item",
                        "tags": ["items"],
                        "requestBody": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "$ref": "#/components/schemas/ItemRequest"
                                    }
                                }
                            }
                        },
                        "responses": {
                            "200": _json_response(item_response),
                            "400": {"description": "invalid"},
                        },
                    },
                }
            },
            "components": {
                "schemas": {
                    "Item": {
                        "type": "object",
                        "properties": {
                            "name": {
                                "type": "string",
                                "enum": ["x", "y"],
                                "default": "x",
                            },
                            "children": {
                                "type": "object",
                                "additionalProperties": {
                                    "$ref": "#/components/schemas/Item"
                                },
                            },
                        },
                    },
                    "ItemRequest": {
                        "type": "object",
                        "required": ["data"],
                        "properties": {"data": {"$ref": "#/components/schemas/Item"}},
                    },
                    "ItemResponse": {
                        "type": "object",
                        "properties": {"data": {"$ref": "#/components/schemas/Item"}},
                    },
                }
            },
        }
    )


def _json_response(schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": "ok", "content": {"application/json": {"schema": schema}}}


def write_yaml(path: Path, document: Any) -> Path:
    """Write a document as YAML, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def lint_document(
    tmp_path: Path, document: dict[str, Any], config: LintConfig | None = None
) -> LintRun:
    """Write the document to tmp_path/openapi.yaml and lint it."""
    return lint_specs([write_yaml(tmp_path / "openapi.yaml", document)], config)


def rule_ids(run: LintRun) -> list[str]:
    """Return the rule id of every finding, sorted."""
    return sorted(finding.rule for finding in run.findings)


def only(run: LintRun, rule_id: str) -> Finding:
    """Return the single finding of a rule; fail when there is not exactly one."""
    found = [finding for finding in run.findings if finding.rule == rule_id]
    assert len(found) == 1, [finding.message for finding in run.findings]
    return found[0]
