"""Build times: `callflow-kit derive` + `generate` against datamodel-code-generator.

Each command runs as a separate process, as a user or CI runs it, so interpreter
start-up and imports count. Outputs go to a scratch folder, never over spec/ or
generated/. One untimed round warms the file cache; the commands then alternate
within each measured round so that drift hits all of them alike.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson

from bench import tools

ROOT = Path(__file__).resolve().parent.parent
SPEC = Path("spec/callflows.openapi.yaml")
CORPUS = Path("tests/data/kazoo-4.3")
CORPUS_PAGES = (CORPUS / "crossbar-doc", CORPUS / "callflow-doc")


def commands(scratch: Path) -> dict[str, list[str]]:
    """Return the timed command lines by name.

    The datamodel-code-generator options are those `callflow-kit generate` passes
    to its Python API that have a command-line form: all but its custom templates,
    file header, class renames and defaults for required fields.
    """
    kit = str(tools.VENV_BIN / "callflow-kit")
    derived = scratch / "callflows.openapi.yaml"
    return {
        "derive": [kit, "derive", f"--output={derived}"],
        "generate": [
            kit,
            "generate",
            f"--spec={derived}",
            f"--output={scratch / 'gen'}",
        ],
        "dmcg": [
            str(tools.VENV_BIN / "datamodel-codegen"),
            f"--input={SPEC}",
            "--input-file-type=openapi",
            f"--output={scratch / 'dmcg-models.py'}",
            "--output-model-type=pydantic_v2.BaseModel",
            "--target-python-version=3.11",
            "--formatters",
            "black",
            "isort",
            "--disable-timestamp",
            "--extra-fields=allow",
            "--no-treat-dot-as-module",
            "--naming-strategy=parent-prefixed",
            "--deserialize-default-values=enum",
            "--use-annotated",
            "--use-type-alias",
            "--use-double-quotes",
            "--use-schema-description",
            "--use-field-description",
        ],
        "corpus": [
            kit,
            "derive",
            *map(str, CORPUS_PAGES),
            f"--schemas={CORPUS / 'schemas'}",
            "--format=json-schema",
            f"--output={scratch / 'corpus.json'}",
        ],
    }


def _time(command: list[str]) -> float:
    began = time.perf_counter()
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=600
    )
    elapsed = time.perf_counter() - began
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited with {completed.returncode}:\n"
            f"{completed.stderr[-2000:]}"
        )
    return elapsed


def measure_build(scratch: Path, rounds: int) -> dict[str, Any]:
    """Time every command `rounds` times after one warm-up round."""
    scratch.mkdir(parents=True, exist_ok=True)
    lines = commands(scratch)
    times: dict[str, list[float]] = {name: [] for name in lines}
    for round_index in range(rounds + 1):
        for name, command in lines.items():
            elapsed = _time(command)
            if round_index:
                times[name].append(elapsed)
    pipeline = [d + g for d, g in zip(times["derive"], times["generate"], strict=True)]
    corpus = orjson.loads((scratch / "corpus.json").read_bytes())
    pages = sum(len(list(folder.glob("*.md"))) for folder in CORPUS_PAGES)
    return {
        "rounds": rounds,
        "median_s": {name: statistics.median(t) for name, t in times.items()}
        | {"derive_generate": statistics.median(pipeline)},
        "times_s": times,
        "corpus_pages": pages,
        "corpus_schemas": len(corpus.get("definitions", {})),
        "commands": {name: _display(c, scratch) for name, c in lines.items()},
    }


def _display(command: list[str], scratch: Path) -> str:
    """Return a command line with the venv and scratch paths shortened."""
    text = " ".join(command).replace(str(scratch), "$OUT")
    return text.replace(str(tools.VENV_BIN) + "/", ".venv/bin/")
