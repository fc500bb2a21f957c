"""The auditor's evidence bundle: a BagIt bag (RFC 8493) of one period, and its verification.

``export_bundle`` writes every register of the period as CSV and JSON, the frozen
checklists of the period's audits, the evidence files the exported rows refer to, the
slice of the change log sealed in the period, and an ``index.html`` for the auditor; the
``bagit`` package then adds the manifests and ``bag-info.txt``. Rows stream from SQLite
straight to the files, in a fixed order and without timestamps, so exporting the same
data twice gives byte-identical payload files. The bag is built in a temporary directory
beside the target and renamed into place (a ``.zip`` is written to a temporary name and
renamed), so an interrupted export leaves nothing half-made.

``--redact`` replaces requesters' and complainants' personal data by stable pseudonyms:
an HMAC-SHA256 of the value under a per-database secret (settings key
``pseudonym_secret``), so one person keeps one pseudonym across exports.

``verify_bundle`` checks a bag directory or zip with the ``bagit`` package and names every
missing, extra or altered file.
"""

from __future__ import annotations

import contextlib
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
from qmstrack.errors import Conflict, IntegrityFailure, InvalidInput, NotFound, QmsError
from qmstrack.evidence import sanitise_name

STANDARD = "ISO 9001:2015"
SECRET_KEY = "pseudonym_secret"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MAX_EXTRACT_BYTES = 20 * 1024 ** 3
MAX_EXTRACT_ENTRIES = 1_000_000

# Personal data replaced by pseudonyms with --redact: table -> column -> prefix.
REDACT = {
    "requests": {"requester": "Pemohon", "contact": "Kontak"},
    "complaints": {"complainant": "Pengadu", "contact": "Kontak", "subject": "Perihal",
                   "response": "Tanggapan"},
}
# Never exported, not even in the change-log slice.
SECRET_SETTINGS = {SECRET_KEY}


# --- pseudonyms ------------------------------------------------------------------------


def pseudonym_secret(db: sqlite_utils.Database) -> str:
    """The database's pseudonym key, created (and logged) on first use."""
    import secrets

    from qmstrack.db import get_setting, set_setting, writing

    secret = get_setting(db, SECRET_KEY)
    if not secret:
        with writing(db, "export --redact (pseudonym key created)"):
            secret = get_setting(db, SECRET_KEY)
            if not secret:
                secret = secrets.token_hex(32)
                set_setting(db, SECRET_KEY, secret)
    return str(secret)


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
class Register:
    name: str
    title: dict[str, str]
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


