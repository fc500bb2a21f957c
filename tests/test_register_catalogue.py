"""The registers, declared once: the schema, the change log, the export and the docs agree."""

from __future__ import annotations

import re
from pathlib import Path

from qmstrack.register_catalogue import (
    REGISTERS,
    exported_registers,
    logged_tables,
    personal_columns,
    register,
)


def _columns(db, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info([{table}])")}


def test_every_declared_column_is_in_the_schema(db):
    for reg in REGISTERS:
        columns = _columns(db, reg.name)
        assert columns, reg.name
        named = [reg.date_column, reg.unit_column, reg.closed_column, reg.end_column,
                 reg.parent_key, reg.evidence_column, reg.units_json_column,
                 *reg.personal, *reg.not_exported]
        order = [part.strip() for part in reg.order.split(",") if part.strip() != "rowid"]
        for column in [c for c in named if c] + order:
            assert column in columns, (reg.name, column)
        if reg.parent:
            assert register(reg.parent).exported


def test_every_table_of_the_schema_is_a_declared_register(db):
    tables = {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    assert tables - {"change_log", "change_seals", "_sqlite_migrations", "table_digests",
                     "schema_objects"} == set(
        logged_tables())


def test_the_export_writes_the_declared_registers_in_their_order(db, tmp_path):
    from datetime import date

    from qmstrack.export import REDACT, registers

    chosen = registers(date(2026, 1, 1), date(2026, 12, 31), (), "id")
    assert [s.name for s in chosen] == [r.name for r in exported_registers()]
    assert {s.name: s.title for s in chosen}["requests"] == "Permohonan layanan"
    assert REDACT == personal_columns() == {
        "requests": {"requester": "Pemohon", "contact": "Kontak"},
        "complaints": {"complainant": "Pengadu", "contact": "Kontak", "subject": "Perihal",
                       "response": "Tanggapan"},
        "providers": {"contact": "Kontak"}}
    for selection in chosen:  # every filter is valid SQL for its table
        db.execute(f"SELECT count(*) FROM [{selection.table}] WHERE {selection.where}",
                   selection.params).fetchone()


def test_the_migrations_do_not_read_the_declaration():
    # They are history: the tables a migration touches are written in the migration.
    package = Path(__file__).parents[1] / "qmstrack"
    sources = [package / "db.py", *sorted(package.glob("migrations*.py"))]
    for source in sources:
        text = source.read_text("utf-8")
        assert not re.search(r"(from|import)\s+qmstrack\.register_catalogue", text), source
        assert "logged_tables()" not in text, source


def test_the_register_table_of_the_docs_is_the_declaration():
    text = (Path(__file__).parents[1] / "docs" / "architecture.md").read_text("utf-8")
    table = text.split("<!-- registers:", 1)[1].split("<!-- end of registers -->", 1)[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in table.splitlines()[1:] if line.startswith("|")][2:]

    def code(value: str | None) -> str:
        return f"`{value}`" if value else "–"

    expected = [[code(r.name), r.label,
                 r.select + (f" of `{r.parent}`" if r.parent else ""),
                 code(r.date_column), code(r.order), code(r.evidence_column),
                 ", ".join(f"`{c}`" for c in r.personal) or "–",
                 "yes" if r.exported else "no"] for r in REGISTERS]
    assert rows == expected
    assert all(re.fullmatch(r"`[a-z_]+`", row[0]) for row in rows)
