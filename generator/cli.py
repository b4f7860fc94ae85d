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
    """Derive JSON Schema / OpenAPI from Kazoo doc pages (default: spec/source/).

    In a folder, pages in its modules/ subfolder document callflow module data
    (modules/user.md → callflows.user), and Kazoo JSON schemas in its schemas/
    subfolder are added where no page defines their id. Warnings go to stderr as
    PAGE:LINE: warning: MESSAGE; a run of more than 20 pages shows a progress bar
    when stderr is a terminal.
    """
    from generator.pipeline import run_derive
    from generator.progress import PageProgress

    with PageProgress() as progress:
        run_derive(
            list(pages) or [DEFAULT_SOURCE],
            output=output,
            output_format=output_format,
            schema_dirs=list(schema_dirs),
            progress=progress,
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
    help="Folder to write models.py, handlers.py, routes.py and flow_nodes.py into.",
)
def generate(spec: Path, output: Path) -> None:
    """Generate Pydantic models, handler base class, route and flow node tables."""
    from generator.codegen import generate_code

    generate_code(spec, output)


@cli.command()
@click.argument("specs", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    show_default=True,
    help="Report format: text grouped by file, json, sarif (SARIF 2.1.0 for code "
    "scanning) or github (workflow annotation commands).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write the report to. [default: stdout]",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="pyproject.toml whose [tool.callflow-kit.lint] table sets rule levels. "
    "[default: the nearest pyproject.toml in the working folder or above]",
)
@click.option(
    "--list-rules",
    is_flag=True,
    help="Print the rule ids with their default severity and exit.",
)
def lint(
    specs: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    config_path: Path | None,
    list_rules: bool,
) -> None:
    """Lint OpenAPI 3.0/3.1 specs (default: spec/callflows.openapi.yaml).

    Exit status: 0 no error-level findings, 1 error-level findings, 2 the linter
    could not run.
    """
    from generator.lint.command import list_rules_text, run_lint

    if list_rules:
        click.echo(list_rules_text(), nl=False)
        return
    status = run_lint(list(specs) or [DEFAULT_SPEC], output_format, output, config_path)
    if status:
        sys.exit(status)


@cli.command()
def check() -> None:
    """Fail when the committed spec or generated/ differ from a fresh derive/generate.

    Run it from the project folder, like derive and generate.
    """
    from generator.drift import run_check

    run_check()


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="CALLFLOW_KIT_HOST",
    help="Address to listen on. Keep the loopback default unless other machines "
    "must reach the mock.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    envvar="CALLFLOW_KIT_PORT",
    help="TCP port to listen on.",
)
@click.option(
    "--account-id",
    default=None,
    envvar="CALLFLOW_KIT_ACCOUNT_ID",
    help="Id of the first fixture account, 32 lowercase hex characters. "
    "[default: the fixture's]",
)
@click.option(
    "--token",
    default=None,
    envvar="CALLFLOW_KIT_TOKEN",
    help="Auth token issued for the first account at start. [default: random]",
)
@click.option(
    "--fixtures",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    envvar="CALLFLOW_KIT_FIXTURES",
    help="JSON or YAML file of accounts, users, API keys and documents. "
    "[default: the fixtures packaged with the mock]",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    envvar="CALLFLOW_KIT_SEED",
    help="Integer seed that makes generated callflow ids, tokens and request ids "
    "the same on every run.",
)
@click.option(
    "--store",
    default=None,
    envvar="CALLFLOW_KIT_STORE",
    metavar="URL",
    help="redis:// URL of a Redis server that keeps the state, shared by every "
    "worker and replica. [default: process memory]",
)
@click.option(
    "--state-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    envvar="CALLFLOW_KIT_STATE_FILE",
    help="File that keeps the in-memory state across restarts: loaded at start, "
    "and every write is on disk before its response is sent.",
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    envvar="CALLFLOW_KIT_WORKERS",
    help="Number of server processes; more than one needs --store.",
)
@click.option(
    "--admin/--no-admin",
    default=None,
    help="Serve the /__admin/ API, which needs no token. [default: on when --host "
    "is a loopback address, off otherwise]",
)
def serve(
    host: str,
    port: int,
    account_id: str | None,
    token: str | None,
    fixtures: Path | None,
    seed: int | None,
    store: str | None,
    state_file: Path | None,
    workers: int,
    admin: bool | None,
) -> None:
    """Serve the Kazoo 4.3 callflows mock until interrupted."""
    from mock_server.cli import serve as serve_mock
    from mock_server.config import MockConfig, is_loopback
    from mock_server.errors import MockError

    config = MockConfig(
        host=host,
        port=port,
        account_id=account_id,
        token=token,
        fixtures=fixtures,
        seed=seed,
        admin=is_loopback(host) if admin is None else admin,
        store=store,
        state_file=state_file,
        workers=workers,
    )
    problem = config.problem()
    if problem is not None:
        raise click.UsageError(problem)
    try:
        serve_mock(config)
    except MockError as exc:
        raise click.ClickException(str(exc)) from exc


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