def registers(start: date, end: date, units: tuple[str, ...]) -> list[Register]:
    """The registers of a period and scope, each as a table, a filter and an order."""
    s, e = start.isoformat(), end.isoformat()
    u, up = _units_sql("unit", units)
    un, unp = _units_sql("unit", units, nullable=True)
    # Received in the period, or received before it and still open when it started.
    req_where = (f"received_on <= ? AND (received_on >= ? OR closed_on IS NULL "
                 f"OR closed_on >= ?) AND {u}")
    req_params = [e, s, s, *up]
    complaint_where = (f"received_on <= ? AND (received_on >= ? OR closed_on IS NULL "
                       f"OR closed_on >= ?) AND {un}")
    finding_where = (f"raised_on <= ? AND (raised_on >= ? OR closed_on IS NULL "
                     f"OR closed_on >= ?) AND {un}")
    audit_where = "period_start <= ? AND period_end >= ?"
    audit_params: list[Any] = [e, s]
    if units:
        audit_where += (" AND (NOT json_valid(scope) OR EXISTS (SELECT 1 FROM "
                        f"json_each(scope) WHERE value IN "
                        f"({', '.join('?' for _ in units)})))")
        audit_params += list(units)
    doc_where = f"(withdrawn_on IS NULL OR withdrawn_on > ?) AND {un}"
    objective_where = f"year BETWEEN ? AND ? AND {u}"
    objective_params = [start.year, end.year, *up]
    return [
        Register("units", {"en": "Units", "id": "Unit kerja"}, "units",
                 *(_units_sql("code", units)), order="code"),
        Register("services", {"en": "Services", "id": "Standar pelayanan"}, "services",
                 u, up, order="code"),
        Register("staff", {"en": "Staff", "id": "Pegawai"}, "staff", u, up, order="nip"),
        Register("rules", {"en": "Rules (SOPs)", "id": "Aturan (SOP)"}, "rules", un, unp,
                 order="code"),
        Register("requests", {"en": "Service requests", "id": "Permohonan layanan"},
                 "requests", req_where, req_params, order="received_on, ref_no"),
        Register("request_events", {"en": "Request status events",
                                    "id": "Riwayat status permohonan"},
                 "request_events", f"request_id IN (SELECT id FROM requests WHERE {req_where})",
                 req_params, order="request_id, on_date, id"),
        Register("adherence", {"en": "Adherence observations", "id": "Observasi kepatuhan"},
                 "adherence", f"observed_on BETWEEN ? AND ? AND {u}", [s, e, *up],
                 order="observed_on, staff_nip, rule_code", evidence="evidence_sha256"),
        Register("surveys", {"en": "Satisfaction surveys (SKM)", "id": "Survei kepuasan (SKM)"},
                 "surveys", f"responded_on BETWEEN ? AND ? AND {u}", [s, e, *up],
                 order="responded_on, response_key"),
        Register("complaints", {"en": "Complaints", "id": "Pengaduan"}, "complaints",
                 complaint_where, [e, s, s, *unp], order="received_on, ref_no"),
        Register("findings", {"en": "Findings", "id": "Temuan"}, "findings",
                 finding_where, [e, s, s, *unp], order="raised_on, ref_no",
                 evidence="evidence_sha256"),
        Register("finding_actions", {"en": "Corrective actions", "id": "Tindakan korektif"},
                 "finding_actions",
                 f"finding_id IN (SELECT id FROM findings WHERE {finding_where})",
                 [e, s, s, *unp], order="finding_id, id"),
        Register("documents", {"en": "Documented information", "id": "Informasi terdokumentasi"},
                 "documents", doc_where, [e, *unp], order="id", evidence="file_sha256"),
        Register("audits", {"en": "Internal audits", "id": "Audit internal"}, "audits",
                 audit_where, audit_params, order="period_start, id",
                 exclude=("checklist_yaml",)),
        Register("audit_results", {"en": "Audit results", "id": "Hasil audit"},
                 "audit_results", f"audit_id IN (SELECT id FROM audits WHERE {audit_where})",
                 audit_params, order="audit_id, item_id"),
        Register("objectives", {"en": "Quality objectives", "id": "Sasaran mutu"},
                 "objectives", objective_where, objective_params, order="year, unit, id"),
        Register("objective_values", {"en": "Quality objective values",
                                      "id": "Capaian sasaran mutu"},
                 "objective_values",
                 f"objective_id IN (SELECT id FROM objectives WHERE {objective_where})",
                 objective_params, order="objective_id, period"),
        Register("reviews", {"en": "Management reviews", "id": "Tinjauan manajemen"},
                 "reviews", "held_on BETWEEN ? AND ?", [s, e], order="held_on, id",
                 evidence="minutes_sha256"),
        Register("review_actions", {"en": "Management review actions",
                                    "id": "Tindak lanjut tinjauan manajemen"},
                 "review_actions",
                 "review_id IN (SELECT id FROM reviews WHERE held_on BETWEEN ? AND ?)",
                 [s, e], order="review_id, id"),
    ]


