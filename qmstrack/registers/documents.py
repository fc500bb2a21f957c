"""Documented information (ISO 9001 clause 7.5): the office's controlled documents.

Each document has a type (policy, SOP, review minutes...), a title, the ISO clause(s) it
evidences, an optional unit (none = office-wide), an optional file kept in the evidence
store (``qmstrack.evidence``), its issue date and how often it must be reviewed. A
document whose review date has passed is *stale*; the ``documents.stale`` metric counts
them so the audit and the summary can flag them.

The register is also the office's master list (daftar induk dokumen), as ISO 9001:2015
7.5.2 (identification, review and approval) and 7.5.3 (distribution, control of changes,
obsolete documents) ask: a document number, its revision, who approved it and when, the
units holding a controlled copy, and its status (draft, in force, obsolete, withdrawn).
Each revision is a row of the same number: :func:`revise_document` puts a new revision in
force and keeps the previous one readable as obsolete; a revision that goes backwards, or
an approval dated before the draft, is refused. ``documents.without_approval`` counts the
documents in force without an approver or an approval date.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.parsing import clean_text, parse_date, parse_int
from qmstrack.periods import add_months
from qmstrack.registers.common import no_staff_member, query_dicts, require_unit
from qmstrack.staff_ids import staff_key
from qmstrack.tabular import Field, ImportReport, RowBuilder, RowsRefused, build_one, run_import

TYPES = ("policy", "objectives", "sop", "procedure", "form", "record", "review-minutes",
         "training", "other")
TYPE_ALIASES = {
    "kebijakan": "policy", "kebijakan-mutu": "policy", "quality-policy": "policy",
    "sasaran": "objectives", "sasaran-mutu": "objectives", "objective": "objectives",
    "prosedur": "procedure", "formulir": "form", "rekaman": "record", "catatan": "record",
    "notulen": "review-minutes", "minutes": "review-minutes", "rtm": "review-minutes",
    "management-review": "review-minutes", "pelatihan": "training", "lainnya": "other",
    "sop": "sop", "standard-operating-procedure": "sop",
}

LIST_COLUMNS = ["id", "number", "revision", "type", "title", "clause", "unit", "approved_by",
                "approved_on", "issued_on", "review_due_on", "distribution", "status",
                "stale", "withdrawn_on", "file_sha256"]

STATUSES = ("draft", "in_force", "obsolete", "withdrawn")
STATUS_ALIASES = {
    "draft": "draft", "konsep": "draft", "rancangan": "draft", "in force": "in_force",
    "in_force": "in_force", "berlaku": "in_force", "aktif": "in_force", "active": "in_force",
    "obsolete": "obsolete", "kedaluwarsa": "obsolete", "usang": "obsolete",
    "tidak berlaku": "obsolete", "superseded": "obsolete", "withdrawn": "withdrawn",
    "ditarik": "withdrawn", "dicabut": "withdrawn",
}

_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./\-_ ]{0,59}$")
_REVISION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,9}$")


def parse_number(value: Any) -> str:
    """A document number as the office writes it: ``SOP/SMA/01``, ``PM-01``, ``800/12.3``."""
    text = " ".join(str(value or "").split())
    if not _NUMBER.match(text):
        raise InvalidInput(f"The document number {text[:40]!r} is not a number like "
                           "SOP/SMA/01 or PM-01 (letters, digits, . / - _).")
    return text


def parse_revision(value: Any) -> str:
    """``02``, ``2``, ``Rev. 02``, ``B`` -> the revision as written (``Rev.`` dropped; a
    number keeps at least two digits)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value if value is not None else "").strip()
    text = re.sub(r"^(rev(isi)?\.?\s*)", "", text, flags=re.IGNORECASE).strip()
    if not _REVISION.match(text):
        raise InvalidInput(f"The revision {str(value)[:20]!r} is not like 00, 01, 02 or A.")
    return f"{int(text):02d}" if text.isdigit() else text.upper()


def revision_order(revision: str) -> tuple[int, int, str]:
    """Sort key of revisions: numbers by value, before letters."""
    return (0, int(revision), "") if revision.isdigit() else (1, 0, revision)


