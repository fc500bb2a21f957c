"""``qmstrack checklist``: list, show and validate ISO clause checklists; map editions.

These commands need no database. When one exists, its ``checklist_dir`` and ``lang``
settings are read; otherwise the defaults are used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qmstrack.cli.options import JsonOption, LangOption
from qmstrack.cli.state import state
from qmstrack.exitcodes import ExitCode
from qmstrack.i18n import NC_

app = typer.Typer(
    help="ISO clause checklists: list, show, validate, and map ISO 9001:2008 <-> 2015 clauses.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack checklist`` group to the root command."""
    root.add_typer(app, name="checklist")


# The words of the tree 'checklist show' prints (catalogue messages).
_LABELS = {"metric": NC_("checklist tree", "metric"),
           "missed": NC_("checklist tree", "if missed"),
           "units": NC_("checklist tree", "units"),
           "maps": NC_("checklist tree", "maps to"),
           "title": NC_("checklist tree", "Title")}


def _labels(lang: str) -> dict[str, str]:
    from qmstrack.i18n import pgettext

    return {key: pgettext("checklist tree", text, lang) for key, text in _LABELS.items()}


def _settings(ctx: typer.Context) -> tuple[Path, str]:
    """The user's checklist directory and default language (from the database, if any)."""
    from qmstrack.checklists import user_checklist_dir
    from qmstrack.db import DEFAULT_SETTINGS, get_setting, open_db, resolve_db_path
    from qmstrack.errors import DatabaseError

    path, _source = resolve_db_path(state(ctx).db_option)
    configured: str = ""
    lang = str(DEFAULT_SETTINGS["lang"])
    if path.is_file():
        try:
            db = open_db(path)
        except DatabaseError as exc:
            from qmstrack.cli.output import warning

            warning(f"{exc} Using the default checklist directory and language.")
        else:
            try:
                configured = get_setting(db, "checklist_dir") or ""
                lang = get_setting(db, "lang") or lang
            finally:
                db.conn.close()
    return user_checklist_dir(configured), lang


def _language(option: str | None, configured: str) -> str:
    from qmstrack.cli.values import opt_lang

    return opt_lang(option, configured=configured)


@app.command("list")
def list_cmd(ctx: typer.Context, json: JsonOption = False, lang: LangOption = None) -> None:
    """List the bundled checklists and those in your checklist directory.

    The checklist directory is the 'checklist_dir' setting, else 'checklists' in the user
    data directory. Broken files are reported on stderr and skipped.
    """
    from qmstrack.checklists import list_checklists
    from qmstrack.cli.output import emit_rows, message, warning

    user_dir, configured_lang = _settings(ctx)
    language = _language(lang, configured_lang)
    entries = list_checklists(user_dir)
    user_ids = {e.checklist.id for e in entries if e.origin == "user" and e.checklist}
    rows = []
    for entry in entries:
        if entry.checklist is None:
            first = entry.error.details[0] if entry.error and entry.error.details else ""
            warning(f"{entry.error}{' First: ' + first if first else ''}")
            continue
        checklist = entry.checklist
        source = entry.origin
        if source == "bundled" and checklist.id in user_ids:
            source = "bundled (replaced by user)"
        row = checklist.summary()
        row["source"] = source
        if not json:
            row["title"] = checklist.text("title", language)
        rows.append(row)
    columns = ["id", "title", "edition", "version", "items", "metric_items", "source"]
    if json:
        emit_rows(rows, columns, as_json=True)
    else:
        emit_rows(rows, columns,
                  headers=["ID", "Title", "Edition", "Version", "Items", "Metric items",
                           "Source"])
        message(f"User checklist directory: {user_dir}"
                f"{'' if user_dir.is_dir() else ' (does not exist yet)'}")


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    checklist_id: Annotated[
        str, typer.Argument(metavar="ID", help="Checklist id (see 'qmstrack checklist list') "
                                               "or path to a YAML file.", show_default=False)
    ],
    clause: Annotated[
        str | None, typer.Option("--clause", help="Show only this clause and what is under "
                                                  "it, e.g. 9.1.")
    ] = None,
    lang: LangOption = None,
    json: JsonOption = False,
) -> None:
    """Show a checklist as a tree of clauses and items (JSON: the nested structure)."""
    from qmstrack.checklists import resolve_checklist
    from qmstrack.cli.output import print_json

    user_dir, configured_lang = _settings(ctx)
    language = _language(lang, configured_lang)
    checklist = resolve_checklist(checklist_id, user_dir)
    selected = checklist.find_clause(clause) if clause else None
    if json:
        data = checklist.to_dict()
        if selected is not None:
            data.pop("tree")
            data["clause"] = selected.to_dict(checklist.languages)
        print_json(data)
        return
    _print_tree(checklist, selected, language)


