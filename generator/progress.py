"""A progress bar on stderr for derive runs over many pages.

`PageProgress` is a `derive_schemas` progress callback. It draws a bar only when
the run has more than `MIN_PAGES` pages and the stream is a terminal, so short
runs, pipes and CI logs stay free of it. The bar is finished after the last page,
before the caller prints warnings, so they start on a line of their own.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

MIN_PAGES = 20
LABEL = "Deriving pages"


class PageProgress:
    """A `derive_schemas` progress callback that draws a click progress bar."""

    def __init__(
        self, stream: TextIO | None = None, min_pages: int = MIN_PAGES
    ) -> None:
        self.stream = stream
        self.min_pages = min_pages
        self.done = 0
        self.finished = False
        self._bar: ProgressBar[Path] | None = None
        self._stack = ExitStack()

    def __call__(self, done: int, total: int, page: Path) -> None:
        """Advance the bar to `done` of `total` pages; `page` is the last one read."""
        if self.finished:
            return
        if self._bar is None:
            if total <= self.min_pages or not self._stream().isatty():
                return
            bar: ProgressBar[Path] = click.progressbar(
                length=total,
                label=LABEL,
                file=self._stream(),
                item_show_func=_page_name,
            )
            self._bar = self._stack.enter_context(bar)
        self._bar.update(done - self.done, page)
        self.done = done
        if done >= total:
            self.close()

    def close(self) -> None:
        """Finish the bar, ending its line; the callback draws nothing after this."""
        self.finished = True
        self._stack.close()

    def __enter__(self) -> PageProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _stream(self) -> TextIO:
        return self.stream if self.stream is not None else sys.stderr


def _page_name(page: Path | None) -> str | None:
    return page.name if page is not None else None