def parse_status(value: Any) -> str:
    text = " ".join(str(value or "").strip().lower().replace("-", " ").split())
    status = STATUS_ALIASES.get(text) or STATUS_ALIASES.get(text.replace(" ", "_"))
    if status is None:
        raise InvalidInput(f"The status {str(value)[:30]!r} is not one of draft, in force, "
                           "obsolete, withdrawn (konsep, berlaku, kedaluwarsa, ditarik).")
    return status


def parse_distribution(db: sqlite_utils.Database, value: Any) -> str:
    """``SMA, SMP`` (also ``;`` ``/`` or spaces) -> known unit codes, sorted, ``SMA, SMP``."""
    parts = [p for p in re.split(r"[,;/\s]+", str(value or "")) if p]
    return ", ".join(sorted({require_unit(db, p) for p in parts}))


_EVERY = re.compile(
    r"^(\d{1,3})\s*(m|mo|mon|month|months|bln|bulan|y|yr|year|years|thn|tahun)$"
)


def parse_type(value: Any) -> str:
    text = "-".join(str(value or "").strip().lower().replace("_", " ").split())
    kind = text if text in TYPES else TYPE_ALIASES.get(text)
    if kind is None:
        raise InvalidInput(
            f"The document type {str(value)[:30]!r} is not one of {', '.join(TYPES)}."
        )
    return kind


def parse_review_every(value: Any) -> int:
    """``12m``, ``6m``, ``1y``, ``24m`` (also ``12 bulan``, ``1 tahun``) -> months."""
    text = str(value or "").strip().lower()
    m = _EVERY.match(text)
    if not m:
        raise InvalidInput(
            f"The review interval {str(value)[:20]!r} is not like 12m, 6m, 1y or 24m."
        )
    months = int(m[1]) * (12 if m[2][0] in "yt" else 1)
    if not 1 <= months <= 120:
        raise InvalidInput("The review interval must be between 1 month and 10 years.")
    return months


def _clause(value: Any) -> str:
    from qmstrack.registers.rules import parse_clauses

    clauses = parse_clauses(value)
    if not clauses:
        raise InvalidInput("The clause is empty; give the ISO clause it evidences, e.g. 7.5.3.")
    return clauses


def add_document(db: sqlite_utils.Database, db_path: str | os.PathLike | None = None, *,
                 type: str, title: str, clause: str, unit: str | None = None,
                 file: str | os.PathLike | None = None, issued: Any = None,
                 review_every: Any = None, today: date | None = None,
                 number: Any = None, revision: Any = None, drafted: Any = None,
                 approved_by: Any = None, approved_on: Any = None,
                 distribution: Any = None, status: Any = None) -> dict[str, Any]:
    """Register a document; its file (if any) is copied into the evidence store."""
    if file is not None and db_path is None:
        raise InvalidInput("The database path is needed to store the document's file.")
    with writing(db):
        record = _record(db, {
            "type": type, "title": title, "clause": clause, "unit": unit,
            "issued_on": issued, "review_every": review_every, "number": number,
            "revision": revision, "drafted_on": drafted, "approved_by": approved_by,
            "approved_on": approved_on, "distribution": distribution, "status": status,
        }, today or office_today(db))
        if record["number"] is not None:
            _refuse_taken(db, record)
        if file is not None:
            from qmstrack.evidence import store_file

            assert db_path is not None  # refused above
            record["file_sha256"] = store_file(db, db_path, file)
        doc_id = db.table("documents").insert(record).last_pk
    return get_document(db, doc_id, today=today)


def _refuse_taken(db: sqlite_utils.Database, record: dict[str, Any]) -> None:
    for number, revision, status in db.execute(
            "SELECT number, revision, status FROM documents WHERE number = ? "
            "COLLATE NOCASE", [record["number"]]):
        if revision == record["revision"]:
            raise Conflict(f"Document {number} revision {revision} is already registered; "
                           "'qmstrack document revise' records a new revision.")
        if status == "in_force" and record["status"] == "in_force":
            raise Conflict(f"Document {number} already has revision {revision} in force; "
                           f"'qmstrack document revise {number}' supersedes it.")


