"""Make the spreadsheets of tests/data/office the way an office's programs make them.

The registers are written as a flat OpenDocument spreadsheet (.fods: title rows, a merged
title, a header below them, typed date cells, phone numbers kept as numbers, a JUMLAH row
with a formula, two sheets), then LibreOffice Calc saves them as XLSX, ODS, XLS and a
semicolon CSV (UTF-8, as "Text CSV" with the Indonesian field separator), exactly as a
clerk's "Save as" would. The Microsoft Forms export is made the same way (typed
date-times); the Google Forms export is written as Google writes its CSV download (every
field quoted, "Timestamp" first, the questions' full wording as headers, the answers'
words, the time with its zone).

    python tests/data/office/make_office_files.py      # needs soffice (LibreOffice)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).parent

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
      'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"')
# Day/month/two-digit year: what a CSV of an Indonesian-locale sheet shows (23/11/26).
DAY_MONTH_YEAR = ('<number:day number:style="long"/><number:text>/</number:text>'
                  '<number:month number:style="long"/><number:text>/</number:text>'
                  '<number:year/>')
MONTH_DAY_TIME = ('<number:month/><number:text>/</number:text><number:day/>'
                  '<number:text>/</number:text><number:year number:style="long"/>'
                  '<number:text> </number:text><number:hours/><number:text>:</number:text>'
                  '<number:minutes number:style="long"/><number:text>:</number:text>'
                  '<number:seconds number:style="long"/>')
STYLES = ("<office:automatic-styles>"
          f'<number:date-style style:name="Ndmy">{DAY_MONTH_YEAR}</number:date-style>'
          f'<number:date-style style:name="Ndt">{MONTH_DAY_TIME}</number:date-style>'
          '<style:style style:name="date" style:family="table-cell" '
          'style:data-style-name="Ndmy"/>'
          '<style:style style:name="datetime" style:family="table-cell" '
          'style:data-style-name="Ndt"/>'
          "</office:automatic-styles>")


def cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, tuple):
        kind, v = value
        if kind == "date":
            return (f'<table:table-cell table:style-name="date" office:value-type="date" '
                    f'office:date-value="{v}"><text:p>{v}</text:p></table:table-cell>')
        if kind == "datetime":
            return (f'<table:table-cell table:style-name="datetime" office:value-type="date" '
                    f'office:date-value="{v}"><text:p>{v}</text:p></table:table-cell>')
        if kind == "formula":
            formula, result = v
            return (f'<table:table-cell table:formula="{escape(formula)}" '
                    f'office:value-type="float" office:value="{result}"><text:p>{result}'
                    f'</text:p></table:table-cell>')
        if kind == "merged":
            text, span = v
            return (f'<table:table-cell table:number-columns-spanned="{span}" '
                    f'office:value-type="string"><text:p>{escape(text)}</text:p>'
                    f'</table:table-cell><table:covered-table-cell '
                    f'table:number-columns-repeated="{span - 1}"/>')
    if isinstance(value, (int, float)):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f'<text:p>{value}</text:p></table:table-cell>')
    return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
            f'</text:p></table:table-cell>')


def sheet(name: str, rows: list[list]) -> str:
    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
                   for row in rows)
    return f'<table:table table:name="{name}">{body}</table:table>'


def fods(sheets: list[str]) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {NS} '
            'office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.'
            f'spreadsheet">{STYLES}<office:body><office:spreadsheet>{"".join(sheets)}'
            '</office:spreadsheet></office:body></office:document>\n')


HEADER = ["No", "No. Registrasi", "Tanggal Masuk", "Kode Layanan", "Nama Pemohon", "No. HP",
          "Status", "Tanggal Selesai", "Petugas"]
TITLE = [("merged", ("REGISTER PERMOHONAN LAYANAN BIDANG SMA TAHUN 2026", 9))]
OFFICE = ["Dinas Pendidikan dan Kebudayaan Provinsi Kalimantan Timur"]


def register() -> str:
    november = [
        TITLE, OFFICE, [], HEADER,
        [1, "SMA/2026/001", ("date", "2026-11-02"), "SMA-LEG", "Ani Lestari", 81234567890,
         "selesai", ("date", "2026-11-04"), "19860926 201505 1 001"],
        [2, None, ("date", "2026-11-03"), "SMA-LEG", "Budi Hartono", "082155551234",
         "diterima", None, None],
        [3, "SMA/2026/003", ("date", "2026-11-23"), "SMA-MUT", "Citra Dewi", None,
         "diproses", None, None],
        [],
        [("merged", ("JUMLAH", 2)), ("formula", ("of:=COUNTA([.C5:.C7])", 3))],
    ]
    december = [
        TITLE, OFFICE, [], HEADER,
        [1, "SMA/2026/010", ("date", "2026-12-01"), "SMA-LEG", "Dedi Saputra", 85312345678,
         "diterima", None, None],
        [2, "SMA/2026/011", ("date", "2026-12-02"), "SMA-MUT", "Eka Putri", None,
         "diterima", None, None],
        [("merged", ("TOTAL", 2)), ("formula", ("of:=COUNTA([.C5:.C6])", 2))],
    ]
    return fods([sheet("November", november), sheet("Desember", december)])


MS_QUESTIONS = [
    "Layanan yang Anda terima",
    "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis "
    "pelayanannya?",
    "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
    "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
    "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
    "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
    "dalam standar pelayanan dengan hasil yang diberikan?",
    "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
    "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan "
    "dan keramahan?",
    "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
    "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
    "Jenis Kelamin", "Usia", "Pendidikan Terakhir", "Pekerjaan",
    "Saran dan masukan untuk perbaikan pelayanan",
]
ANSWERS_A = ["Sangat Sesuai", "Mudah", "Sangat Cepat", "Gratis", "Sesuai", "Sangat Kompeten",
             "Sangat Sopan dan Ramah", "Baik", "Dikelola dengan baik"]
ANSWERS_B = ["Sesuai", "Kurang Mudah", "Cepat", "Gratis", "Sesuai", "Kompeten",
             "Sopan dan Ramah", "Cukup", "Berfungsi kurang maksimal"]


def microsoft_forms() -> str:
    rows = [
        ["ID", "Start time", "Completion time", "Email", "Name", *MS_QUESTIONS],
        [1, ("datetime", "2026-11-23T09:10:05"), ("datetime", "2026-11-23T09:14:41"),
         "anonymous", None, "Legalisir ijazah SMA", *ANSWERS_A, "Perempuan", 34, "S1", "PNS",
         "Antrean sudah tertib."],
        [2, ("datetime", "2026-11-24T13:02:00"), ("datetime", "2026-11-24T13:05:12"),
         "anonymous", None, "mutasi siswa  SMA", *ANSWERS_B, "Laki-laki", "25-34 tahun",
         "SMA", "Wiraswasta", None],
    ]
    return fods([sheet("Sheet1", rows)])


def google_forms() -> str:
    """A Google Forms "Download responses (.csv)": every field quoted, CRLF lines."""
    header = ["Timestamp", *MS_QUESTIONS]
    rows = [
        ["2026/11/23 9:15:02 AM GMT+8", "Legalisir ijazah SMA", *ANSWERS_A, "Perempuan", "34",
         "S1", "PNS", "Petugas ramah, \"terima kasih\"."],
        ["2026/11/23 11:40:27 PM GMT+7", "Legalisir Ijazah SMA", *ANSWERS_B, "Laki-laki",
         "52", "SMP", "Petani", ""],
        ["2026/11/24 8:01:55 AM GMT+8", "Mutasi siswa SMA", *(["Sangat Baik"] * 0),
         "Tidak Sesuai", "Tidak Mudah", "Tidak Cepat", "Sangat Mahal", "Tidak Sesuai",
         "Tidak Kompeten", "Tidak Sopan dan Ramah", "Buruk", "Tidak Ada", "Perempuan", "19",
         "SMA", "Pelajar/Mahasiswa", "Berkas saya hilang."],
    ]

    def line(values):
        return ",".join('"' + v.replace('"', '""') + '"' for v in values)

    return "\r\n".join(line(r) for r in [header, *rows]) + "\r\n"


CSV_FILTER = 'csv:Text - txt - csv (StarCalc):59,34,76,1'


def main() -> int:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("soffice (LibreOffice) is needed; apt-get install libreoffice-calc")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "register.fods").write_text(register(), encoding="utf-8")
        (work / "msforms.fods").write_text(microsoft_forms(), encoding="utf-8")
        profile = f"-env:UserInstallation=file://{work}/profile"
        for target in ("xlsx", "ods", "xls", CSV_FILTER):
            subprocess.run([soffice, profile, "--headless", "--convert-to", target,
                            "--outdir", str(work), str(work / "register.fods"),
                            *([str(work / "msforms.fods")] if target == "xlsx" else [])],
                           check=True, capture_output=True, timeout=180)
        for name in ("register.xlsx", "register.ods", "register.xls", "register.csv",
                     "msforms.xlsx"):
            shutil.copy(work / name, HERE / name)
    (HERE / "google_forms_skm.csv").write_bytes(google_forms().encode("utf-8"))
    for path in sorted(HERE.iterdir()):
        print(path.name, path.stat().st_size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
