"""Split the Key cell of a Kazoo Schema table into path segments.

Grammar (the cell's backticks removed first)::

    path     = segment { "." segment }
    segment  = "[]"                  array items
             | "/" REGEX "/"         pattern key (E1 and later), closed by the
                                     first "/" that is followed by "." or the end
             | RAW_REGEX             pattern key written raw (E0 nested, E2+ top level)
             | NAME                  property name, verbatim ("alone-sound", "{IP}")

A raw regex that starts with "^" or "(" runs to the first "$" that is followed by "."
or the end, or to the end when no such "$" exists. A raw regex that starts with "."
(``.+``, ``.*``) takes the quantifiers after the dot. A dot inside a regex is never a
separator: ``(?!id\\b)(?!default\\b)^.+@.+$`` is one segment. A NAME that contains regex
syntax (``\\``, ``[``, ``+``, ``*``, ``?``, ``$``, ``|``, ``(``) is a pattern too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SegmentKind = Literal["name", "items", "pattern"]

_REGEX_SYNTAX = re.compile(r"[\\\[\]+*?$|()^]")


@dataclass(frozen=True, slots=True)
class Segment:
    """One step of a key path: a property name, array items or a pattern key."""

    kind: SegmentKind
    text: str = ""

    def __str__(self) -> str:
        if self.kind == "items":
            return "[]"
        if self.kind == "pattern":
            return f"/{self.text}/"
        return self.text


ITEMS = Segment("items")


def strip_key_cell(cell: str) -> str:
    """Return the key text of a Key cell without its surrounding backticks."""
    text = cell.strip()
    if len(text) >= 2 and text.startswith("`") and text.endswith("`"):
        return text[1:-1].strip()
    return text


def split_key(cell: str) -> list[Segment]:
    """Split a Key cell (`` `a.[]./^\\w+$/.b` ``) into segments, none if empty."""
    text = strip_key_cell(cell)
    segments: list[Segment] = []
    index = 0
    while index < len(text):
        segment, index = _read_segment(text, index)
        segments.append(segment)
        if index < len(text):
            index += 1  # the "." separator
            if index == len(text):
                segments.append(Segment("name", ""))
    return segments


def format_key(segments: list[Segment]) -> str:
    """Write segments back in the E1+ spelling (`a.[]./re/.b`)."""
    return ".".join(str(segment) for segment in segments)


def _read_segment(text: str, start: int) -> tuple[Segment, int]:
    """Read the segment that starts at `start` and return it with the next index."""
    if text.startswith("[]", start) and _ends_segment(text, start + 2):
        return ITEMS, start + 2
    if text[start] == "/":
        end = _closing_slash(text, start)
        if end is not None:
            return Segment("pattern", text[start + 1 : end]), end + 1
    if text[start] in "^(":
        end = _closing_dollar(text, start)
        return Segment("pattern", text[start:end]), end
    if text[start] == ".":
        end = start + 1
        while end < len(text) and text[end] in "+*?":
            end += 1
        return Segment("pattern", text[start:end]), end
    end = text.find(".", start)
    end = len(text) if end == -1 else end
    name = text[start:end]
    if _REGEX_SYNTAX.search(name):
        return Segment("pattern", name), end
    return Segment("name", name), end


def _ends_segment(text: str, index: int) -> bool:
    """Tell whether `index` is the end of the key or a "." separator."""
    return index == len(text) or text[index] == "."


def _closing_slash(text: str, start: int) -> int | None:
    """Return the index of the "/" closing a `/regex/` segment, or None."""
    for index in range(start + 1, len(text)):
        if text[index] == "/" and _ends_segment(text, index + 1):
            return index
    return None


def _closing_dollar(text: str, start: int) -> int:
    """Return the index just after the "$" that ends a raw regex segment."""
    for index in range(start + 1, len(text)):
        if text[index] == "$" and _ends_segment(text, index + 1):
            return index + 1
    return len(text)
