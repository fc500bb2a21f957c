"""The SQL behind the metrics of the registers: requests, adherence, findings, complaints,
documents, external providers, risks, competence (each defined against its declaration in
:mod:`qmstrack.metric_catalogue`).

Every definition follows the product specification word for word; the comment above each
query quotes the rule it implements. Dates are ISO text, so comparisons are string
comparisons that SQLite answers from the indexes created in the migrations.
"""

from __future__ import annotations

import sqlite_utils

from qmstrack.metric_catalogue import defines
from qmstrack.periods import Period
from qmstrack.registers.competence import competence_gaps
from qmstrack.registers.complaints import complaint_counts
from qmstrack.registers.documents import (
    stale_documents,
    unapproved_documents,
    undistributed_documents,
)
from qmstrack.registers.providers import evaluation_overdue
from qmstrack.registers.risks import treatment_overdue
from qmstrack.scope import Scope


def _one(db: sqlite_utils.Database, sql: str, params: list) -> int:
    return db.execute(sql, params).fetchone()[0] or 0


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


# --- requests -------------------------------------------------------------------------


def received_count(db: sqlite_utils.Database, period: Period, scope: Scope) -> int:
    """Requests received in the period."""
    where, params = scope.where("unit", "service_code")
    return _one(
        db,
        f"SELECT count(*) FROM requests WHERE received_on BETWEEN ? AND ? AND {where}",
        [period.start.isoformat(), period.end.isoformat(), *params],
    )


def closed_counts(db: sqlite_utils.Database, period: Period, scope: Scope) -> dict:
    """completed / rejected: closed with that status in the period; on_time: completed in
    the period on or before its due date."""
    where, params = scope.where("unit", "service_code")
    completed, rejected, on_time = db.execute(
        f"""
        SELECT
            coalesce(sum(status = 'completed'), 0),
            coalesce(sum(status = 'rejected'), 0),
            coalesce(sum(status = 'completed' AND closed_on <= due_on), 0)
        FROM requests
        WHERE closed_on BETWEEN ? AND ? AND {where}
        """,
        [period.start.isoformat(), period.end.isoformat(), *params],
    ).fetchone()
    return {"completed": completed, "rejected": rejected, "on_time": on_time,
            "on_time_rate": _ratio(on_time, completed)}


def open_counts(db: sqlite_utils.Database, period: Period, scope: Scope) -> dict:
    """open: received on or before end and not closed on or before end; overdue: open, and
    due date before end."""
    where, params = scope.where("unit", "service_code")
    e = period.end.isoformat()
    # "Not closed on or before end" is two disjoint index ranges of idx_requests_closed:
    # never closed (closed_on IS NULL) and closed after the end. Written as two SELECTs so
    # that the plan never falls back to reading every request received before the end
    # (the unary + keeps SQLite from choosing idx_requests_received for the second range).
    open_, overdue = db.execute(
        f"""
        SELECT count(*), coalesce(sum(due_on < ?), 0) FROM (
            SELECT due_on FROM requests
            WHERE closed_on IS NULL AND received_on <= ? AND {where}
            UNION ALL
            SELECT due_on FROM requests
            WHERE closed_on > ? AND +received_on <= ? AND {where}
        )
        """,
        [e, e, *params, e, e, *params],
    ).fetchone()
    return {"open": open_, "overdue": overdue}


def request_counts(db: sqlite_utils.Database, period: Period, scope: Scope) -> dict:
    """All request figures of a period (three index-only queries)."""
    return {"received": received_count(db, period, scope),
            **closed_counts(db, period, scope), **open_counts(db, period, scope)}


_REQUEST_PARTS = {
    "received": lambda db, period, scope: {"received": received_count(db, period, scope)},
    "completed": closed_counts, "rejected": closed_counts, "on_time": closed_counts,
    "on_time_rate": closed_counts, "open": open_counts, "overdue": open_counts,
}


