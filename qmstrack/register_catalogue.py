"""Every register qmstrack keeps, declared once: its table, label, dates, order, evidence and
personal data.

The change log (:mod:`qmstrack.integrity`, ``qmstrack log``) covers every table declared
here; the auditor's bundle (:mod:`qmstrack.export`) exports the registers marked
``exported``, in this order, each picked for a period by its ``select`` rule and written in
its ``order``; ``docs/architecture.md`` lists the same table (a test compares them). A new
register is one declaration here, its migration, and its module under
``qmstrack/registers/``.

The migrations do not read this module: a migration is history and must create the same
schema whatever is declared later, so each one names the tables it touches itself.

``select`` says which rows of a register belong to a period [start, end]:

- ``scope``: every row of the units in scope (the period does not matter);
- ``in_period``: ``date_column`` within the period;
- ``open_in_period``: ``date_column`` on or before the end, and either within the period
  or not closed (``closed_column``) before it started: what was open during the period;
- ``overlapping``: [``date_column``, ``end_column``] overlaps the period;
- ``in_force``: not withdrawn (``closed_column``) by the end of the period;
- ``years``: ``date_column`` (a year) within the years of the period;
- ``child``: the rows whose ``parent_key`` points at an exported row of ``parent`` (its
  ``parent_column``, ``id`` unless declared).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qmstrack.i18n import NC_

# The context of every register label in the catalogue (the same words name other things).
LABEL_CONTEXT = "register"

SELECTIONS = ("scope", "in_period", "open_in_period", "overlapping", "in_force", "years",
              "child")


@dataclass(frozen=True)
class Register:
    """One register: ``name`` is its table; ``label`` a catalogue message."""

    name: str
    label: str  # a catalogue message of the context LABEL_CONTEXT
    select: str = "scope"
    date_column: str | None = None
    order: str = "rowid"
    unit_column: str | None = "unit"
    # Rows without a unit are office-wide and belong to every scope.
    unit_nullable: bool = False
    closed_column: str | None = None
    end_column: str | None = None
    parent: str | None = None
    parent_key: str | None = None
    # The parent's column that ``parent_key`` holds.
    parent_column: str = "id"
    # Column holding an evidence file's SHA-256.
    evidence_column: str | None = None
    # Personal data replaced by pseudonyms with --redact: column -> pseudonym prefix.
    personal: dict[str, str] = field(default_factory=dict)
    # Columns never written to the bundle (the frozen checklist is exported on its own).
    not_exported: tuple[str, ...] = ()
    # A JSON list of unit codes the row covers (an audit's scope).
    units_json_column: str | None = None
    exported: bool = True
    logged: bool = True

    def title(self, lang: str) -> str:
        """The register's name in a language."""
        from qmstrack.i18n import pgettext

        return pgettext(LABEL_CONTEXT, self.label, lang)

    def __post_init__(self) -> None:
        if self.select not in SELECTIONS:
            raise ValueError(f"register {self.name}: select {self.select!r} is not one of "
                             f"{SELECTIONS}")


