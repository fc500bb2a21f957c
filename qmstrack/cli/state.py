"""What the root command passes to every subcommand: the database choice and --no-input."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import typer


@dataclass
class AppState:
    db_option: Path | None = None
    no_input: bool = False


def state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


def db_path(ctx: typer.Context) -> Path:
    from qmstrack.db import resolve_db_path

    return resolve_db_path(state(ctx).db_option)[0]


def open_db(ctx: typer.Context, *, create: bool = False):
    """Open the chosen database; its change-log seals name this command."""
    from qmstrack.db import open_db as _open

    db = _open(db_path(ctx), create=create)
    db.qms_command = ctx.command_path
    return db


def can_prompt(ctx: typer.Context, no_input: bool = False) -> bool:
    """Prompts only on a terminal, and never with --no-input."""
    return not (no_input or state(ctx).no_input) and sys.stdin.isatty()
