"""Running an import command: progress on a terminal, the report on stderr or as JSON."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from qmstrack.cli.options import (
    AllSheetsOption,
    DateOrderOption,
    DryRunOption,
    HeaderRowOption,
    ImportFile,
    JsonOption,
    MapOption,
    RejectsOption,
    SheetOption,
    SkipInvalidOption,
)
from qmstrack.cli.output import message, print_json, progress, warning
from qmstrack.cli.state import open_db

ServiceMapOption = Annotated[
    list[str] | None,
    typer.Option("--service-map", metavar="'NAME=CODE'",
                 help="A service name used in the file and its code (repeatable)."),
]


def run_import_command(ctx: typer.Context, importer: Callable, path: Path, *,
                       dry_run: bool, skip_invalid: bool, rejects: Path | None,
                       mapping: list[str] | None, as_json: bool = False,
                       **reading: Any) -> None:
    from qmstrack.i18n import _

    db = open_db(ctx)
    with progress(None, _("Importing {name}").format(name=path.name)) as bar:
        seen = [0]

        def advance(rows: int) -> None:
            bar.advance(rows - seen[0])
            seen[0] = rows

        report = importer(db, path, dry_run=dry_run, skip_invalid=skip_invalid,
                          rejects_path=rejects, overrides=mapping or (), on_progress=advance,
                          command=ctx.command_path,
                          **{k: v for k, v in reading.items() if v is not None})
    if as_json:
        print_json(report.as_dict())
        return
    for text in report.warnings:
        warning(text)
    for text in report.notes:
        message(text)
    verb = "Would import" if report.dry_run else "Imported"
    message(
        f"{verb} {path.name}: {report.rows} rows, {report.inserted} new, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.rejected} rejected."
    )
    if report.ignored_columns:
        message(f"Ignored columns: {', '.join(report.ignored_columns)}.")
    if report.rejects_file:
        message(f"Rejected rows written to {report.rejects_file}.")


def add_import_command(app: typer.Typer, importer: str, help: str, *,
                       service_map: bool = False) -> None:
    """Give a register's command group its ``import FILE`` command.

    ``importer`` is ``module:function``, imported only when the command runs;
    ``service_map`` adds ``--service-map`` (files that name services instead of codes).
    """
    module_name, function = importer.split(":")

    def run(ctx, file, dry_run, skip_invalid, rejects, map, sheet, all_sheets, header_row,
            date_order, json, **extra) -> None:
        import importlib

        run_import_command(ctx, getattr(importlib.import_module(module_name), function),
                           file, dry_run=dry_run, skip_invalid=skip_invalid,
                           rejects=rejects, mapping=map, as_json=json, sheet=sheet,
                           all_sheets=all_sheets or None, header_row=header_row,
                           date_order=date_order, **extra)

    if service_map:
        @app.command("import", help=help)
        def import_with_map(ctx: typer.Context, file: ImportFile, dry_run: DryRunOption = False,
                            skip_invalid: SkipInvalidOption = False,
                            rejects: RejectsOption = None, map: MapOption = None,
                            sheet: SheetOption = None, all_sheets: AllSheetsOption = False,
                            header_row: HeaderRowOption = None,
                            date_order: DateOrderOption = "dmy",
                            service_map: ServiceMapOption = None,
                            json: JsonOption = False) -> None:
            run(ctx, file, dry_run, skip_invalid, rejects, map, sheet, all_sheets, header_row,
                date_order, json, service_map=service_map or None)
        return

    @app.command("import", help=help)
    def import_cmd(ctx: typer.Context, file: ImportFile, dry_run: DryRunOption = False,
                   skip_invalid: SkipInvalidOption = False, rejects: RejectsOption = None,
                   map: MapOption = None, sheet: SheetOption = None,
                   all_sheets: AllSheetsOption = False, header_row: HeaderRowOption = None,
                   date_order: DateOrderOption = "dmy", json: JsonOption = False) -> None:
        run(ctx, file, dry_run, skip_invalid, rejects, map, sheet, all_sheets, header_row,
            date_order, json)