class _Convert:
    """One master-list row (or the options of ``document add``) -> a documents row."""

    def __init__(self, db: sqlite_utils.Database, today: date):
        self.db, self.today = db, today
        self.units = {r[0] for r in db.execute("SELECT code FROM units")}
        self.staff = {r[0] for r in db.execute("SELECT nip FROM staff")}

    def unit(self, value: Any) -> str:
        return require_unit(self.db, value)

    def approver(self, value: Any) -> str:
        key = staff_key(value)
        if key not in self.staff:
            raise InvalidInput(no_staff_member(key))
        return key

    def __call__(self, b: RowBuilder) -> dict[str, Any] | None:
        number = b.get("number", parse_number)
        revision = b.get("revision", parse_revision, default="00" if number else "")
        kind = b.get("type", parse_type, required=True)
        title = b.get("title", lambda v: clean_text(v, field="title", max_length=300),
                      required=True)
        clauses = b.get("clause", _clause, required=True)
        unit = b.get("unit", self.unit)
        drafted = b.get("drafted_on", lambda v: parse_date(v, field="draft date"))
        approver = b.get("approved_by", self.approver)
        approved = b.get("approved_on", lambda v: parse_date(v, field="approval date"))
        issued = b.get("issued_on", lambda v: parse_date(v, field="issue date"))
        months = b.get("review_every", parse_review_every)
        distribution = b.get("distribution", lambda v: parse_distribution(self.db, v),
                             default="")
        status = b.get("status", parse_status)
        withdrawn = b.get("withdrawn_on", lambda v: parse_date(v, field="withdrawal date"))
        if b.problems:
            return None
        issued = issued or approved or self.today
        if status is None:
            status = "withdrawn" if withdrawn else "in_force"
        if drafted and approved and approved < drafted:
            b.fail("approved_on", f"the approval date {approved} is before the draft date "
                                  f"{drafted}")
        if drafted and issued < drafted:
            b.fail("issued_on", f"the issue date {issued} is before the draft date {drafted}")
        if approved and approved > self.today:
            b.fail("approved_on", f"{approved} is in the future")
        if bool(approver) != bool(approved) and status != "draft":
            b.fail("approved_on" if approver else "approved_by",
                   "an approval needs both the approver and the approval date")
        if status == "draft" and (approver or approved):
            b.fail("status", "a draft is not approved yet; its status is in force once "
                             "approved")
        if status in ("obsolete", "withdrawn") and not withdrawn:
            b.fail("withdrawn_on", f"a document {status.replace('_', ' ')} needs the date it "
                                   "stopped being in force")
        if withdrawn and status in ("draft", "in_force"):
            b.fail("status", f"a document with a withdrawal date is not "
                             f"{status.replace('_', ' ')}")
        if withdrawn and withdrawn < issued:
            b.fail("withdrawn_on", f"the withdrawal date {withdrawn} is before the issue "
                                   f"date {issued}")
        if b.problems:
            return None
        return {
            "number": number, "revision": revision, "type": kind, "title": title,
            "clause": clauses, "unit": unit, "issued_on": issued.isoformat(),
            "review_months": months,
            "review_due_on": add_months(issued, months).isoformat() if months else None,
            "drafted_on": drafted.isoformat() if drafted else None,
            "approved_by": approver, "approved_on": approved.isoformat() if approved else None,
            "distribution": distribution, "status": status,
            "withdrawn_on": withdrawn.isoformat() if withdrawn else None,
        }


def _record(db: sqlite_utils.Database, values: dict[str, Any], today: date) -> dict[str, Any]:
    values = {k: v for k, v in values.items() if v not in (None, "")}
    return build_one(_Convert(db, today), values)


