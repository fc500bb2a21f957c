"""What the root command passes to every subcommand: the database choice and --no-input,
and, once asked for, the open database and the office's date."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import typer


@dataclass
class AppState:
    db_option: Path | None = None
    no_input: bool = False
    # --as NAME: who the change log's seals name (else $QMSTRACK_USER, else the OS user).
    user: str | None = None
    db: Any = None
    today: date | None = None


# The state of the command being run, for values parsed where no context is at hand.
_active: AppState | None = None


def begin(st: AppState) -> AppState:
    """Make ``st`` the state of the command being run (the root callback calls this)."""
    global _active
    _active = st
    return st


def end() -> None:
    """Close the command's database and forget its state (after the command ran)."""
    global _active
    if _active is not None and _active.db is not None:
        with contextlib.suppress(Exception):
            _active.db.close()
    _active = None


def state(ctx: typer.Context | None = None) -> AppState:
    global _active
    if ctx is None:
        if _active is None:
            _active = AppState()
        return _active
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


def db_path(ctx: typer.Context | None = None) -> Path:
    from qmstrack.db import resolve_db_path

    return resolve_db_path(state(ctx).db_option)[0]


def open_db(ctx: typer.Context | None = None, *, create: bool = False):
    """Open the chosen database (once per command); its change-log seals name the command."""
    from qmstrack.db import open_db as _open

    st = state(ctx)
    if st.db is None:
        st.db = _open(db_path(ctx), create=create)
        st.db.qms_user = st.user
    if ctx is not None:
        st.db.qms_command = ctx.command_path
    return st.db


def office_today(ctx: typer.Context | None = None) -> date:
    """Today in the office's time zone: the database's setting, else the system's zone."""
    from qmstrack import clock

    st = state(ctx)
    if st.today is None:
        if st.db is not None or db_path(ctx).is_file():
            st.today = clock.office_today(open_db(ctx))
        else:
            st.today = clock.utc_now().astimezone(
                clock.zone(clock.system_zone_name())).date()
    return st.today


def can_prompt(ctx: typer.Context, no_input: bool = False) -> bool:
    """Prompts only on a terminal, and never with --no-input."""
    return not (no_input or state(ctx).no_input) and sys.stdin.isatty()
