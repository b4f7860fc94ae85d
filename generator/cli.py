"""The `callflow-kit` console script: derive, generate, check, lint and serve.

Each command parses its options and calls one function; errors derived from
CallflowKitError are printed to stderr without a traceback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from generator.errors import CallflowKitError

DEFAULT_SOURCE = Path("spec/source")
DEFAULT_SPEC = Path("spec/callflows.openapi.yaml")
DEFAULT_GENERATED = Path("generated")


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail to stderr.")
def cli(verbose: bool) -> None:
    """Schema-first toolkit for the Kazoo callflows API."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@cli.command()
@click.argument("pages", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help=f"File to write; '-' writes to stdout. [default: {DEFAULT_SPEC} for "
    "openapi, stdout for json-schema]",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["openapi", "json-schema"]),
    default="openapi",
    show_default=True,
    help="openapi: the callflows OpenAPI 3.1 document; json-schema: the derived "
    "main schema with its definitions under 'definitions'.",
)
@click.option(
    "--schemas",
    "schema_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of Kazoo JSON schemas or doc pages that resolves references the "
    "pages leave undefined. Repeatable.",
)
def derive(
    pages: tuple[Path, ...],
    output: Path | None,
    output_format: str,
    schema_dirs: tuple[Path, ...],
) -> None:
    """Derive JSON Schema / OpenAPI from Kazoo doc pages (default: spec/source/)."""
    from generator.pipeline import run_derive

    run_derive(
        list(pages) or [DEFAULT_SOURCE],
        output=output,
        output_format=output_format,
        schema_dirs=list(schema_dirs),
    )


@cli.command()
@click.option(
    "--spec",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_SPEC,
    show_default=True,
    help="OpenAPI document to generate from.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_GENERATED,
    show_default=True,
    help="Folder to write models.py, handlers.py and routes.py into.",
)
def generate(spec: Path, output: Path) -> None:
    """Generate Pydantic models, the handler base class and the route table."""
    from generator.codegen import generate_code

    generate_code(spec, output)


def main() -> None:
    """Run the CLI; report CallflowKitError as a one-line message."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except CallflowKitError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
