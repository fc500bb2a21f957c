"""Options shared by many commands, declared once and reused as ``Annotated`` aliases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qmstrack.i18n import N_

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        metavar="PATH",
        help="Database file (default: $QMSTRACK_DB, else the user data directory).",
        show_default=False,
        dir_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV for spreadsheets.")]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="Language of the output: id or en (default: configured)."),
]
NoInputOption = Annotated[
    bool,
    typer.Option("--no-input", help="Never prompt; a missing answer is an error."),
]
UnitFilter = Annotated[
    list[str] | None,
    typer.Option("--unit", help="Only this unit (repeatable)."),
]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="From this date (inclusive).")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Up to this date (inclusive).")
]
FromOption = Annotated[
    str | None, typer.Option("--from", help="First day of the period (inclusive).")
]
ToOption = Annotated[
    str | None, typer.Option("--to", help="Last day of the period (inclusive).")
]
ImportFile = Annotated[
    Path,
    typer.Argument(help="CSV (',', ';' or tab), XLSX, XLSM, ODS or XLS file.", exists=False,
                   dir_okay=False),
]
SheetOption = Annotated[
    str | None,
    typer.Option("--sheet", metavar="NAME|N",
                 help="The workbook's sheet to read, by name or number (default: the first)."),
]
AllSheetsOption = Annotated[
    bool,
    typer.Option("--all-sheets", help="Read every sheet of the workbook (e.g. a month per "
                                      "sheet), in one transaction."),
]
HeaderRowOption = Annotated[
    int | None,
    typer.Option("--header-row", metavar="N", min=1,
                 help="The row that holds the headers (default: found in the first 20 rows)."),
]
DateOrderOption = Annotated[
    str,
    typer.Option("--date-order", metavar="dmy|mdy",
                 help="How text dates such as 11/02/2026 are read: dmy (day first, the "
                      "default) or mdy (month first)."),
]
DelimiterOption = Annotated[
    str | None,
    typer.Option("--delimiter", metavar="CHAR",
                 help="CSV delimiter: ',', ';' or 'tab' (default: the csv_delimiter setting, "
                      "';' when the office language is id)."),
]
XlsxOption = Annotated[
    Path | None,
    typer.Option("--xlsx", metavar="FILE", dir_okay=False,
                 help="Write the list to an Excel workbook (typed cells, NIPs as text)."),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Check the file and report what would change.")
]
SkipInvalidOption = Annotated[
    bool,
    typer.Option(
        "--skip-invalid",
        help="Import the valid rows and write the invalid ones to a rejects file (CSV, or "
             "XLSX for a workbook).",
    ),
]
RejectsOption = Annotated[
    Path | None,
    typer.Option("--rejects", help="Where to write rejected rows (default: FILE.rejects.csv, "
                                   "or FILE.rejects.xlsx for a workbook; a name ending in "
                                   ".xlsx writes a workbook)."),
]
MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", help="Map a column to a field: --map 'Kolom Saya=notes'."),
]
ColumnsOption = Annotated[
    str | None,
    typer.Option("--columns", metavar="A,B,...",
                 help=N_("Only these columns, in this order (comma-separated), in the table "
                         "and --csv.")),
]