REGISTERS: tuple[Register, ...] = (
    Register("settings", NC_("register", "Settings"), unit_column=None, exported=False),
    Register("units", NC_("register", "Units"), unit_column="code", order="code"),
    Register("services", NC_("register", "Services"), order="code"),
    Register("staff", NC_("register", "Staff"), order="nip"),
    Register("rules", NC_("register", "Rules (SOPs)"), unit_nullable=True, order="code"),
    Register("requests", NC_("register", "Service requests"), "open_in_period", "received_on",
             "received_on, ref_no", closed_column="closed_on",
             personal={"requester": "Pemohon", "contact": "Kontak"}),
    Register("request_events", NC_("register", "Request status events"), "child", "on_date",
             "request_id, on_date, id", unit_column=None, parent="requests",
             parent_key="request_id"),
    Register("adherence", NC_("register", "Adherence observations"), "in_period", "observed_on",
             "observed_on, staff_nip, rule_code, id", evidence_column="evidence_sha256"),
    Register("surveys", NC_("register", "Satisfaction surveys (SKM)"), "in_period", "responded_on",
             "responded_on, response_key"),
    Register("complaints", NC_("register", "Complaints"), "open_in_period", "received_on",
             "received_on, ref_no", unit_nullable=True, closed_column="closed_on",
             personal={"complainant": "Pengadu", "contact": "Kontak", "subject": "Perihal",
                       "response": "Tanggapan"}),
    Register("findings", NC_("register", "Findings"), "open_in_period", "raised_on",
             "raised_on, ref_no", unit_nullable=True, closed_column="closed_on",
             evidence_column="evidence_sha256"),
    Register("finding_actions", NC_("register", "Corrective actions"), "child", "planned_on",
             "finding_id, id", unit_column=None, parent="findings", parent_key="finding_id"),
    Register("documents", NC_("register", "Documented information"), "in_force", "issued_on", "id",
             unit_nullable=True, closed_column="withdrawn_on", evidence_column="file_sha256"),
    Register("providers", NC_("register", "External providers"), order="code",
             unit_nullable=True, personal={"contact": "Kontak"}),
    Register("provider_evaluations", NC_("register", "Provider evaluations"), "child",
             "evaluated_on", "provider_code, evaluated_on", unit_column=None,
             parent="providers", parent_key="provider_code", parent_column="code"),
    Register("risks", NC_("register", "Risks and opportunities"), "open_in_period",
             "identified_on", "unit, ref_no", closed_column="closed_on"),
    Register("competences", NC_("register", "Competences"), unit_column=None, order="code"),
    Register("position_competences", NC_("register", "Competences required by position"),
             unit_column=None, order="position, competence_code"),
    Register("trainings", NC_("register", "Training records"), "in_period", "held_on",
             "held_on, staff_nip, id", unit_column=None, evidence_column="certificate_sha256"),
    Register("audits", NC_("register", "Internal audits"), "overlapping", "period_start",
             "period_start, id", unit_column=None, end_column="period_end",
             units_json_column="scope", not_exported=("checklist_yaml",)),
    Register("audit_results", NC_("register", "Audit results"), "child", None,
             "audit_id, item_id", unit_column=None, parent="audits", parent_key="audit_id"),
    Register("audit_plan", NC_("register", "Audit programme"), "in_period", "month_start",
             "month_start, unit, checklist_id"),
    Register("objectives", NC_("register", "Quality objectives"), "years", "year",
             "year, unit, id"),
    Register("objective_values", NC_("register", "Quality objective values"), "child", None,
             "objective_id, period", unit_column=None, parent="objectives",
             parent_key="objective_id"),
    Register("reviews", NC_("register", "Management reviews"), "in_period", "held_on",
             "held_on, id", unit_column=None, evidence_column="minutes_sha256"),
    Register("review_actions", NC_("register", "Management review actions"), "child", "due_on",
             "review_id, id", unit_column=None, parent="reviews", parent_key="review_id"),
    Register("survey_actions", NC_("register", "SKM follow-up actions"), "open_in_period",
             "raised_on", "raised_on, id", unit_nullable=True, closed_column="closed_on"),
    Register("evidence_files", NC_("register", "Evidence files"), unit_column=None, exported=False),
)

_BY_NAME = {r.name: r for r in REGISTERS}


def register(name: str) -> Register:
    return _BY_NAME[name]


def logged_tables() -> list[str]:
    """The tables whose every change the change log records."""
    return [r.name for r in REGISTERS if r.logged]


def exported_registers() -> list[Register]:
    """The registers the auditor's bundle exports, in its order."""
    return [r for r in REGISTERS if r.exported]


def personal_columns() -> dict[str, dict[str, str]]:
    """Table -> personal-data column -> pseudonym prefix, for ``export --redact``."""
    return {r.name: dict(r.personal) for r in REGISTERS if r.personal}
