"""Request data for the load tests: stored callflows, PUT bodies and request paths.

Every callflow is one of the realistic client bodies in
`tests/data/callflow-examples/`, with its own id and numbers so that thousands of
them can be stored side by side. The fixture file puts them in the first account of
the mock's packaged fixtures, whose users and documents the bodies refer to.
"""

from __future__ import annotations

import copy
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "tests" / "data" / "callflow-examples"
PACKAGED_FIXTURES = ROOT / "mock_server" / "default_fixtures.yaml"

UNIQUE_MARK = "@U@"
"""Placeholder in PUT templates, where put.lua puts digits unique to a request."""

PAGE_SIZE = 50
MAX_PATHS = 5000
"""Distinct paths per request file; wrk cycles through them."""

FILTER_QUERY = "filter_type=mainUserCallflow"
"""The filtered-list query: SmartPBX's user callflows, one stored body in five."""


def load_examples(folder: Path = EXAMPLES_DIR) -> list[dict[str, Any]]:
    """Return the `data` object of every example request body, by file name."""
    examples = []
    for path in sorted(folder.glob("*.json")):
        body = orjson.loads(path.read_bytes())
        examples.append(body["data"])
    if not examples:
        raise FileNotFoundError(f"no callflow examples (*.json) in {folder}")
    return examples


def callflow_id(index: int) -> str:
    """Return the id of stored callflow number `index`: 32 hex, in no useful order."""
    return hashlib.md5(f"bench-{index}".encode(), usedforsecurity=False).hexdigest()


def _with_unique_numbers(example: dict[str, Any], unique: str) -> dict[str, Any]:
    """Copy an example, giving each number and pattern the text `unique`.

    Kazoo rejects a number or pattern that another callflow of the account uses,
    so every stored or created callflow needs its own.
    """
    data = copy.deepcopy(example)
    if "numbers" in data:
        data["numbers"] = [f"{unique}{j}" for j in range(len(data["numbers"]))]
    if "patterns" in data:
        data["patterns"] = [f"^\\*{unique}([0-9]*)$"]
    return data


def stored_callflow(examples: Sequence[dict[str, Any]], index: int) -> dict[str, Any]:
    """Return stored callflow number `index`, with its id and unique numbers.

    Numbers read `1` and nine digits of the index, then the number's position:
    Kazoo's number normalisation keeps them as they are.
    """
    data = _with_unique_numbers(examples[index % len(examples)], f"1{index:09d}")
    data["id"] = callflow_id(index)
    if isinstance(data.get("name"), str):
        data["name"] = f"{data['name']} {index}"
    return data


@dataclass(frozen=True, slots=True)
class Workload:
    """The files a load test reads, for one stored size."""

    size: int
    account_id: str
    fixtures: Path
    callflow_paths: Path  # a stored callflow per line, for GET one and PATCH
    page_paths: Path  # list pages of 50 from spread start keys
    filter_paths: Path
    put_templates: Path  # PUT bodies, one per line, with UNIQUE_MARK
    put_path: str

    def first_callflow_path(self) -> str:
        """Return the first line of `callflow_paths`."""
        return self.callflow_paths.read_text(encoding="utf-8").splitlines()[0]


def build_workload(size: int, folder: Path) -> Workload:
    """Write the fixture file and request files for `size` stored callflows."""
    folder.mkdir(parents=True, exist_ok=True)
    examples = load_examples()
    fixtures = yaml.safe_load(PACKAGED_FIXTURES.read_text(encoding="utf-8"))
    account = fixtures["accounts"][0]
    account["callflows"] = [stored_callflow(examples, i) for i in range(size)]
    fixture_path = folder / f"fixtures-{size}.json"
    fixture_path.write_bytes(orjson.dumps(fixtures))

    base = f"/v2/accounts/{account['id']}/callflows"
    ids = sorted(callflow_id(i) for i in range(size))
    chooser = random.Random(size)
    callflows = [f"{base}/{i}" for i in _spread(ids, chooser)]
    starts = ids[: max(1, len(ids) - PAGE_SIZE)]  # every page full
    page = [
        f"{base}?page_size={PAGE_SIZE}&start_key={i}" for i in _spread(starts, chooser)
    ]
    templates = [
        orjson.dumps({"data": _with_unique_numbers(example, f"9{UNIQUE_MARK}")})
        for example in examples
    ]
    return Workload(
        size=size,
        account_id=account["id"],
        fixtures=fixture_path,
        callflow_paths=_write_lines(folder / f"callflows-{size}.txt", callflows),
        page_paths=_write_lines(folder / f"page-{size}.txt", page),
        filter_paths=_write_lines(
            folder / f"filter-{size}.txt", [f"{base}?{FILTER_QUERY}"]
        ),
        put_templates=_write_lines(
            folder / f"put-{size}.txt", [t.decode() for t in templates]
        ),
        put_path=base,
    )


def _spread(values: Sequence[str], chooser: random.Random) -> list[str]:
    """Pick up to MAX_PATHS values spread over the whole list, in random order."""
    step = max(1, len(values) // MAX_PATHS)
    picked = list(values[::step][:MAX_PATHS])
    chooser.shuffle(picked)
    return picked


def _write_lines(path: Path, lines: Sequence[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path
