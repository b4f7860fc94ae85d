"""Give the generated models JSON Schema's reading of `patternProperties`.

datamodel-code-generator turns `patternProperties` into `dict[Annotated[str,
StringConstraints(pattern=P)], V]`, which rejects every key that does not match
`P`. JSON Schema checks only the keys that match a pattern and leaves the others
to `additionalProperties`, which the derived spec never sets, so they are
allowed with any value. Kazoo 4.3's validator (jesse) does the same.

`wrap_pattern_maps` wraps each such `dict[...]` in `Annotated[..., <validator>]`.
The validator checks the matching keys with the dict type itself and keeps the
other keys and their values unchecked. The dict type stays in place, so a field
such as a node's `children` is still typed `dict[<key>, FlowNode]`.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

import black

VALIDATOR_NAME = "_unmatched_keys_unchecked"

# The opening of a generated pattern-keyed dict, up to its key type's pattern.
_PATTERN_DICT = re.compile(
    r"dict\[\s*Annotated\[\s*str,\s*StringConstraints\(\s*pattern=(r?\"(?:[^\"\\]|\\.)*\")"
)

_VALIDATOR_SOURCE = f'''

def {VALIDATOR_NAME}(pattern: str) -> WrapValidator:
    """Check only the keys of a map that match `pattern`, as patternProperties does.

    A key that matches no pattern falls to additionalProperties, which the spec
    leaves open, so its value is kept unchecked. The key type's own validator
    decides which keys match, so the decision agrees with the dict type.
    """
    key_type: TypeAdapter[str] = TypeAdapter(
        Annotated[str, StringConstraints(pattern=pattern)]
    )

    def matches(key: Any) -> bool:
        try:
            key_type.validate_python(key)
        except ValidationError:
            return False
        return True

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if not isinstance(value, dict):
            return handler(value)
        checked = handler({{k: v for k, v in value.items() if matches(k)}})
        return {{k: checked[k] if k in checked else v for k, v in value.items()}}

    return WrapValidator(validate)
'''

_IMPORTS = (
    "from pydantic import TypeAdapter, ValidationError, "
    "ValidatorFunctionWrapHandler, WrapValidator\n"
)


@dataclass(frozen=True, slots=True)
class _Region:
    """Whole statements on lines `first` to `last` (1-based, inclusive).

    Their first line is indented `depth` blocks deep.
    """

    first: int
    last: int
    depth: int


def _closing_bracket(text: str, start: int) -> int:
    """Return the index of the `]` that closes the `[` at `start`."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "[":
            depth += 1
        elif text[index] == "]":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unbalanced brackets after offset {start}")


def wrap_pattern_maps(models: str) -> str:
    """Return `models` with each pattern-keyed dict wrapped in the validator.

    `models` must be black's output, as datamodel-code-generator returns it. The
    result is the text that black gives for the whole rewritten file, but only the
    statements that change and the head of the file, where the helper goes, are
    formatted again. Returns `models` unchanged when it has no pattern-keyed dict.
    """
    rewritten = rewrite_pattern_maps(models)
    if rewritten is None:
        return models
    text, helper_end = rewritten
    return format_changed(text, helper_end)


def rewrite_pattern_maps(models: str) -> tuple[str, int] | None:
    """Wrap each pattern-keyed dict and insert the helper, without formatting.

    Returns the new text and the offset just past the helper, or None when
    `models` has no pattern-keyed dict.
    """
    parts: list[str] = []
    position = 0
    for match in _PATTERN_DICT.finditer(models):
        if match.start() < position:
            continue  # a dict nested in one already wrapped
        end = _closing_bracket(models, match.start() + len("dict")) + 1
        expression = models[match.start() : end]
        pattern = match.group(1)
        parts.append(models[position : match.start()])
        parts.append(f"Annotated[{expression}, {VALIDATOR_NAME}({pattern})]")
        position = end
    if not parts:
        return None
    parts.append(models[position:])
    text = "".join(parts)

    # Insert the helper after the imports: before the first class or alias.
    first = re.search(r"^(class |\w+ = TypeAliasType)", text, flags=re.MULTILINE)
    insert_at = first.start() if first else len(text)
    imports_end = text.rfind("\n\n", 0, insert_at)
    text = (
        text[:imports_end]
        + "\n"
        + _IMPORTS.rstrip("\n")
        + _VALIDATOR_SOURCE
        + text[imports_end:]
    )
    helper_end = imports_end + 1 + len(_IMPORTS.rstrip("\n")) + len(_VALIDATOR_SOURCE)
    return text, helper_end


def format_changed(text: str, head_end: int) -> str:
    """Format the head of `text` and each statement that calls the validator.

    The head runs from the start of `text` through the first top-level statement
    that ends after offset `head_end`, so black also sets the blank lines after
    the helper. Black (26.10.1, the pinned version) splits each statement on its
    own and sets the blank lines before it from the lines above. So the other
    lines, which must already be black's output, keep the form that a whole-file
    pass gives them.

    NOTE: datamodel-code-generator runs black with target version 3.11, and this
    module lets black infer the targets. Code that black formats differently by
    target keeps the 3.11 form outside the reformatted lines. The generated models
    contain no such code, and tests/test_codegen.py checks the result against a
    whole-file pass.
    """
    # Split at "\n" only, as Python's tokenizer numbers lines, not at every line
    # boundary that str.splitlines recognizes.
    lines = [line + "\n" for line in text.split("\n")]
    if text.endswith("\n"):
        lines.pop()
    line_starts = list(accumulate((len(line) for line in lines), initial=0))
    tree = ast.parse(text)

    head_line = bisect_right(line_starts, head_end)
    head_last = len(lines)
    for node in tree.body:
        end = node.end_lineno or node.lineno
        if end >= head_line:
            head_last = end
            break
    regions = [_Region(1, head_last, 0)]
    for call in re.finditer(rf"\b{VALIDATOR_NAME}\(", text):
        line = bisect_right(line_starts, call.start())
        if line <= head_last:
            continue
        region = _statement_region(tree.body, line)
        if region is not None:
            regions.append(region)

    formatted: list[str] = []
    next_line = 1
    for region in sorted(set(regions), key=lambda r: (r.first, -r.last)):
        if region.first < next_line:
            continue  # inside a region already formatted
        formatted.extend(lines[next_line - 1 : region.first - 1])
        formatted.append(
            _format_region(lines[region.first - 1 : region.last], region.depth)
        )
        next_line = region.last + 1
    formatted.extend(lines[next_line - 1 :])
    result = "".join(formatted)
    return result if result.endswith("\n") else result + "\n"


def _statement_region(statements: Sequence[ast.stmt], line: int) -> _Region | None:
    """Return the innermost statement that spans `line`, with its decorators."""
    for node in statements:
        decorators = getattr(node, "decorator_list", [])
        first = min([node.lineno, *(decorator.lineno for decorator in decorators)])
        last = node.end_lineno or node.lineno
        if first <= line <= last:
            children = [
                child
                for child in ast.iter_child_nodes(node)
                if isinstance(child, ast.stmt)
            ]
            inner = _statement_region(children, line)
            # Black indents each block by four spaces.
            return inner or _Region(first, last, node.col_offset // 4)
    return None


def _format_region(lines: Sequence[str], depth: int) -> str:
    """Format statements indented `depth` blocks deep, as black does in place.

    Black measures line length with the indentation, so the statements are
    formatted inside `depth` nested empty classes that are then dropped.
    """
    scaffold = "".join(f"{'    ' * level}class _:\n" for level in range(depth))
    formatted = black.format_str(scaffold + "".join(lines), mode=black.Mode())
    if not formatted.startswith(scaffold):
        raise ValueError(
            "black changed the enclosing classes while formatting the statement "
            f"that starts with {lines[0]!r}"
        )
    return formatted[len(scaffold) :]
