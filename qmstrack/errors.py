"""qmstrack's own exceptions.

Domain code raises these; the CLI turns them into one sentence on stderr and an exit code
(``qmstrack.cli.app``, codes in ``qmstrack.exitcodes``). Each carries a message written for
the person at the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass

from qmstrack.exitcodes import ExitCode


class QmsError(Exception):
    """Base class: a failure the user can understand and act on (exit code 1)."""

    exit_code: int = ExitCode.FAILED

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        # Lines printed after the message, e.g. every bad row of a refused import.
        self.details = details or []

    def __str__(self) -> str:
        return self.message


class NotFound(QmsError):
    """A record named by the user does not exist."""


class InvalidInput(QmsError):
    """A value given by the user (option, file cell, date, NIP) is not acceptable."""


class Conflict(QmsError):
    """The action conflicts with the current state (a final audit, a duplicate record)."""


class IntegrityFailure(QmsError):
    """Stored data or an exported bundle no longer matches what qmstrack recorded."""


class DatabaseError(QmsError):
    """The database cannot be opened or is not one this version of qmstrack can use."""


class UsageError(QmsError):
    """The command was used the wrong way (exit code 2)."""

    exit_code = ExitCode.USAGE


class MissingAnswer(UsageError):
    """A value needed a prompt, but prompting is not possible (no terminal, --no-input)."""


@dataclass(frozen=True)
class RowProblem:
    """One reason a row of an imported file was refused."""

    row: int
    column: str
    reason: str
    sheet: str = ""  # named when an import reads several sheets

    def __str__(self) -> str:
        where = f"row {self.row}"
        if self.sheet:
            where = f"sheet {self.sheet!r}, {where}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


class ImportRefused(QmsError):
    """An imported file holds invalid rows; nothing was written."""

    def __init__(self, source: str, problems: list[RowProblem], total_bad_rows: int):
        self.source = source
        self.problems = problems
        self.total_bad_rows = total_bad_rows
        noun = "row" if total_bad_rows == 1 else "rows"
        details = [str(p) for p in problems]
        if total_bad_rows > len({p.row for p in problems}):
            details.append("... and more; --skip-invalid writes every rejected row to a file.")
        super().__init__(
            f"{source}: {total_bad_rows} invalid {noun}, nothing was imported "
            "(use --skip-invalid to import the valid rows and write the rest to a rejects file).",
            details,
        )
