"""The auditor's evidence bundle: a BagIt 1.0 bag (RFC 8493) of the records of one period.

``export_bundle`` writes every register of the period as CSV and JSON (and all of them in
``registers/registers.xlsx``), the audit reports, the management review pack of the
period, the frozen checklists of the period's audits, the evidence files the exported
rows refer to, the slice of the change log sealed in the period, and an ``index.html``
for the auditor (the report templates' style and language); the ``bagit`` package then
adds the manifests and ``bag-info.txt`` (with ``External-Identifier``, the office and the
period, and ``Contact-Name`` / ``Contact-Email`` / ``Organization-Address`` from the
settings, RFC 8493 2.2.2). ``bagit`` declares its bags 0.97, so ``bagit.txt`` is written
again as 1.0 and the tag manifests saved again over it. Rows stream from SQLite
straight to the files, in a fixed order and without timestamps, so exporting the same
data twice gives byte-identical payload files. The bag is built in a temporary directory
beside the target and renamed into place (a ``.zip`` is written to a temporary name and
renamed), so an interrupted export leaves nothing half-made.

``--redact`` replaces requesters' and complainants' personal data by stable pseudonyms:
an HMAC-SHA256 of the value under a per-database secret, kept in a file beside the
database (``qmstrack.secret_key``), so one person keeps one pseudonym across exports.

The registers, their order, their period rule and their personal data are declared in
:mod:`qmstrack.register_catalogue`; the index's labels are catalogue messages.
:mod:`qmstrack.verify` checks a bundle.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

import sqlite_utils

from qmstrack.atomic import atomic_write
from qmstrack.clock import office_today
from qmstrack.db import SECRET_SETTINGS as SECRET_SETTINGS_OF_DB
from qmstrack.errors import Conflict, InvalidInput, NotFound, QmsError
from qmstrack.evidence import sanitise_name
from qmstrack.i18n import NC_
from qmstrack.register_catalogue import Register, exported_registers, personal_columns
from qmstrack.verify import bag_fingerprint, quiet_bagit

STANDARD = "ISO 9001:2015"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# Personal data replaced by pseudonyms with --redact: table -> column -> prefix.
REDACT = personal_columns()
# Never exported, not even in the change-log slice (qmstrack.db.SECRET_SETTINGS).
SECRET_SETTINGS = SECRET_SETTINGS_OF_DB


# --- pseudonyms ------------------------------------------------------------------------


def pseudonym_secret(db: sqlite_utils.Database) -> str:
    """The database's pseudonym key, kept beside the database file (``qmstrack.secret_key``)
    and created on first use."""
    from qmstrack.secret_key import key_path, new_key, read_key, store_key

    path = key_path(database_file(db))
    return read_key(path) or store_key(path, new_key())


def database_file(db: sqlite_utils.Database) -> Path:
    """The file of the connection's main database."""
    for _seq, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    raise InvalidInput("An export with --redact needs a database file.")


class Pseudonymiser:
    """``Pemohon-3f9a1c2b``: the same value (case and spacing aside) always maps the same."""

    def __init__(self, secret: str):
        self.key = secret.encode("utf-8")

    def __call__(self, value: Any, prefix: str) -> Any:
        if value is None or not str(value).strip():
            return value
        normal = " ".join(str(value).split()).casefold()
        digest = hmac.digest(self.key, normal.encode("utf-8"), "sha256")
        return f"{prefix}-{digest[:4].hex()}"

    def row(self, table: str, record: dict[str, Any]) -> dict[str, Any]:
        for column, prefix in REDACT.get(table, {}).items():
            if column in record:
                record[column] = self(record[column], prefix)
        return record


# --- what goes into the bag ------------------------------------------------------------


@dataclass
class Selection:
    """The rows of one register that belong to the bundle: a filter and an order."""

    name: str
    title: str
    table: str
    where: str = "1"
    params: list[Any] = field(default_factory=list)
    order: str = "rowid"
    exclude: tuple[str, ...] = ()
    # Column holding an evidence file's SHA-256.
    evidence: str | None = None


def _units_sql(column: str, units: tuple[str, ...], nullable: bool = False
               ) -> tuple[str, list[Any]]:
    if not units:
        return "1", []
    marks = ", ".join("?" for _ in units)
    sql = f"{column} IN ({marks})"
    if nullable:
        sql = f"({column} IS NULL OR {sql})"
    return sql, list(units)


