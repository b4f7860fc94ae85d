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

import re

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

    Returns `models` unchanged when it has no pattern-keyed dict.
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
        return models
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
    return black.format_str(text, mode=black.Mode())
