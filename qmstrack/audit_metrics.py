"""Metrics about the audit programme itself (registered into the metric registry)."""

from __future__ import annotations

import sqlite_utils

from qmstrack.metrics import Period, Scope, metric


def default_checklist(db: sqlite_utils.Database):
    """The checklist the office audits against (setting ``default_checklist``)."""
    from qmstrack.checklists import resolve_checklist
    from qmstrack.db import get_setting

    return resolve_checklist(get_setting(db, "default_checklist") or "iso9001-2015",
                             get_setting(db, "checklist_dir") or None)


@metric("audits.clause_coverage_12m", "rate",
        "Share of the checklist's assessable clauses audited in the 12 months up to the "
        "end of the period (in an audit, its own checklist; else the default one).")
def _clause_coverage_12m(db: sqlite_utils.Database, period: Period, scope: Scope):
    from qmstrack.audits import clause_coverage

    rows = clause_coverage(db, scope.checklist or default_checklist(db), period.end,
                           scope.units)
    if not rows:
        return None
    return sum(1 for r in rows if r["status"] == "covered") / len(rows)