def _where(reg: Register, start: date, end: date, units: tuple[str, ...],
           chosen: dict[str, Selection]) -> tuple[str, list[Any]]:
    """The SQL condition picking the rows of ``reg`` for the period and units (the
    ``select`` rule of its declaration)."""
    s, e = start.isoformat(), end.isoformat()
    u, up = (_units_sql(reg.unit_column, units, reg.unit_nullable) if reg.unit_column
             else ("1", []))
    d, c = reg.date_column, reg.closed_column
    where: str
    params: list[Any]
    if reg.select == "scope":
        return u, up
    if reg.select == "in_period":
        where, params = f"{d} BETWEEN ? AND ?", [s, e]
    elif reg.select == "open_in_period":
        # Received in the period, or received before it and still open when it started.
        where, params = f"{d} <= ? AND ({d} >= ? OR {c} IS NULL OR {c} >= ?)", [e, s, s]
    elif reg.select == "in_force":
        where, params = f"({c} IS NULL OR {c} > ?)", [e]
    elif reg.select == "years":
        where, params = f"{d} BETWEEN ? AND ?", [start.year, end.year]
    elif reg.select == "overlapping":
        where, params = f"{d} <= ? AND {reg.end_column} >= ?", [e, s]
        if units and reg.units_json_column:
            where += (f" AND (NOT json_valid({reg.units_json_column}) OR EXISTS (SELECT 1 "
                      f"FROM json_each({reg.units_json_column}) WHERE value IN "
                      f"({', '.join('?' for _ in units)})))")
            params += list(units)
    else:  # child
        parent = chosen[str(reg.parent)]
        return (f"{reg.parent_key} IN (SELECT {reg.parent_column} FROM {parent.table} "
                f"WHERE {parent.where})",
                list(parent.params))
    if reg.unit_column:
        where, params = f"{where} AND {u}", [*params, *up]
    return where, params


def registers(start: date, end: date, units: tuple[str, ...], lang: str = "en"
              ) -> list[Selection]:
    """The registers of a period and scope, each as a table, a filter and an order."""
    chosen: dict[str, Selection] = {}
    for reg in exported_registers():
        where, params = _where(reg, start, end, units, chosen)
        chosen[reg.name] = Selection(reg.name, reg.title(lang), reg.name, where, params,
                                     reg.order, reg.not_exported, reg.evidence_column)
    return list(chosen.values())


INDEX_LABELS: dict[str, str] = {
    "title": NC_("bundle", "QMS evidence bundle"),
    "organisation": NC_("bundle", "Organisation"),
    "period": NC_("bundle", "Period"),
    "scope": NC_("bundle", "Scope (units)"),
    "standard": NC_("bundle", "Standard"),
    "tool": NC_("bundle", "Produced by"),
    "redacted": NC_("bundle", "Personal data redacted"),
    "yes": NC_("bundle", "yes"),
    "no": NC_("bundle", "no"),
    "how_to_verify": NC_("bundle", "Check that nothing was changed, added or removed with"),
    "redaction_note": NC_(
        "bundle",
        "Names and contacts of requesters and complainants, and complaint "
        "subjects and responses, are replaced by stable pseudonyms (the same "
        "person has the same pseudonym in every export)."),
    "registers": NC_("bundle", "Registers"),
    "register": NC_("bundle", "Register"),
    "rows": NC_("bundle", "Rows"),
    "workbook": NC_("bundle", "Every register in one workbook (a sheet each)"),
    "documents": NC_("bundle", "Documented information"),
    "type": NC_("bundle", "Type"),
    "doc_title": NC_("bundle", "Title"),
    "clause": NC_("bundle", "Clause"),
    "unit": NC_("bundle", "Unit"),
    "issued": NC_("bundle", "Issued"),
    "review_due": NC_("bundle", "Review due"),
    "stale": NC_("bundle", "review overdue"),
    "file": NC_("bundle", "File"),
    "none": NC_("bundle", "None."),
    "reports": NC_("bundle", "Audit reports"),
    "audit": NC_("bundle", "Audit"),
    "status": NC_("bundle", "Status"),
    "checklists": NC_("bundle", "Checklists used by the audits"),
    "checklist": NC_("bundle", "Checklist"),
    "version": NC_("bundle", "Version"),
    "evidence": NC_("bundle", "Evidence files"),
    "original_name": NC_("bundle", "Original name"),
    "media_type": NC_("bundle", "Media type"),
    "bytes": NC_("bundle", "Bytes"),
    "changelog": NC_("bundle", "Change log"),
    "changelog_note": NC_(
        "bundle",
        "Every change qmstrack recorded and sealed from the start of the period "
        "up to this export (times in UTC). Each seal's SHA-256 chains the "
        "previous seal with the entries it covers."),
    "seals": NC_("bundle", "Seals"),
    "entries": NC_("bundle", "Entries"),
    "last_seal": NC_("bundle", "Last seal (SHA-256)"),
    "review_packs": NC_("bundle", "Management review pack of the period"),
    "contact": NC_("bundle", "Contact"),
    "identifier": NC_("bundle", "Identifier"),
}