def revise_document(db: sqlite_utils.Database, db_path: str | os.PathLike | None,
                    number: Any, *, revision: Any, approved_by: Any, on: Any,
                    file: str | os.PathLike | None = None, drafted: Any = None,
                    title: Any = None, review_every: Any = None,
                    distribution: Any = None, today: date | None = None) -> dict[str, Any]:
    """Put a new revision of a document in force, approved by a staff member on a date;
    the revision it supersedes stays in the register as obsolete from that date."""
    today = today or office_today(db)
    doc_number = parse_number(number)
    if file is not None and db_path is None:
        raise InvalidInput("The database path is needed to store the document's file.")
    with writing(db):
        rows = list(query_dicts(
            db, "SELECT * FROM documents WHERE number = ? COLLATE NOCASE", [doc_number]))
        if not rows:
            raise NotFound(f"There is no document numbered {doc_number}; 'qmstrack document "
                           "list' shows the master list.")
        latest = max(rows, key=lambda r: revision_order(r["revision"]))
        current = next((r for r in rows if r["status"] == "in_force"), None)
        base = current or latest
        new_revision = parse_revision(revision)
        if revision_order(new_revision) <= revision_order(latest["revision"]):
            raise InvalidInput(f"Revision {new_revision} of {latest['number']} does not come "
                               f"after revision {latest['revision']}, the latest on record.")
        on_date = parse_date(on, field="approval date")
        if current and on_date.isoformat() < current["issued_on"]:
            raise InvalidInput(f"The approval date {on_date} is before revision "
                               f"{current['revision']} was issued ({current['issued_on']}).")
        record = _record(db, {
            "number": latest["number"], "revision": new_revision, "type": base["type"],
            "title": title or base["title"], "clause": base["clause"], "unit": base["unit"],
            "issued_on": on_date, "approved_on": on_date, "approved_by": approved_by,
            "drafted_on": drafted,
            "review_every": (review_every if review_every not in (None, "")
                             else f"{base['review_months']}m" if base["review_months"]
                             else None),
            "distribution": distribution if distribution is not None
            else base["distribution"],
        }, today)
        if current:
            db.table("documents").update(current["id"], {
                "status": "obsolete", "withdrawn_on": on_date.isoformat()})
        if file is not None:
            from qmstrack.evidence import store_file

            assert db_path is not None  # refused above
            record["file_sha256"] = store_file(db, db_path, file)
        doc_id = db.table("documents").insert(record).last_pk
    return get_document(db, doc_id, today=today)


def _get_row(db: sqlite_utils.Database, doc_id: Any) -> dict[str, Any]:
    """A document by its id, or by its number (the revision in force, else the latest)."""
    text = str(doc_id).strip()
    if not text.isdigit():
        number = parse_number(text)
        rows = list(query_dicts(db, "SELECT * FROM documents WHERE number = ? COLLATE NOCASE",
                                [number]))
        if not rows:
            raise NotFound(f"There is no document numbered {number}; 'qmstrack document "
                           "list' shows the master list.")
        in_force = [r for r in rows if r["status"] == "in_force"]
        return in_force[0] if in_force else max(
            rows, key=lambda r: revision_order(r["revision"]))
    number_id = parse_int(doc_id, field="document id", minimum=1)
    rows = list(query_dicts(db, "SELECT * FROM documents WHERE id = ?", [number_id]))
    if not rows:
        raise NotFound(f"There is no document {number_id}; 'qmstrack document list' shows "
                       "them.")
    return rows[0]


def _decorate(row: dict[str, Any], today: date) -> dict[str, Any]:
    due = row.get("review_due_on")
    row["stale"] = bool(due and not row.get("withdrawn_on") and due < today.isoformat())
    return row


def get_document(db: sqlite_utils.Database, doc_id: Any, *,
                 today: date | None = None) -> dict[str, Any]:
    """One document, with its stored file's details."""
    row = _decorate(_get_row(db, doc_id), today or office_today(db))
    row["file"] = None
    if row["file_sha256"]:
        files = list(query_dicts(
            db, "SELECT sha256, size, original_name, media_type, stored_at "
                "FROM evidence_files WHERE sha256 = ?", [row["file_sha256"]]))
        row["file"] = files[0] if files else None
    row["revisions"] = []
    if row["number"]:
        row["revisions"] = list(query_dicts(
            db, "SELECT id, revision, status, approved_by, approved_on, issued_on, "
                "withdrawn_on FROM documents WHERE number = ? COLLATE NOCASE ORDER BY id",
            [row["number"]]))
    return row