def _request_metric(key: str):
    # Each metric runs only the query its figure comes from.
    part = _REQUEST_PARTS[key]

    def compute(db, period, scope):
        return part(db, period, scope)[key]

    return compute


for _key in _REQUEST_PARTS:
    defines(f"requests.{_key}")(_request_metric(_key))


# --- adherence ------------------------------------------------------------------------


def adherence_counts(db: sqlite_utils.Database, period: Period, scope: Scope) -> dict:
    where, params = scope.where("unit")
    comply, breach, na = db.execute(
        f"""
        SELECT coalesce(sum(result = 'comply'), 0), coalesce(sum(result = 'breach'), 0),
               coalesce(sum(result = 'na'), 0)
        FROM adherence WHERE observed_on BETWEEN ? AND ? AND {where}
        """,
        [period.start.isoformat(), period.end.isoformat(), *params],
    ).fetchone()
    # rate = comply / (comply + breach); 'na' is counted but not rated.
    return {
        "observations": comply + breach + na,
        "comply": comply,
        "breach": breach,
        "na": na,
        "rate": _ratio(comply, comply + breach),
    }


@defines("adherence.observations")
def _adherence_observations(db, period, scope):
    return adherence_counts(db, period, scope)["observations"]


@defines("adherence.breaches")
def _adherence_breaches(db, period, scope):
    return adherence_counts(db, period, scope)["breach"]


@defines("adherence.rate")
def _adherence_rate(db, period, scope):
    return adherence_counts(db, period, scope)["rate"]


# --- findings -------------------------------------------------------------------------


def finding_counts(db: sqlite_utils.Database, period: Period, scope: Scope) -> dict:
    where, params = scope.where("unit")
    e = period.end.isoformat()
    # open: not closed on the end date; overdue: open with a corrective-action due date
    # before the end date.
    total, overdue, major = db.execute(
        f"""
        SELECT count(*), coalesce(sum(due_on IS NOT NULL AND due_on < ?), 0),
               coalesce(sum(grade = 'major'), 0)
        FROM findings
        WHERE raised_on <= ? AND (closed_on IS NULL OR closed_on > ?) AND {where}
        """,
        [e, e, e, *params],
    ).fetchone()
    return {"open": total, "overdue": overdue, "open_major": major}


@defines("findings.open")
def _findings_open(db, period, scope):
    return finding_counts(db, period, scope)["open"]


@defines("findings.overdue")
def _findings_overdue(db, period, scope):
    return finding_counts(db, period, scope)["overdue"]


@defines("findings.open_major")
def _findings_open_major(db, period, scope):
    return finding_counts(db, period, scope)["open_major"]


# --- complaints (the counts are the register's: qmstrack.registers.complaints) -----------


@defines("complaints.received")
def _complaints_received(db, period, scope):
    return complaint_counts(db, period, scope)["received"]


@defines("complaints.open")
def _complaints_open(db, period, scope):
    return complaint_counts(db, period, scope)["open"]


@defines("complaints.response_on_time_rate")
def _complaints_response_on_time_rate(db, period, scope):
    """Over the complaints received in the period, as of its end: on time / (on time +
    late), where late is responded after the due date or unanswered with the due date
    passed; unanswered and not yet due is not counted (SPEC, "Response on-time rate")."""
    return complaint_counts(db, period, scope)["response_on_time_rate"]


@defines("complaints.overdue")
def _complaints_overdue(db, period, scope):
    return complaint_counts(db, period, scope)["overdue"]


# --- documents ------------------------------------------------------------------------

defines("documents.stale")(stale_documents)
defines("documents.without_approval")(unapproved_documents)
defines("documents.undistributed")(undistributed_documents)

# --- external providers ---------------------------------------------------------------

defines("providers.evaluation_overdue")(evaluation_overdue)

# --- risks and opportunities ----------------------------------------------------------

defines("risks.treatment_overdue")(treatment_overdue)

# --- competence -----------------------------------------------------------------------

defines("competence.gaps")(competence_gaps)