# The document types of the documents register (qmstrack.registers.documents.TYPES).
DOCUMENT_TYPE_LABELS: dict[str, str] = {
    "policy": NC_("document type", "Quality policy"),
    "objectives": NC_("document type", "Quality objectives"),
    "sop": NC_("document type", "SOP"),
    "procedure": NC_("document type", "Procedure"),
    "form": NC_("document type", "Form"),
    "record": NC_("document type", "Record"),
    "review-minutes": NC_("document type", "Management review minutes"),
    "training": NC_("document type", "Training"),
    "other": NC_("document type", "Other"),
}


def index_labels(lang: str) -> dict[str, str]:
    """The words of ``index.html`` in a language."""
    from qmstrack.i18n import pgettext

    return {key: pgettext("bundle", message, lang) for key, message in INDEX_LABELS.items()}


@dataclass
class ExportResult:
    path: Path
    files: int
    bytes: int
    counts: dict[str, int]
    evidence_files: int
    changelog_entries: int
    redacted: bool
    # SHA-256 of tagmanifest-sha256.txt: names this exact bag (hand it over separately).
    fingerprint: str


# --- writing the payload ---------------------------------------------------------------


def _safe_join(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that would land outside ``root``."""
    parts = relative.split("/")
    if relative.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise InvalidInput(f"Refusing the unsafe file name {relative!r} in the bundle.")
    for p in parts:
        if not re.fullmatch(r"[A-Za-z0-9._-]+", p):
            raise InvalidInput(f"Refusing the unsafe file name {relative!r} in the bundle.")
    path = root.joinpath(*parts)
    if not path.resolve().is_relative_to(root.resolve()):
        raise InvalidInput(f"Refusing the unsafe file name {relative!r} in the bundle.")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot serialise {type(value).__name__}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _dumps(record: Any) -> str:
    """Compact JSON, the same form SQLite's json_object() writes."""
    return _ENCODER.encode(record)


def _columns(db: sqlite_utils.Database, table: str, exclude: tuple[str, ...]) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info([{table}])").fetchall()
            if r[1] not in exclude]


PSEUDONYM_SQL = "qms_pseudonym"
BUFFER = 1024 * 1024


def _value_sql(table: str, column: str, pseudo: Pseudonymiser | None) -> str:
    """The column, or (with --redact) its pseudonym computed inside the query."""
    prefix = REDACT.get(table, {}).get(column) if pseudo is not None else None
    if prefix is None:
        return f"t.[{column}]"
    return f"{PSEUDONYM_SQL}(t.[{column}], '{prefix}')"


