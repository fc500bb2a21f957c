"""The names people read for qmstrack's codes: grades, statuses, frequencies, channels.

Each label is a catalogue message (English source text, :func:`qmstrack.i18n.N_`),
translated where it is shown; data (JSON, CSV) keeps the codes. :func:`label` looks one
up, and leaves a code without a label as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from qmstrack.i18n import N_

GRADE_LABELS: dict[str, str] = {
    "conform": N_("Conform"),
    "minor": N_("Minor"),
    "major": N_("Major"),
    "observation": N_("Observation"),
    "na": N_("Not applicable"),
    "pending": N_("Pending"),
}
AUDIT_STATUS_LABELS = {"open": N_("Open (draft)"), "final": N_("Final")}
FINDING_STATUS_LABELS = {"open": N_("Open"), "action_planned": N_("Action planned"),
                         "closed": N_("Closed")}
FREQUENCY_LABELS = {"monthly": N_("monthly"), "quarterly": N_("quarterly"),
                    "yearly": N_("yearly")}
ACTION_STATE_LABELS = {"open": N_("Open"), "overdue": N_("Overdue"), "closed": N_("Closed")}
CHANNEL_LABELS = {"lapor": N_("SP4N-LAPOR!"), "walk-in": N_("Walk-in"), "phone": N_("Phone"),
                  "email": N_("E-mail"), "letter": N_("Letter")}
SOURCE_LABELS = {"internal": N_("Internal audit"), "sucofindo": N_("Sucofindo"),
                 "certification": N_("Certification body"), "external": N_("External"),
                 "management": N_("Management review"), "complaint": N_("Complaint")}
REQUEST_STATUS_LABELS = {"received": N_("Received"), "in_progress": N_("In progress"),
                         "completed": N_("Completed"), "rejected": N_("Rejected")}
ADHERENCE_RESULT_LABELS = {"comply": N_("Complies"), "breach": N_("Breach"),
                           "na": N_("Not applicable")}
COMPLAINT_STATUS_LABELS = {"open": N_("Open"), "responded": N_("Responded"),
                           "closed": N_("Closed")}
DOCUMENT_TYPE_LABELS = {"policy": N_("Policy"), "objectives": N_("Quality objectives"),
                        "sop": N_("SOP"), "procedure": N_("Procedure"), "form": N_("Form"),
                        "record": N_("Record"), "review-minutes": N_("Review minutes"),
                        "training": N_("Training"), "other": N_("Other")}
# Employment types (staff_ids): the names offices write them with, read back by
# staff_ids.parse_employment.
EMPLOYMENT_LABELS = {"pns": N_("PNS"), "pppk": N_("PPPK"), "non-asn": N_("Non-ASN")}
OBJECTIVE_STATUS_LABELS = {"achieved": N_("achieved"), "missed": N_("missed"),
                           "no_value": N_("no value"), "in_progress": N_("in progress"),
                           "future": ""}


def label(labels: Mapping[str, str], key: str, gettext: Callable[[str], str]) -> str:
    """The translated label of a code, or the code itself when it has none."""
    if key not in labels:
        return key
    return gettext(labels[key]) if labels[key] else ""


# The labels of the codes a table's column holds, by column name (what the command line
# shows in its tables; ``status`` is the status of a request, a finding, a complaint or an
# action, whose codes mean the same in each).
COLUMN_VALUE_LABELS: dict[str, Mapping[str, str]] = {
    "status": {**REQUEST_STATUS_LABELS, **FINDING_STATUS_LABELS, **COMPLAINT_STATUS_LABELS,
               "final": AUDIT_STATUS_LABELS["final"]},
    "state": ACTION_STATE_LABELS,
    "result": ADHERENCE_RESULT_LABELS,
    "grade": GRADE_LABELS,
    "channel": CHANNEL_LABELS,
    "source": SOURCE_LABELS,
    "frequency": FREQUENCY_LABELS,
    "type": DOCUMENT_TYPE_LABELS,
    "employment": EMPLOYMENT_LABELS,
}
