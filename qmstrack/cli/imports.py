"""Running an import command: progress on a terminal, the report on stderr or as JSON."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from qmstrack.cli.options import (
    DryRunOption,
    ImportFile,
    JsonOption,
    MapOption,
    RejectsOption,
    SkipInvalidOption,
)
from qmstrack.cli.output import message, print_json, progress
from qmstrack.cli.state import open_db


def run_import_command(ctx: typer.Context, importer: Callable, path: Path, *,
                       dry_run: bool, skip_invalid: bool, rejects: Path | None,
                       mapping: list[str] | None, as_json: bool = False) -> None:
    db = open_db(ctx)
    with progress(None, f"Importing {path.name}") as bar:
        seen = [0]

        def advance(rows: int) -> None:
            bar.advance(rows - seen[0])
            seen[0] = rows

        report = importer(db, path, dry_run=dry_run, skip_invalid=skip_invalid,
                          rejects_path=rejects, overrides=mapping or (), on_progress=advance,
                          command=ctx.command_path)
    if as_json:
        print_json(report.as_dict())
        return
    verb = "Would import" if report.dry_run else "Imported"
    message(
        f"{verb} {path.name}: {report.rows} rows, {report.inserted} new, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.rejected} rejected."
    )
    if report.ignored_columns:
        message(f"Ignored columns: {', '.join(report.ignored_columns)}.")
    if report.rejects_file:
        message(f"Rejected rows written to {report.rejects_file}.")


def add_import_command(app: typer.Typer, importer: str, help: str) -> None:
    """Give a register's command group its ``import FILE`` command.

    ``importer`` is ``module:function``, imported only when the command runs.
    """
    module_name, function = importer.split(":")

    @app.command("import", help=help)
    def import_cmd(ctx: typer.Context, file: ImportFile, dry_run: DryRunOption = False,
                   skip_invalid: SkipInvalidOption = False, rejects: RejectsOption = None,
                   map: MapOption = None, json: JsonOption = False) -> None:
        import importlib

        run_import_command(ctx, getattr(importlib.import_module(module_name), function),
                           file, dry_run=dry_run, skip_invalid=skip_invalid,
                           rejects=rejects, mapping=map, as_json=json)