LABELS = {
    "en": {
        "title": "QMS evidence bundle", "organisation": "Organisation", "period": "Period",
        "scope": "Scope (units)", "standard": "Standard", "tool": "Produced by",
        "redacted": "Personal data redacted", "yes": "yes", "no": "no",
        "how_to_verify": "Check that nothing was changed, added or removed with",
        "redaction_note": "Names and contacts of requesters and complainants, and complaint "
                          "subjects and responses, are replaced by stable pseudonyms (the "
                          "same person has the same pseudonym in every export).",
        "registers": "Registers", "register": "Register", "rows": "Rows",
        "documents": "Documented information", "type": "Type", "doc_title": "Title",
        "clause": "Clause", "unit": "Unit", "issued": "Issued", "review_due": "Review due",
        "stale": "review overdue", "file": "File", "none": "None.",
        "reports": "Audit reports", "audit": "Audit", "status": "Status",
        "checklists": "Checklists used by the audits", "checklist": "Checklist",
        "version": "Version", "evidence": "Evidence files", "original_name": "Original name",
        "media_type": "Media type", "bytes": "Bytes", "changelog": "Change log",
        "changelog_note": "Every change qmstrack recorded and sealed from the start of the "
                          "period up to this export (times in UTC). Each seal's SHA-256 "
                          "chains the previous seal with the entries it covers.",
        "seals": "Seals", "entries": "Entries", "last_seal": "Last seal (SHA-256)",
    },
    "id": {
        "title": "Bundel bukti SMM", "organisation": "Organisasi", "period": "Periode",
        "scope": "Lingkup (unit kerja)", "standard": "Standar", "tool": "Dibuat dengan",
        "redacted": "Data pribadi disamarkan", "yes": "ya", "no": "tidak",
        "how_to_verify": "Periksa bahwa tidak ada berkas yang diubah, ditambah atau dihapus "
                         "dengan",
        "redaction_note": "Nama dan kontak pemohon dan pengadu, serta perihal dan tanggapan "
                          "pengaduan, diganti dengan nama samaran yang tetap (orang yang sama "
                          "mendapat nama samaran yang sama di setiap ekspor).",
        "registers": "Register", "register": "Register", "rows": "Baris",
        "documents": "Informasi terdokumentasi", "type": "Jenis", "doc_title": "Judul",
        "clause": "Klausul", "unit": "Unit", "issued": "Terbit",
        "review_due": "Jatuh tempo tinjauan", "stale": "lewat tinjauan", "file": "Berkas",
        "none": "Tidak ada.", "reports": "Laporan audit", "audit": "Audit",
        "status": "Status", "checklists": "Daftar periksa yang dipakai audit",
        "checklist": "Daftar periksa", "version": "Versi", "evidence": "Berkas bukti",
        "original_name": "Nama asli", "media_type": "Jenis media", "bytes": "Byte",
        "changelog": "Catatan perubahan",
        "changelog_note": "Setiap perubahan yang dicatat dan disegel qmstrack sejak awal "
                          "periode sampai ekspor ini (waktu UTC). SHA-256 setiap segel "
                          "merangkai segel sebelumnya dengan entri yang dicakupnya.",
        "seals": "Segel", "entries": "Entri", "last_seal": "Segel terakhir (SHA-256)",
    },
}


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


def _write_register(db: sqlite_utils.Database, root: Path, reg: Register,
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


def _evidence_rows(db: sqlite_utils.Database, regs: list[Register]) -> Iterator[tuple]:
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
                    regs: list[Register]) -> list[dict[str, Any]]:
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
                      audits: Register) -> list[dict[str, Any]]:
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


