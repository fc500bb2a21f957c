"""Initialising a database: organisation, language and the office's time zone."""

from __future__ import annotations

import sqlite_utils

from qmstrack.db import get_setting, set_setting, writing
from qmstrack.i18n import check_lang
from qmstrack.parsing import clean_text


def initialise(db: sqlite_utils.Database, *, org: str | None = None,
               lang: str | None = None, timezone: str | None = None) -> tuple[str, str]:
    """Record the organisation, language and time zone; leave everything else as it is.

    Returns the office's time zone and where it came from: ``option`` (``timezone``),
    ``setting`` (recorded before) or ``system`` (the system's, recorded now).
    """
    from qmstrack.clock import SETTING, check_zone, system_zone_name

    zone = check_zone(timezone) if timezone is not None else None
    with writing(db, "init"):
        if org is not None:
            set_setting(db, "org_name", clean_text(org, field="organisation name",
                                                   max_length=200, required=True))
        if lang is not None:
            set_setting(db, "lang", check_lang(lang))
        if zone is not None:
            source = "option"
        elif get_setting(db, SETTING):
            zone, source = get_setting(db, SETTING), "setting"
        else:
            zone, source = system_zone_name(), "system"
        if source != "setting":
            set_setting(db, SETTING, zone)
    return zone, source