def _print_tree(checklist, selected, lang: str) -> None:
    from rich.text import Text
    from rich.tree import Tree

    from qmstrack.cli.output import out_console

    labels = _labels(lang)
    heading = Text(f"{checklist.id} v{checklist.version} ({checklist.standard}:"
                   f"{checklist.edition}): {checklist.text('title', lang)}", style="bold")
    root = Tree(heading)

    def add(parent, clause) -> None:
        label = f"{clause.ref} {clause.text('title', lang)}"
        if clause.maps_to:
            label += f"  [{labels['maps']} {', '.join(clause.maps_to)}]"
        branch = parent.add(Text(label, style="bold" if clause.assessable else ""))
        for item in clause.items:
            line = Text(f"{item.id}: ", style="cyan")
            line.append(item.text("question", lang))
            if item.is_metric:
                line.append(f"\n{labels['metric']} {item.metric} {item.target_text}; "
                            f"{labels['missed']}: {item.on_miss}", style="green")
            if item.units:
                line.append(f"\n{labels['units']}: {', '.join(item.units)}", style="dim")
            branch.add(line)
        for child in clause.clauses:
            add(branch, child)

    for clause in [selected] if selected is not None else checklist.clauses:
        add(root, clause)
    out_console().print(root)


@app.command("validate")
def validate_cmd(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="Checklist YAML files to check.",
                                   dir_okay=False, show_default=False)
    ],
) -> None:
    """Check checklist files and report every error (file, line, field).

    Prints 'OK path (N clauses, M items)' for each good file; exits with 1 if any file
    has errors. Files named map-*.yaml are checked as edition correspondence maps.
    """
    from qmstrack.checklists import MAP_PREFIX, load_checklist_file
    from qmstrack.cli.output import error, message
    from qmstrack.edition_maps import load_edition_map
    from qmstrack.errors import InvalidInput, NotFound

    failures = 0
    for path in paths:
        try:
            if path.name.startswith(MAP_PREFIX):
                edition_map = load_edition_map(path)
                message(f"OK {path} ({len(edition_map.mappings)} clauses mapped from "
                        f"{edition_map.from_edition} to {edition_map.to_edition})")
                continue
            checklist = load_checklist_file(path)
        except (InvalidInput, NotFound) as exc:
            failures += 1
            error(str(exc))
            for line in exc.details:
                message(f"  {line}")
            continue
        message(f"OK {path} ({checklist.clause_count} clauses, {checklist.item_count} "
                f"items)")
    if failures and len(paths) > 1:
        verb = "has" if failures == 1 else "have"
        raise InvalidInput(f"{failures} of {len(paths)} files {verb} errors.")
    if failures:
        raise typer.Exit(ExitCode.FAILED)


@app.command("map")
def map_cmd(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="Clause number, e.g. 8.2.1.",
                                       show_default=False)],
    from_edition: Annotated[
        str, typer.Option("--from", help="Edition the clause number belongs to: 2008 or "
                                         "2015.")
    ] = "2008",
    to_edition: Annotated[
        str | None, typer.Option("--to", help="Edition to map to (default: the other one).",
                                 show_default=False)
    ] = None,
    lang: LangOption = None,
    json: JsonOption = False,
) -> None:
    """Show which clauses of the other ISO 9001 edition correspond to a clause."""
    from qmstrack.checklists import bundled_checklist_for_edition
    from qmstrack.cli.output import emit_rows, message, print_json
    from qmstrack.edition_maps import load_edition_map, map_clause, mapping_note
    from qmstrack.errors import QmsError

    _user_dir, configured_lang = _settings(ctx)
    language = _language(lang, configured_lang)
    if to_edition is None:
        edition_map = load_edition_map()
        pair = (edition_map.from_edition, edition_map.to_edition)
        to_edition = pair[1] if from_edition == pair[0] else pair[0]
    refs = map_clause(ref, from_edition, to_edition)
    ref = ref.strip()

    def title(edition: str, clause_ref: str) -> str:
        try:
            return bundled_checklist_for_edition(edition).find_clause(clause_ref).text(
                "title", language)
        except QmsError:
            return ""

    rows = [{"ref": r, "title": title(to_edition, r)} for r in refs]
    note = mapping_note(ref, from_edition, to_edition)
    if json:
        print_json({"ref": ref, "title": title(from_edition, ref), "from": from_edition,
                    "to": to_edition, "maps_to": rows, "note": note or None})
        return
    if not rows:
        message(f"Clause {ref} of ISO 9001:{from_edition} has no counterpart in ISO "
                f"9001:{to_edition} (it is new in {from_edition}).")
        return
    emit_rows(rows, ["ref", "title"],
              headers=[f"ISO 9001:{to_edition}", _labels(language)["title"]],
              title=f"ISO 9001:{from_edition} {ref} {title(from_edition, ref)}")
    if note:
        message(note)