def _write_register(db: sqlite_utils.Database, root: Path, reg: Selection,
                    pseudo: Pseudonymiser | None) -> int:
    """Stream one register to ``registers/NAME.csv`` and ``registers/NAME.json``.

    SQLite builds each JSON object (and, with --redact, the pseudonyms), so every row
    is written as it is read, with little work in Python.
    """
    from qmstrack.csvsafe import spreadsheet_safe

    columns = _columns(db, reg.table, reg.exclude)
    values = [_value_sql(reg.table, c, pseudo) for c in columns]
    as_json = "json_object(" + ", ".join(
        f"'{c}', {v}" for c, v in zip(columns, values, strict=True)) + ")"
    cursor = db.conn.execute(
        f"SELECT {', '.join(values)}, {as_json} FROM [{reg.table}] AS t "
        f"WHERE {reg.where} ORDER BY {reg.order}",
        reg.params)
    csv_path = _safe_join(root, f"registers/{reg.name}.csv")
    json_path = _safe_join(root, f"registers/{reg.name}.json")
    count = 0
    width = len(columns)
    with open(csv_path, "w", encoding="utf-8", newline="", buffering=BUFFER) as c, \
            open(json_path, "w", encoding="utf-8", newline="\n", buffering=BUFFER) as j:
        # The BOM lets Excel (the auditor's usual tool) read the CSV as UTF-8.
        c.write("\ufeff")
        writer = csv.writer(c, lineterminator="\r\n")
        writer.writerow(columns)
        j.write("[")
        for row in cursor:
            writer.writerow([
                spreadsheet_safe(v) if v.__class__ is str else ("" if v is None else v)
                for v in row[:width]
            ])
            j.write(("\n" if count == 0 else ",\n") + row[width])
            count += 1
        j.write("\n]\n" if count else "]\n")
    return count


def _evidence_rows(db: sqlite_utils.Database, regs: list[Selection]) -> Iterator[tuple]:
    """Evidence files referred to by the exported rows, ordered by SHA-256 (streamed)."""
    parts, params = [], []
    for reg in regs:
        if reg.evidence:
            parts.append(f"SELECT [{reg.evidence}] FROM [{reg.table}] WHERE {reg.where}")
            params.extend(reg.params)
    sql = ("SELECT sha256, size, original_name, media_type, stored_at FROM evidence_files "
           f"WHERE sha256 IN ({' UNION '.join(parts)}) ORDER BY sha256")
    yield from db.conn.execute(sql, params)


def _write_evidence(db: sqlite_utils.Database, db_path: Path, root: Path,
                    regs: list[Selection]) -> list[dict[str, Any]]:
    from qmstrack.evidence import check_sha, copy_verified

    listed: list[dict[str, Any]] = []
    meta_csv = _safe_join(root, "registers/evidence_files.csv")
    meta_json = _safe_join(root, "registers/evidence_files.json")
    columns = ["sha256", "size", "original_name", "media_type", "stored_at", "file"]
    from qmstrack.csvsafe import spreadsheet_safe

    with open(meta_csv, "w", encoding="utf-8-sig", newline="") as c, \
            open(meta_json, "w", encoding="utf-8", newline="\n") as j:
        writer = csv.writer(c, lineterminator="\r\n")
        writer.writerow(columns)
        j.write("[")
        for sha, size, original, media, stored_at in _evidence_rows(db, regs):
            sha = check_sha(sha)
            name = sanitise_name(original)
            relative = f"evidence/{sha}-{name}"
            copy_verified(db_path, sha, _safe_join(root, relative))
            record = {"sha256": sha, "size": size, "original_name": name,
                      "media_type": media, "stored_at": stored_at, "file": relative}
            writer.writerow([spreadsheet_safe("" if v is None else v)
                             for v in record.values()])
            j.write(("\n" if not listed else ",\n") + _dumps(record))
            listed.append({"file": relative, "original_name": name, "media_type": media,
                           "size": size})
        j.write("\n]\n" if listed else "]\n")
    return listed