def list_documents(db: sqlite_utils.Database, *, expired: bool = False,
                   type: str | None = None, unit: str | None = None,
                   include_withdrawn: bool = False, today: date | None = None):
    """Stream documents; ``expired`` keeps only those past their review date."""
    today = today or office_today(db)
    clauses: list[str] = []
    params: list[Any] = []
    if not include_withdrawn:
        clauses.append("withdrawn_on IS NULL")
    if expired:
        clauses.append("withdrawn_on IS NULL AND review_due_on IS NOT NULL "
                       "AND review_due_on < ?")
        params.append(today.isoformat())
    if type:
        clauses.append("type = ?")
        params.append(parse_type(type))
    if unit:
        clauses.append("(unit = ? OR unit IS NULL)")
        params.append(require_unit(db, unit))
    where = " AND ".join(clauses) or "1"
    # The master list: numbered documents by number and revision, then the others.
    for row in query_dicts(db, f"SELECT * FROM documents WHERE {where} ORDER BY "
                               "number IS NULL, number COLLATE NOCASE, id", params):
        yield _decorate(row, today)


def withdraw_document(db: sqlite_utils.Database, doc_id: Any, *, on: Any = None,
                      today: date | None = None) -> dict[str, Any]:
    """Mark a document withdrawn (superseded); it stays in the register and the log."""
    on_date = parse_date(on, field="withdrawal date") if on else (today or office_today(db))
    with writing(db):
        row = _get_row(db, doc_id)
        if row["withdrawn_on"]:
            raise Conflict(f"Document {row['id']} was already withdrawn on "
                           f"{row['withdrawn_on']}.")
        if row["issued_on"] and on_date.isoformat() < row["issued_on"]:
            raise InvalidInput(f"The withdrawal date {on_date} is before the document was "
                               f"issued ({row['issued_on']}).")
        db.table("documents").update(row["id"], {"withdrawn_on": on_date.isoformat(),
                                                 "status": "withdrawn"})
    return get_document(db, row["id"], today=today)


def review_document(db: sqlite_utils.Database, doc_id: Any, *, on: Any = None,
                    review_every: Any = None, today: date | None = None) -> dict[str, Any]:
    """Record that a document was reviewed on a date: its next review is due from then."""
    on_date = parse_date(on, field="review date") if on else (today or office_today(db))
    with writing(db):
        row = _get_row(db, doc_id)
        if row["withdrawn_on"]:
            raise Conflict(f"Document {row['id']} was withdrawn on {row['withdrawn_on']}.")
        months = (parse_review_every(review_every) if review_every not in (None, "")
                  else row["review_months"])
        if not months:
            raise InvalidInput(f"Document {row['id']} has no review interval; pass "
                               "--review-every (e.g. 12m).")
        if row["issued_on"] and on_date.isoformat() < row["issued_on"]:
            raise InvalidInput(f"The review date {on_date} is before the document was "
                               f"issued ({row['issued_on']}).")
        db.table("documents").update(row["id"], {
            "review_months": months,
            "review_due_on": add_months(on_date, months).isoformat(),
        })
    return get_document(db, row["id"], today=today)


# documents.stale: non-withdrawn documents whose review date is before the end of the
# period. A document withdrawn after the period end was still in force during it.
# Office-wide documents (no unit) count in every unit's scope.
def stale_documents(db: sqlite_utils.Database, period, scope) -> int:
    e = period.end.isoformat()
    params: list[Any] = [e, e]
    unit_clause = ""
    if scope.units:
        unit_clause = (f" AND (unit IS NULL OR unit IN "
                       f"({', '.join('?' for _ in scope.units)}))")
        params.extend(scope.units)
    return db.execute(
        "SELECT count(*) FROM documents WHERE review_due_on IS NOT NULL AND status != 'draft' "
        "AND review_due_on < ? AND (withdrawn_on IS NULL OR withdrawn_on > ?)" + unit_clause,
        params,
    ).fetchone()[0]


def _in_force_clause(period, scope) -> tuple[str, list[Any]]:
    """Documents in force at the end of the period: issued by then, not a draft, not
    withdrawn or superseded by then; office-wide ones count in every unit's scope."""
    e = period.end.isoformat()
    clause = ("status != 'draft' AND (issued_on IS NULL OR issued_on <= ?) "
              "AND (withdrawn_on IS NULL OR withdrawn_on > ?)")
    params: list[Any] = [e, e]
    if scope.units:
        clause += f" AND (unit IS NULL OR unit IN ({', '.join('?' for _ in scope.units)}))"
        params.extend(scope.units)
    return clause, params


