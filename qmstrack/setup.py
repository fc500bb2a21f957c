"""Initialising a database: organisation settings and the office's units."""

from __future__ import annotations

import sqlite_utils

from qmstrack.db import get_setting, set_setting, writing
from qmstrack.errors import InvalidInput
from qmstrack.parsing import clean_text

LANGUAGES = ("id", "en")


def check_lang(lang: str | None, db: sqlite_utils.Database | None = None) -> str:
    """The language to use: the one asked for, else the configured one."""
    if lang is None:
        return (get_setting(db, "lang") if db is not None else None) or "id"
    lang = lang.strip().lower()
    if lang not in LANGUAGES:
        raise InvalidInput(f"The language {lang!r} is not supported; use id or en.")
    return lang


def initialise(db: sqlite_utils.Database, *, org: str | None = None,
               lang: str | None = None) -> None:
    """Record the organisation and language; leave everything else as it is."""
    with writing(db, "init"):
        if org is not None:
            set_setting(db, "org_name", clean_text(org, field="organisation name",
                                                   max_length=200, required=True))
        if lang is not None:
            set_setting(db, "lang", check_lang(lang))