def _write_checklists(db: sqlite_utils.Database, root: Path,
                      audits: Selection) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for cid, version, sha in db.conn.execute(
        "SELECT DISTINCT checklist_id, checklist_version, checklist_sha256 FROM audits "
        f"WHERE {audits.where} ORDER BY checklist_id, checklist_version, checklist_sha256",
        audits.params,
    ).fetchall():
        text = db.conn.execute(
            "SELECT checklist_yaml FROM audits WHERE checklist_id = ? AND "
            "checklist_version = ? AND checklist_sha256 = ? ORDER BY id LIMIT 1",
            [cid, version, sha]).fetchone()[0] or ""
        sha_text = str(sha or "").lower()
        if not re.fullmatch(r"[0-9a-f]{8,}", sha_text):
            sha_text = hashlib.sha256(text.encode("utf-8")).hexdigest()
        try:
            version_text = str(int(version))
        except (TypeError, ValueError):
            version_text = sanitise_name(version, "0")
        relative = (f"checklists/{sanitise_name(cid, 'checklist')}-v{version_text}-"
                    f"{sha_text[:8]}.yaml")
        if relative in seen:
            continue
        seen.add(relative)
        with open(_safe_join(root, relative), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        out.append({"id": cid, "version": version, "sha256": sha, "file": relative})
    return out


def _write_reports(db: sqlite_utils.Database, root: Path, audits: Selection, lang: str,
                   end: date) -> list[dict[str, Any]]:
    """The report of every audit in the bundle, in Markdown and HTML.

    A report is dated by its audit's finalization, or by the end of the exported period
    for an audit still open, so exporting the same data again gives the same files.
    """
    from qmstrack.audit_report import build_audit_context, render_audit_report
    from qmstrack.i18n import translations
    from qmstrack.integrity import template_dir_setting
    from qmstrack.labels import AUDIT_STATUS_LABELS, label

    gettext = translations(lang).gettext
    template_dir = template_dir_setting(db)
    out: list[dict[str, Any]] = []
    for audit_id, period_start, period_end, status, finalized_on in db.conn.execute(
        "SELECT id, period_start, period_end, status, finalized_on FROM audits "
        f"WHERE {audits.where} ORDER BY period_start, id", audits.params,
    ).fetchall():
        dated = date.fromisoformat(finalized_on) if finalized_on else end
        context = build_audit_context(db, audit_id, lang, today=dated)
        entry: dict[str, Any] = {"id": audit_id, "period_start": period_start,
                                 "period_end": period_end,
                                 "status": label(AUDIT_STATUS_LABELS, status, gettext)}
        for fmt in ("md", "html"):
            relative = (f"reports/audit-{int(audit_id)}-"
                        f"{sanitise_name(str(period_start)[:7], 'period')}-{lang}.{fmt}")
            text = render_audit_report(db, audit_id, fmt, lang, template_dir,
                                       context=context)
            assert isinstance(text, str)
            with open(_safe_join(root, relative), "w", encoding="utf-8", newline="") as f:
                f.write(text)
            entry[fmt] = relative
        out.append(entry)
    return out


def _write_review_pack(db: sqlite_utils.Database, root: Path, start: date, end: date,
                       lang: str, today: date) -> list[dict[str, Any]]:
    """The management review pack of the exported period (cut at today, as
    ``review pack`` cuts it), in Markdown and HTML, dated by the period's end."""
    from qmstrack.periods import Period
    from qmstrack.review_pack import build_pack_context, pack_filename, render_pack

    if start > today:
        return []
    period = Period(start, min(end, today))
    context = build_pack_context(db, period, lang, today=period.end)
    entry: dict[str, Any] = {"period_start": period.start.isoformat(),
                             "period_end": period.end.isoformat()}
    for fmt in ("md", "html"):
        relative = f"reports/{pack_filename(period, fmt, lang)}"
        text = render_pack(context, fmt)
        assert isinstance(text, str)
        with open(_safe_join(root, relative), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        entry[fmt] = relative
    return [entry]


def _redact_log_value(table: str, text: str | None, pseudo: Pseudonymiser | None
                      ) -> tuple[str | None, bool]:
    """The stored JSON of a change-log entry, with secrets and (with --redact) personal
    data replaced. Returns the text and whether it was changed."""
    if text is None:
        return None, False
    secret = table == "settings" and any(k in text for k in SECRET_SETTINGS)
    personal = pseudo is not None and table in REDACT
    if not (secret or personal):
        return text, False
    try:
        value = json.loads(text)
    except ValueError:
        return "(withheld)", True
    if not isinstance(value, dict):
        return "(withheld)", True
    if secret and value.get("key") in SECRET_SETTINGS:
        value["value"] = "(withheld)"
    if personal and pseudo is not None:
        pseudo.row(table, value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")), True


def _write_changelog(db: sqlite_utils.Database, root: Path, start: date, end: date,
                     pseudo: Pseudonymiser | None) -> dict[str, Any]:
    """The seals made from the start of the period up to the export (UTC dates), and the
    entries they cover, as JSON lines: records of the period are often typed in or
    corrected after it ends, and the auditor must see those changes too.

    Without --redact, ``old`` and ``new`` are the exact stored texts, so the auditor can
    recompute each seal's SHA-256 (``qmstrack.changelog``: the entries' hash, then the
    hash of every field of the seal; ``docs/tamper-evidence.md``). A bulk import is one
    ``import`` entry (file, SHA-256, counts, keys).
    """
    window = [start.isoformat(), "9999-12-31"]
    seals_path = _safe_join(root, "changelog/seals.jsonl")
    entries_path = _safe_join(root, "changelog/entries.jsonl")
    n_seals = n_entries = 0
    last_sha = None
    seal_sql = ("SELECT id, at, command, first_id, last_id, prev_sha256, sha256, version, "
                "user, entries_sha256, schema_sha256, state_sha256, history_sha256 "
                "FROM change_seals WHERE at >= ? AND at < ? ORDER BY id")
    names = ("id", "at", "command", "first_id", "last_id", "prev_sha256", "sha256", "version",
             "user", "entries_sha256", "schema_sha256", "state_sha256", "history_sha256")
    with open(seals_path, "w", encoding="utf-8", newline="\n", buffering=BUFFER) as sf:
        for row in db.conn.execute(seal_sql, window):
            # Every field a seal's SHA-256 covers (``qmstrack.changelog.seal_hash``).
            sf.write(_dumps(dict(zip(names, row, strict=True))) + "\n")
            n_seals += 1
            last_sha = row[6]
    lo, hi = db.conn.execute("SELECT min(first_id), max(last_id) FROM change_seals "
                             "WHERE at >= ? AND at < ?", window).fetchone()
    with open(entries_path, "w", encoding="utf-8", newline="\n", buffering=BUFFER) as ef:
        if lo is not None:
            # Both streams in id order: one pass pairs every entry with its seal.
            seals = db.conn.execute(seal_sql, window)
            seal = seals.fetchone()
            for entry_id, tbl, row_key, op, old, new in db.conn.execute(
                "SELECT id, tbl, row_key, op, old, new FROM change_log "
                "WHERE id BETWEEN ? AND ? ORDER BY id", [lo, hi],
            ):
                while seal is not None and entry_id > seal[4]:
                    seal = seals.fetchone()
                if seal is None:
                    break
                if entry_id < seal[3]:
                    continue  # sealed outside the period, or not sealed at all
                old, old_changed = _redact_log_value(tbl, old, pseudo)
                new, new_changed = _redact_log_value(tbl, new, pseudo)
                record = {"id": entry_id, "seal": seal[0], "table": tbl, "key": row_key,
                          "op": op, "old": old, "new": new}
                if old_changed or new_changed:
                    record["redacted"] = True
                ef.write(_dumps(record) + "\n")
                n_entries += 1
    return {"seals": n_seals, "entries": n_entries, "last_sha256": last_sha,
            "seals_file": "changelog/seals.jsonl", "entries_file": "changelog/entries.jsonl"}


def _documents_for_index(db: sqlite_utils.Database, docs: Selection, end: date,
                         lang: str) -> list[dict[str, Any]]:
    from qmstrack.i18n import pgettext

    out = []
    for row in db.conn.execute(
        "SELECT d.id, d.type, d.title, d.clause, d.unit, d.issued_on, d.review_due_on, "
        "d.file_sha256, e.original_name FROM documents AS d "
        "LEFT JOIN evidence_files AS e ON e.sha256 = d.file_sha256 "
        f"WHERE d.id IN (SELECT id FROM documents WHERE {docs.where}) ORDER BY d.id",
        docs.params,
    ):
        doc_id, kind, title, clause, unit, issued, due, sha, original = row
        file = None
        if sha and original is not None:
            file = f"evidence/{sha}-{sanitise_name(original)}"
        type_label = (pgettext("document type", DOCUMENT_TYPE_LABELS[kind], lang)
                      if kind in DOCUMENT_TYPE_LABELS else kind)
        out.append({"id": doc_id, "type": type_label, "title": title, "clause": clause,
                    "unit": unit, "issued_on": issued, "review_due_on": due,
                    "stale": bool(due and due < end.isoformat()), "file": file,
                    "file_name": sanitise_name(original) if original else ""})
    return out


def _render_index(root: Path, context: dict[str, Any]) -> None:
    """``index.html`` in the style and language of the reports (the report templates'
    environment: autoescape, StrictUndefined, the catalogue)."""
    from qmstrack.reports import render_template

    html = render_template("bundle_index.html.j2", context["lang"], None, context)
    with open(_safe_join(root, "index.html"), "w", encoding="utf-8", newline="\n") as f:
        f.write(html)


# --- the export ------------------------------------------------------------------------


def _check_target(out: Path, force: bool, db_path: Path) -> bool:
    """Validate the target; return whether it is a zip."""
    is_zip = out.suffix.lower() == ".zip"
    if not out.parent.is_dir():
        raise NotFound(f"The folder {out.parent} does not exist; create it first.")
    if out.resolve() == Path(db_path).resolve():
        raise InvalidInput(f"{out} is the database itself; choose another target.")
    if out.exists() or out.is_symlink():
        if not force:
            raise Conflict(f"{out} already exists; pass --force to replace it.")
        if out.is_symlink():
            raise Conflict(f"{out} is a symbolic link; refusing to replace it.")
        if is_zip and not out.is_file():
            raise Conflict(f"{out} is not a file; refusing to replace it.")
        if not is_zip and not (out.is_dir() and (out / "bagit.txt").is_file()):
            raise Conflict(f"{out} exists and is not a bundle folder (no bagit.txt); "
                           "refusing to replace it.")
    return is_zip


def export_bundle(db: sqlite_utils.Database, db_path: str | os.PathLike, *, start: date,
                  end: date, out: str | os.PathLike, units: tuple[str, ...] = (),
                  redact: bool = False, force: bool = False, lang: str = "id",
                  today: date | None = None) -> ExportResult:
    """Write the evidence bundle of [start, end] to ``out`` (a folder, or a ``.zip``)."""
    import bagit

    from qmstrack import __version__
    from qmstrack.db import get_setting
    from qmstrack.i18n import SOURCE_LANGUAGE, languages
    from qmstrack.periods import Period
    from qmstrack.registers.common import known_units, require_units

    Period(start, end)
    db_path = Path(db_path)
    out = Path(out).expanduser()
    is_zip = _check_target(out, force, db_path)
    units = require_units(db, units)
    pseudo = Pseudonymiser(pseudonym_secret(db)) if redact else None
    lang = lang if lang in languages() else SOURCE_LANGUAGE
    words = index_labels(lang)

    try:
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial",
                                     dir=out.parent))
    except OSError as exc:
        raise QmsError(f"Cannot write in {out.parent}: {exc.strerror or exc}.") from exc
    try:
        bag_dir = work / "bag"
        bag_dir.mkdir(mode=0o700)
        counts: dict[str, int] = {}
        if pseudo is not None:
            db.conn.create_function(PSEUDONYM_SQL, 2, pseudo, deterministic=True)
        # One read snapshot: a bundle never mixes data from before and after a write.
        began = not db.conn.in_transaction
        if began:
            db.execute("BEGIN")
        try:
            org = str(get_setting(db, "org_name") or "")
            scope = list(units) or known_units(db)
            regs = registers(start, end, units, lang)
            for reg in regs:
                counts[reg.name] = _write_register(db, bag_dir, reg, pseudo)
            from qmstrack.register_workbook import write_registers_workbook

            write_registers_workbook(
                _safe_join(bag_dir, "registers"), [(r.name, r.title) for r in regs],
                lang=lang, columns={r.name: _columns(db, r.table, r.exclude) for r in regs})
            evidence = _write_evidence(db, db_path, bag_dir, regs)
            counts["evidence_files"] = len(evidence)
            by_name = {r.name: r for r in regs}
            checklists = _write_checklists(db, bag_dir, by_name["audits"])
            reports = _write_reports(db, bag_dir, by_name["audits"], lang, end)
            changelog = _write_changelog(db, bag_dir, start, end, pseudo)
            documents = _documents_for_index(db, by_name["documents"], end, lang)
            review_packs = _write_review_pack(db, bag_dir, start, end, lang,
                                              today or office_today(db))
        finally:
            if began and db.conn.in_transaction:
                db.execute("ROLLBACK")
        contact_name = str(get_setting(db, "contact_name") or "")
        contact_email = str(get_setting(db, "contact_email") or "")
        address = str(get_setting(db, "org_address") or "")
        identifier = f"{org or 'qmstrack'} {start.isoformat()}/{end.isoformat()}" + (
            f" ({', '.join(units)})" if units else "")
        contact = ", ".join(x for x in (contact_name, contact_email) if x)
        titles = {r.name: r.title for r in regs}
        titles["evidence_files"] = words["evidence"]
        _render_index(bag_dir, {
            "lang": lang, "t": words, "org": org or "-",
            "period_start": start.isoformat(), "period_end": end.isoformat(),
            "scope": scope, "standard": STANDARD, "tool": f"qmstrack {__version__}",
            "redacted": redact,
            "registers": [{"title": titles[name], "rows": n,
                           "csv": f"registers/{name}.csv", "json": f"registers/{name}.json"}
                          for name, n in counts.items()],
            "documents": documents, "checklists": checklists, "evidence": evidence,
            "reports": reports, "review_packs": review_packs,
            "changelog": changelog,
            "identifier": identifier, "contact": contact,
        })
        info = {
            "Source-Organization": org or "(organisation not configured)",
            "External-Description": (
                f"{STANDARD} quality management system records of "
                f"{org or 'the organisation'} for {start.isoformat()} to {end.isoformat()}"
                f" (scope: {', '.join(scope) or 'all units'})"
                + ("; personal data redacted" if redact else "")),
            "Bagging-Date": (today or office_today(db)).isoformat(),
            "QMS-Period-Start": start.isoformat(),
            "QMS-Period-End": end.isoformat(),
            "QMS-Scope": ", ".join(scope) or "all units",
            "QMS-Standard": STANDARD,
            "QMS-Tool": f"qmstrack {__version__}",
            "QMS-Redacted": "yes" if redact else "no",
            # RFC 8493 2.2.2: the office and the period, which name this bundle.
            "External-Identifier": identifier,
        }
        if address:
            info["Organization-Address"] = address
        if contact_name:
            info["Contact-Name"] = contact_name
        if contact_email:
            info["Contact-Email"] = contact_email
        with quiet_bagit():
            bagit.make_bag(str(bag_dir), info, checksums=["sha256"])
            _declare_bagit_1_0(bag_dir)
        oxum = bagit.Bag(str(bag_dir)).info.get("Payload-Oxum", "0.0")
        fingerprint = bag_fingerprint(bag_dir)
        total_bytes, total_files = (int(x) for x in oxum.split(".", 1))
        if is_zip:
            with atomic_write(out, binary=True) as raw:
                _write_zip(bag_dir, raw, sanitise_name(out.stem, "bundle"))
        else:
            if out.exists():
                os.rename(out, work / "replaced")
            os.rename(bag_dir, out)
    except (OSError, bagit.BagError) as exc:
        raise QmsError(f"The bundle could not be written to {out}: "
                       f"{getattr(exc, 'strerror', None) or exc}.") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ExportResult(out, total_files, total_bytes, counts, len(evidence),
                        changelog["entries"], redact, fingerprint)


def _declare_bagit_1_0(bag_dir: Path) -> None:
    """``bagit`` writes ``BagIt-Version: 0.97``; the bundle is RFC 8493's 1.0 (the same
    layout, checksums and tag files), so ``bagit.txt`` is written as 1.0 and the tag
    manifests, which cover it, are saved again."""
    import bagit

    with open(bag_dir / "bagit.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    bagit.Bag(str(bag_dir)).save(manifests=False)


def _write_zip(bag_dir: Path, raw: IO[bytes], top: str) -> None:
    """A deterministic zip: entries sorted, fixed dates and permissions, under ``top/``."""
    files = []
    for dirpath, dirnames, filenames in os.walk(bag_dir):
        dirnames.sort()
        for name in filenames:
            full = Path(dirpath) / name
            files.append((full.relative_to(bag_dir).as_posix(), full))
    files.sort()
    # ``raw`` is an atomic write's file, readable by its owner only like the database: the
    # bundle holds personal data.
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for relative, full in files:
            info = zipfile.ZipInfo(f"{top}/{relative}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (0o100644 & 0xFFFF) << 16
            info.file_size = full.stat().st_size
            with open(full, "rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