def _write_reports(db: sqlite_utils.Database, root: Path, audits: Register, lang: str,
                   end: date) -> list[dict[str, Any]]:
    """The report of every audit in the bundle, in Markdown and HTML.

    A report is dated by its audit's finalization, or by the end of the exported period
    for an audit still open, so exporting the same data again gives the same files.
    """
    from qmstrack.db import get_setting
    from qmstrack.reports import build_audit_context, render_audit_report

    template_dir = get_setting(db, "template_dir") or None
    out: list[dict[str, Any]] = []
    for audit_id, period_start, period_end, status, finalized_on in db.conn.execute(
        "SELECT id, period_start, period_end, status, finalized_on FROM audits "
        f"WHERE {audits.where} ORDER BY period_start, id", audits.params,
    ).fetchall():
        dated = date.fromisoformat(finalized_on) if finalized_on else end
        context = build_audit_context(db, audit_id, lang, today=dated)
        entry: dict[str, Any] = {"id": audit_id, "period_start": period_start,
                                 "period_end": period_end, "status": status}
        for fmt in ("md", "html"):
            relative = (f"reports/audit-{int(audit_id)}-"
                        f"{sanitise_name(str(period_start)[:7], 'period')}-{lang}.{fmt}")
            text = render_audit_report(db, audit_id, fmt, lang, template_dir,
                                       context=context)
            with open(_safe_join(root, relative), "w", encoding="utf-8", newline="") as f:
                f.write(text)
            entry[fmt] = relative
        out.append(entry)
    return out


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
    if personal:
        pseudo.row(table, value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")), True


def _write_changelog(db: sqlite_utils.Database, root: Path, start: date, end: date,
                     pseudo: Pseudonymiser | None) -> dict[str, Any]:
    """The seals made from the start of the period up to the export (UTC dates), and the
    entries they cover, as JSON lines: records of the period are often typed in or
    corrected after it ends, and the auditor must see those changes too.

    Without --redact, ``old`` and ``new`` are the exact stored texts, so the auditor can
    recompute each seal's SHA-256 (``qmstrack.changelog``).
    """
    window = [start.isoformat(), "9999-12-31"]
    seals_path = _safe_join(root, "changelog/seals.jsonl")
    entries_path = _safe_join(root, "changelog/entries.jsonl")
    n_seals = n_entries = 0
    last_sha = None
    seal_sql = ("SELECT id, at, command, first_id, last_id, prev_sha256, sha256 "
                "FROM change_seals WHERE at >= ? AND at < ? ORDER BY id")
    with open(seals_path, "w", encoding="utf-8", newline="\n", buffering=BUFFER) as sf:
        for seal_id, at, command, first_id, last_id, prev, sha in db.conn.execute(
                seal_sql, window):
            sf.write(_dumps({"id": seal_id, "at": at, "command": command,
                             "first_id": first_id, "last_id": last_id,
                             "prev_sha256": prev, "sha256": sha}) + "\n")
            n_seals += 1
            last_sha = sha
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


def _documents_for_index(db: sqlite_utils.Database, docs: Register, end: date
                         ) -> list[dict[str, Any]]:
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
        out.append({"id": doc_id, "type": kind, "title": title, "clause": clause,
                    "unit": unit, "issued_on": issued, "review_due_on": due,
                    "stale": bool(due and due < end.isoformat()), "file": file,
                    "file_name": sanitise_name(original) if original else ""})
    return out


def _render_index(root: Path, context: dict[str, Any]) -> None:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    # autoescape=True explicitly: select_autoescape() would not recognise ".html.j2".
    env = Environment(loader=PackageLoader("qmstrack", "templates"), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True)
    html = env.get_template("bundle_index.html.j2").render(**context)
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
    from qmstrack.metrics import Period
    from qmstrack.registers.common import known_units, require_units

    Period(start, end)
    db_path = Path(db_path)
    out = Path(out).expanduser()
    is_zip = _check_target(out, force, db_path)
    units = require_units(db, units)
    pseudo = Pseudonymiser(pseudonym_secret(db)) if redact else None
    lang = lang if lang in LABELS else "en"

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
            regs = registers(start, end, units)
            for reg in regs:
                counts[reg.name] = _write_register(db, bag_dir, reg, pseudo)
            evidence = _write_evidence(db, db_path, bag_dir, regs)
            counts["evidence_files"] = len(evidence)
            by_name = {r.name: r for r in regs}
            checklists = _write_checklists(db, bag_dir, by_name["audits"])
            reports = _write_reports(db, bag_dir, by_name["audits"], lang, end)
            changelog = _write_changelog(db, bag_dir, start, end, pseudo)
            documents = _documents_for_index(db, by_name["documents"], end)
        finally:
            if began and db.conn.in_transaction:
                db.execute("ROLLBACK")
        titles = {r.name: r.title[lang] for r in regs}
        titles["evidence_files"] = LABELS[lang]["evidence"]
        _render_index(bag_dir, {
            "lang": lang, "t": LABELS[lang], "org": org or "-",
            "period_start": start.isoformat(), "period_end": end.isoformat(),
            "scope": scope, "standard": STANDARD, "tool": f"qmstrack {__version__}",
            "redacted": redact,
            "registers": [{"title": titles[name], "rows": n,
                           "csv": f"registers/{name}.csv", "json": f"registers/{name}.json"}
                          for name, n in counts.items()],
            "documents": documents, "checklists": checklists, "evidence": evidence,
            "reports": reports,
            "changelog": changelog,
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
        }
        with _quiet_bagit():
            bagit.make_bag(str(bag_dir), info, checksums=["sha256"])
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


def bag_fingerprint(bag_dir: Path) -> str:
    """SHA-256 of the bag's tag manifest, which covers every manifest and so every file."""
    with open(bag_dir / "tagmanifest-sha256.txt", "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


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


@contextlib.contextmanager
def _quiet_bagit():
    """bagit logs every problem it finds; qmstrack reports them itself."""
    import logging

    logger = logging.getLogger("bagit")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
    try:
        yield
    finally:
        logger.setLevel(level)
        logger.propagate = propagate


# --- verification ----------------------------------------------------------------------


@dataclass
class VerifyResult:
    path: Path
    files: int
    info: dict[str, Any]
    fingerprint: str


def _member_type(info: zipfile.ZipInfo) -> int:
    return (info.external_attr >> 16) & 0o170000


def _unsafe_member(name: str) -> bool:
    if not name or "\x00" in name:
        return True
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    parts = re.split(r"[/\\]", name)
    return any(p == ".." for p in parts)


def extract_zip(path: Path, target: Path, *, max_bytes: int = MAX_EXTRACT_BYTES,
                max_entries: int = MAX_EXTRACT_ENTRIES) -> None:
    """Extract a zip safely: no absolute paths, no ``..``, no links or devices, a size cap."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IntegrityFailure(f"{path} is not a readable zip file ({exc}).") from exc
    root = target.resolve()
    total = 0
    with zf:
        members = zf.infolist()
        if len(members) > max_entries:
            raise IntegrityFailure(f"{path} holds {len(members)} entries; refusing more "
                                   f"than {max_entries}.")
        seen: set[str] = set()
        for info in members:
            name = info.filename
            if _unsafe_member(name):
                raise IntegrityFailure(f"{path} holds the unsafe entry {name!r} (absolute "
                                       "path or '..'); refusing to extract it.")
            kind = _member_type(info)
            if kind == 0o120000:
                raise IntegrityFailure(f"{path} holds the symbolic link {name!r}; refusing "
                                       "to extract it.")
            if kind not in (0, 0o100000, 0o040000):
                raise IntegrityFailure(f"{path} holds {name!r}, which is not a plain file "
                                       "or folder; refusing to extract it.")
            normal = name.replace("\\", "/").strip("/")
            if normal in seen:
                raise IntegrityFailure(f"{path} holds {name!r} twice; refusing it.")
            seen.add(normal)
            dest = root.joinpath(*[p for p in normal.split("/") if p not in ("", ".")])
            if not dest.resolve().is_relative_to(root):
                raise IntegrityFailure(f"{path} holds the unsafe entry {name!r}.")
            if info.is_dir() or kind == 0o040000:
                try:
                    dest.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise IntegrityFailure(f"{path}: the entry {name!r} cannot be "
                                           f"extracted ({exc}).") from exc
                continue
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "xb") as out:
                    while block := src.read(1024 * 1024):
                        total += len(block)
                        if total > max_bytes:
                            raise IntegrityFailure(
                                f"{path} expands to more than {max_bytes // 1024 ** 3} GB; "
                                "refusing to extract it.")
                        out.write(block)
            except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as exc:
                if isinstance(exc, FileExistsError):
                    raise IntegrityFailure(f"{path} holds {name!r} twice; refusing it.") \
                        from exc
                raise IntegrityFailure(f"{path}: the entry {name!r} cannot be read "
                                       f"({exc}).") from exc


def _bag_root(extracted: Path) -> Path:
    if (extracted / "bagit.txt").is_file():
        return extracted
    entries = [p for p in extracted.iterdir()]
    if len(entries) == 1 and entries[0].is_dir() and (entries[0] / "bagit.txt").is_file():
        return entries[0]
    raise IntegrityFailure("The zip file holds no BagIt bag (no bagit.txt at its top).")


def _rel(path: str) -> str:
    return Path(path).as_posix()


def _validation_problems(root: Path) -> tuple[list[str], int, dict[str, Any]]:
    """Every missing, extra or altered file of the bag at ``root``, one line each."""
    import bagit

    with _quiet_bagit():
        try:
            bag = bagit.Bag(str(root))
        except bagit.BagError as exc:
            raise IntegrityFailure(f"{root} is not a valid BagIt bag: {exc}.") from exc
        oxum = bag.info.pop("Payload-Oxum", None)
        problems: list[str] = []
        missing: set[str] = set()
        try:
            # Structure and completeness first, without the Payload-Oxum short cut, so
            # that every missing and extra file is named.
            bag.validate(completeness_only=True)
        except bagit.BagValidationError as exc:
            if not exc.details:
                raise IntegrityFailure(f"{root} is not a valid BagIt bag: {exc.message}.") \
                    from exc
            for d in sorted(exc.details, key=lambda d: (type(d).__name__,
                                                       _rel(getattr(d, "path", "")))):
                if isinstance(d, bagit.FileMissing):
                    missing.add(_rel(d.path))
                    problems.append(f"missing: {_rel(d.path)}")
                elif isinstance(d, bagit.UnexpectedFile):
                    problems.append(f"extra: {_rel(d.path)}")
                else:
                    problems.append(str(d))
        except bagit.BagError as exc:
            raise IntegrityFailure(f"{root} is not a valid BagIt bag: {exc}.") from exc
        # Then the checksum of every file still there (bagit's own entry validation).
        try:
            bag._validate_entries(1)
        except bagit.BagValidationError as exc:
            for d in sorted(exc.details, key=lambda d: _rel(getattr(d, "path", ""))):
                path = _rel(getattr(d, "path", ""))
                if path in missing:
                    continue
                if isinstance(d, bagit.ChecksumMismatch):
                    problems.append(f"altered: {path}")
                else:
                    problems.append(str(d))
        # Tag files beside data/ that no tag manifest lists.
        listed = {_rel(p) for p in bag.entries}
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = Path(dirpath).relative_to(root)
            if rel_dir.parts[:1] == ("data",):
                dirnames[:] = []
                continue
            dirnames.sort()
            for name in sorted(filenames):
                rel = (rel_dir / name).as_posix()
                if rel.startswith("tagmanifest-") and "/" not in rel:
                    continue
                if rel not in listed and rel not in ("bagit.txt",):
                    problems.append(f"extra: {rel}")
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                full = Path(dirpath) / name
                if full.is_symlink():
                    problems.append(f"symbolic link: {full.relative_to(root).as_posix()}")
        if oxum is not None and not problems:
            bag.info["Payload-Oxum"] = oxum
            try:
                bag.validate(fast=True)
            except bagit.BagError as exc:
                problems.append(f"bag-info.txt: {exc}")
        files = len(bag.payload_entries())
        info = dict(bag.info)
        if (root / "tagmanifest-sha256.txt").is_file():
            info["fingerprint"] = bag_fingerprint(root)
        return problems, files, info


def verify_bundle(path: str | os.PathLike) -> VerifyResult:
    """Check a bag folder or zip; raise ``IntegrityFailure`` naming every bad file."""
    path = Path(path).expanduser()
    if not path.exists():
        raise NotFound(f"There is no bundle at {path}.")
    if path.is_dir():
        problems, files, info = _validation_problems(path)
    elif path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="qmstrack-verify-") as tmp:
            extract_zip(path, Path(tmp))
            problems, files, info = _validation_problems(_bag_root(Path(tmp)))
    else:
        raise InvalidInput(f"{path} is neither a bundle folder nor a zip file.")
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise IntegrityFailure(
            f"The bundle {path} is not intact ({len(problems)} {noun}): {problems[0]}.",
            problems,
        )
    return VerifyResult(path, files, info, info.pop("fingerprint", ""))

