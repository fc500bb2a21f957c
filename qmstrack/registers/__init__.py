"""The office's registers: one module per kind of record, each taking a Database."""