# documents.without_approval: documents in force at the end of the period without an
# approver or an approval date (ISO 9001:2015 7.5.2 c): review and approval).
def unapproved_documents(db: sqlite_utils.Database, period, scope) -> int:
    clause, params = _in_force_clause(period, scope)
    return db.execute(
        f"SELECT count(*) FROM documents WHERE (approved_by IS NULL OR approved_on IS NULL) "
        f"AND {clause}", params).fetchone()[0]


def unapproved_evidence(db: sqlite_utils.Database, period, scope) -> list[str]:
    """The documents ``documents.without_approval`` counts, as the audit names them."""
    clause, params = _in_force_clause(period, scope)
    return [f"{number or f'#{doc_id}'} rev. {rev or '-'} {title}".replace("  ", " ")
            for doc_id, number, rev, title in db.execute(
                f"SELECT id, number, revision, title FROM documents WHERE (approved_by IS NULL "
                f"OR approved_on IS NULL) AND {clause} ORDER BY number, id", params)]


# documents.undistributed: documents in force at the end of the period naming no unit that
# holds a controlled copy (ISO 9001:2015 7.5.3.1 a), 7.5.3.2 a): available where needed,
# distribution).
def undistributed_documents(db: sqlite_utils.Database, period, scope) -> int:
    clause, params = _in_force_clause(period, scope)
    return db.execute(f"SELECT count(*) FROM documents WHERE distribution = '' AND {clause}",
                      params).fetchone()[0]


def undistributed_evidence(db: sqlite_utils.Database, period, scope) -> list[str]:
    clause, params = _in_force_clause(period, scope)
    return [f"{number or f'#{doc_id}'} rev. {rev or '-'} {title}: no distribution"
            for doc_id, number, rev, title in db.execute(
                f"SELECT id, number, revision, title FROM documents WHERE distribution = '' "
                f"AND {clause} ORDER BY number, id", params)]


def stale_evidence(db: sqlite_utils.Database, period, scope) -> list[str]:
    """The documents ``documents.stale`` counts, with their review due date."""
    clause, params = _in_force_clause(period, scope)
    e = period.end.isoformat()
    return [f"{number or f'#{doc_id}'} {title}: review due {due}"
            for doc_id, number, title, due in db.execute(
                f"SELECT id, number, title, review_due_on FROM documents WHERE review_due_on "
                f"IS NOT NULL AND review_due_on < ? AND {clause} ORDER BY review_due_on, id",
                [e, *params])]


# --- the master list's import -------------------------------------------------------------

IMPORT_FIELDS = [
    Field("number", ("no_dokumen", "nomor_dokumen", "kode_dokumen", "nomor", "number",
                     "document_number", "kode")),
    Field("revision", ("revisi", "rev", "no_revisi", "revision")),
    Field("title", ("judul", "judul_dokumen", "nama_dokumen", "title"), required=True),
    Field("type", ("jenis", "jenis_dokumen", "type", "tipe")),
    Field("clause", ("klausul", "klausul_iso", "clause")),
    Field("unit", ("unit", "pemilik", "unit_pemilik", "bidang", "owner", "owner_unit")),
    Field("drafted_on", ("tanggal_draf", "tgl_draf", "tanggal_konsep", "drafted_on"),
          kind="date"),
    Field("approved_by", ("disahkan_oleh", "pengesah", "nip_pengesah", "approved_by",
                          "approver")),
    Field("approved_on", ("tanggal_pengesahan", "tgl_pengesahan", "tanggal_disahkan",
                          "tgl_disahkan", "approved_on"), kind="date"),
    Field("issued_on", ("tanggal_terbit", "tgl_terbit", "tanggal_berlaku", "tgl_berlaku",
                        "issued_on", "issue_date"), kind="date"),
    Field("review_every", ("masa_tinjau", "periode_tinjauan", "tinjauan", "review_every")),
    Field("distribution", ("distribusi", "distribution", "salinan_terkendali")),
    Field("status", ("status", "keadaan")),
    Field("withdrawn_on", ("tanggal_ditarik", "tgl_ditarik", "tanggal_dicabut",
                           "withdrawn_on"), kind="date"),
]

