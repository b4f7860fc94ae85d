"""The progress bar that `callflow-kit derive` draws over long runs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from generator.derive import derive_schemas
from generator.progress import LABEL, PageProgress

HEADER = "Key | Description | Type\n--- | --- | ---\n"


class Terminal(io.StringIO):
    """A text stream that claims to be a terminal, as click checks."""

    def isatty(self) -> bool:
        return True


def run(progress: PageProgress, total: int) -> None:
    for done in range(1, total + 1):
        progress(done, total, Path(f"page{done}.md"))


def test_bar_drawn_on_terminal() -> None:
    stream = Terminal()
    run(PageProgress(stream, min_pages=2), 3)
    text = stream.getvalue()
    assert LABEL in text
    assert "100%" in text
    assert "page3.md" in text
    assert text.endswith("\n")


def test_bar_finished_once() -> None:
    stream = Terminal()
    with PageProgress(stream, min_pages=2) as progress:
        run(progress, 3)
        finished = stream.getvalue()
    assert stream.getvalue() == finished
    assert progress.finished


def test_no_bar_for_short_runs() -> None:
    stream = Terminal()
    run(PageProgress(stream, min_pages=20), 20)
    assert stream.getvalue() == ""


def test_no_bar_off_terminal() -> None:
    stream = io.StringIO()
    run(PageProgress(stream, min_pages=2), 30)
    assert stream.getvalue() == ""


def test_bar_closed_by_error() -> None:
    stream = Terminal()
    progress = PageProgress(stream, min_pages=2)
    with pytest.raises(KeyError), progress:
        progress(1, 5, Path("a.md"))
        raise KeyError("a")
    assert stream.getvalue().endswith("\n")
    assert progress.finished


def test_bar_follows_derive(tmp_path: Path) -> None:
    for index in range(3):
        (tmp_path / f"p{index}.md").write_text(HEADER + "`a` | A | `string()`\n")
    stream = Terminal()
    with PageProgress(stream, min_pages=2) as progress:
        derive_schemas([tmp_path], progress=progress)
    assert "p2.md" in stream.getvalue()
    assert progress.done == 3
