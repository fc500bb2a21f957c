"""``qmstrack export`` and ``qmstrack verify``: the auditor's evidence bundle (BagIt)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qmstrack.cli.options import LangOption, UnitFilter
from qmstrack.cli.state import db_path, open_db
from qmstrack.i18n import count_of


def export_cmd(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First day of the period "
                                       "(inclusive).")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period (inclusive).")],
    out: Annotated[Path, typer.Option("--out", help="Bundle to write: a folder, or a file "
                                      "ending in .zip.")],
    redact: Annotated[bool, typer.Option("--redact", help="Replace requesters' and "
                                         "complainants' personal data by stable "
                                         "pseudonyms.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing bundle.")] = False,
    unit: UnitFilter = None,
    lang: LangOption = None,
) -> None:
    """Export the period's records, checklists, evidence files and change log as a
    BagIt bundle for the auditor (check it with 'qmstrack verify')."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date, opt_lang, opt_units
    from qmstrack.export import export_bundle

    db = open_db(ctx)
    language = opt_lang(lang, db)
    # Both dates are required options; a period ending before it starts is refused by
    # the export itself (qmstrack.periods.Period), before anything is written.
    result = export_bundle(db, db_path(ctx), start=opt_date(start, "--from"),
                           end=opt_date(end, "--to"), out=out, units=opt_units(db, unit),
                           redact=redact, force=force, lang=language)
    typer.echo(str(result.path))
    rows = sum(n for name, n in result.counts.items() if name != "evidence_files")
    message(f"Exported {count_of(rows, 'row')}, "
            f"{count_of(result.evidence_files, 'evidence file')} and "
            f"{count_of(result.changelog_entries, 'change-log entry', 'change-log entries')} "
            f"({count_of(result.files, 'file')}, {count_of(result.bytes, 'byte')})"
            f"{' with personal data redacted' if result.redacted else ''} to {result.path}.")
    message(f"Fingerprint (SHA-256 of tagmanifest-sha256.txt): {result.fingerprint}")


def verify_cmd(
    path: Annotated[Path, typer.Argument(help="Bundle folder or .zip file.")],
) -> None:
    """Check a BagIt bundle (RFC 8493), qmstrack's or any other, and print its
    fingerprint: exits 1 naming every missing, extra or altered file, 3 if it needs
    attention (only MD5 or SHA-1 manifests, files still to fetch)."""
    from qmstrack.cli.output import message, warning
    from qmstrack.exitcodes import ExitCode
    from qmstrack.i18n import _, ngettext
    from qmstrack.verify import verify_bundle

    result = verify_bundle(path)
    for text in result.warnings:
        warning(text)
    files = ngettext("{n:,} file", "{n:,} files", result.files).format(n=result.files)
    message(_("Bag valid: {files} (BagIt {version}, {algorithms}).").format(
        files=files, version=result.version,
        algorithms=", ".join(a.upper() for a in result.algorithms)))
    if result.fingerprint_computed:
        message(_("Fingerprint (SHA-256 of the SHA-256 tag manifest computed by qmstrack, "
                  "the bag has none): {fingerprint}").format(fingerprint=result.fingerprint))
    else:
        message(_("Fingerprint (SHA-256 of tagmanifest-sha256.txt): {fingerprint}").format(
            fingerprint=result.fingerprint))
    if result.warnings:
        raise typer.Exit(ExitCode.ATTENTION)


def register(root: typer.Typer) -> None:
    root.command("export")(export_cmd)
    root.command("verify")(verify_cmd)