_COMPARED = ("type", "title", "clause", "unit", "issued_on", "review_months",
             "review_due_on", "drafted_on", "approved_by", "approved_on", "distribution",
             "status", "withdrawn_on")


def _import_convert(convert: _Convert, b: RowBuilder) -> dict[str, Any] | None:
    if b.raw("number") is None:
        b.fail("number", "is empty")
    if b.raw("type") is None:
        b.fail("type", "is empty")
    if b.raw("clause") is None:
        b.fail("clause", "is empty")
    return convert(b)


def _import_key(record: dict[str, Any]) -> tuple[str, str]:
    return (record["number"].casefold(), record["revision"])


def _write_documents(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
    """Insert new revisions, update changed ones; refuse a revision older than the one in
    force, and a second revision in force of one number."""
    numbers = sorted({r["number"].casefold() for r in batch})
    stored: dict[tuple[str, str], dict[str, Any]] = {}
    for i in range(0, len(numbers), 500):
        chunk = numbers[i:i + 500]
        for row in query_dicts(db, "SELECT * FROM documents WHERE lower(number) IN "
                                   f"({', '.join('?' for _ in chunk)})", chunk):
            stored[(row["number"].casefold(), row["revision"])] = row
    in_force = {key[0]: row for key, row in stored.items() if row["status"] == "in_force"}
    latest: dict[str, str] = {}
    for (number, revision) in stored:
        if number not in latest or revision_order(revision) > revision_order(latest[number]):
            latest[number] = revision
    refused: dict[Any, tuple[str, str]] = {}
    plan: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = []
    for record in batch:
        key = _import_key(record)
        number = key[0]
        old = stored.get(key)
        if record["status"] == "in_force":
            current = in_force.get(number)
            if current is not None and current["revision"] != record["revision"]:
                if current.get("_in_file"):
                    refused[key] = ("status", f"{record['number']} has revision "
                                    f"{current['revision']} in force earlier in the file; "
                                    "one revision is in force at a time")
                    continue
                if revision_order(record["revision"]) < revision_order(current["revision"]):
                    refused[key] = ("revision", f"revision {record['revision']} of "
                                    f"{record['number']} goes back: revision "
                                    f"{current['revision']} is in force")
                    continue
                if record["issued_on"] < current["issued_on"]:
                    refused[key] = ("issued_on", f"{record['issued_on']} is before revision "
                                    f"{current['revision']} in force was issued "
                                    f"({current['issued_on']})")
                    continue
            in_force[number] = {**record, "_in_file": True}
            if current is not None and current["revision"] != record["revision"]:
                plan.append(("supersede", current, record))
        elif old is None and number in latest and record["status"] == "draft" and \
                revision_order(record["revision"]) < revision_order(latest[number]):
            refused[key] = ("revision", f"the draft revision {record['revision']} of "
                            f"{record['number']} is older than revision {latest[number]}")
            continue
        plan.append(("write", old, record))
    if refused:
        raise RowsRefused(refused)
    inserted = updated = unchanged = 0
    for action, old, record in plan:
        if action == "supersede":
            assert old is not None  # the revision in force it supersedes
            db.table("documents").update(old["id"], {
                "status": "obsolete", "withdrawn_on": record["issued_on"]})
        elif old is None:
            db.table("documents").insert(record)
            inserted += 1
        elif all(old.get(c) == record[c] for c in _COMPARED):
            unchanged += 1
        else:
            db.table("documents").update(old["id"], {c: record[c] for c in _COMPARED})
            updated += 1
    return inserted, updated, unchanged


def import_documents(db: sqlite_utils.Database, path: Path, **options) -> ImportReport:
    """Import the master list (daftar induk dokumen) an office keeps in a spreadsheet:
    one row per document revision, keyed by number and revision."""
    convert = _Convert(db, office_today(db))
    return run_import(db, path, fields=IMPORT_FIELDS,
                      convert=lambda b: _import_convert(convert, b),
                      write_batch=_write_documents, key=_import_key, **options)
