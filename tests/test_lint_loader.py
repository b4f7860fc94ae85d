"""The loader: its values against PyYAML's, its errors, the lifetime of a spec."""

from __future__ import annotations

import weakref
from pathlib import Path

import pytest
import yaml
from lint_support import base_spec, lint_document

from generator import lint
from generator.errors import LintSetupError
from generator.lint import parallel
from generator.lint.loader import SpecFiles, load_file, load_spec

MERGES = """\
base: &base {type: string, minLength: 1}
plain:
  <<: *base
  description: merged with <<
tagged: {!!merge extra: *base, maxLength: 5}
listed: [*base, *base]
numbers: {200: ok, true: flag, 1.5: half}
"""


def test_loader_matches_pyyaml(tmp_path: Path) -> None:
    path = tmp_path / "merges.yaml"
    path.write_text(MERGES, encoding="utf-8")
    expected = yaml.safe_load(MERGES)
    expected["numbers"] = {"200": "ok", "True": "flag", "1.5": "half"}
    assert load_file(path).data == expected


def test_loader_records_non_string_keys(tmp_path: Path) -> None:
    path = tmp_path / "merges.yaml"
    path.write_text(MERGES, encoding="utf-8")
    keys = load_file(path).non_string_keys
    assert [(key.pointer, key.key) for key in keys] == [
        ("/numbers/200", 200),
        ("/numbers/True", True),
        ("/numbers/1.5", 1.5),
    ]


def test_loader_records_refs(tmp_path: Path) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text(
        "a: {$ref: '#/b'}\nb: [{$ref: 'other.yaml#/c'}, {$ref: 12}]\n",
        encoding="utf-8",
    )
    refs = load_file(path).refs
    assert [(site.pointer, site.ref) for site in refs] == [
        ("/a", "#/b"),
        ("/b/0", "other.yaml#/c"),
    ]


def test_loader_unknown_tag(tmp_path: Path) -> None:
    path = tmp_path / "tagged.yaml"
    path.write_text("openapi: 3.1.0\nx-note: !include note.md\n", encoding="utf-8")
    with pytest.raises(LintSetupError) as raised:
        load_file(path)
    assert str(raised.value).endswith(
        ":2: invalid YAML: could not determine a constructor for the tag '!include'"
    )


def test_spec_freed_after_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[weakref.ref[SpecFiles]] = []

    def load_and_watch(path: Path) -> SpecFiles:
        spec = load_spec(path)
        loaded.append(weakref.ref(spec))
        return spec

    monkeypatch.setattr(lint, "load_spec", load_and_watch)
    # In the parent, so that the default and example checks run here too.
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    document = base_spec()
    document["components"]["schemas"]["Item"]["example"] = {"name": "x"}
    lint_document(tmp_path, document)
    assert len(loaded) == 1
    assert loaded[0]() is None
