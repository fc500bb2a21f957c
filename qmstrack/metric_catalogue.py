"""Every metric qmstrack knows, declared once: name, kind, unit of measure, label, meaning.

This module is the bottom of the metric registry and imports nothing of qmstrack but the
message marker of :mod:`qmstrack.i18n`, so that everything may read it: checklists validate
the metric names and kinds an item binds to against :data:`DECLARATIONS`, reports take
their labels from it, and ``docs/checklist-format.md`` lists the same table (a test
compares them).

The SQL of a metric lives in a *definition module* (:mod:`qmstrack.metric_defs`,
:mod:`qmstrack.satisfaction`, :mod:`qmstrack.audit_programme`), which registers it against
its declaration with :func:`defines` and imports nothing above this module.
:mod:`qmstrack.metrics` sits above the definition modules: it imports them all and
computes. A declared metric that no definition module defines yet is *planned*
(:func:`planned_names`): a checklist may bind items to it already, and an audit leaves them
pending.

Kinds: ``rate`` (a fraction 0-1, None when there is nothing to rate; people see a
percentage), ``count`` (a whole number) and ``index`` (the IKM, 0-100).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from qmstrack.i18n import N_

if TYPE_CHECKING:
    import sqlite_utils

    from qmstrack.periods import Period
    from qmstrack.scope import Scope

KINDS = ("rate", "count", "index")

MetricFn = Callable[["sqlite_utils.Database", "Period", "Scope"], "float | int | None"]


@dataclass(frozen=True)
class Declaration:
    """What a metric is: ``label`` is a catalogue message (English source text)."""

    name: str
    kind: str
    unit: str  # unit of measure, in English: "requests", "fraction of completed requests"
    label: str
    description: str
    # Metrics scoped by service honour Scope.service; others ignore it.
    per_service: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"metric {self.name}: kind {self.kind!r} is not one of {KINDS}")


def _requests(key: str, kind: str, unit: str, label: str, description: str) -> Declaration:
    return Declaration(f"requests.{key}", kind, unit, label, description, per_service=True)


DECLARATIONS: tuple[Declaration, ...] = (
    _requests("received", "count", "requests", N_("Requests received"),
              "Requests received in the period."),
    _requests("completed", "count", "requests", N_("Requests completed"),
              "Requests completed in the period."),
    _requests("rejected", "count", "requests", N_("Requests rejected"),
              "Requests rejected in the period."),
    _requests("on_time", "count", "requests", N_("Requests completed on time"),
              "Requests completed in the period on or before their due date."),
    _requests("on_time_rate", "rate", "fraction of completed requests",
              N_("On-time completion rate"),
              "Share of the period's completed requests that were on time."),
    _requests("open", "count", "requests", N_("Open requests"),
              "Requests received by the end of the period and not closed by then."),
    _requests("overdue", "count", "requests", N_("Overdue open requests"),
              "Open requests whose due date is before the end of the period."),
    Declaration("adherence.observations", "count", "observations",
                N_("Adherence observations"), "Adherence observations in the period."),
    Declaration("adherence.breaches", "count", "observations", N_("Breaches of SOPs"),
                "Observed breaches of a rule in the period."),
    Declaration("adherence.rate", "rate", "fraction of rated observations",
                N_("Adherence to SOPs"),
                "comply / (comply + breach) over the period's observations."),
    Declaration("findings.open", "count", "findings", N_("Open findings"),
                "Findings not closed at the end of the period."),
    Declaration("findings.overdue", "count", "findings", N_("Overdue corrective actions"),
                "Open findings whose corrective action was due before the end of the "
                "period."),
    Declaration("findings.open_major", "count", "findings",
                N_("Open major nonconformities"),
                "Major nonconformities open at the end of the period."),
    Declaration("satisfaction.responses", "count", "survey responses",
                N_("Satisfaction survey responses"),
                "Survey (SKM) responses received in the period.", per_service=True),
    Declaration("satisfaction.ikm", "index", "index points (0-100)",
                N_("Community satisfaction index (IKM)"),
                "IKM (PermenPAN-RB 14/2017): mean of the nine elements' NRR x 25, 0-100; "
                "none without responses.", per_service=True),
    Declaration("complaints.received", "count", "complaints", N_("Complaints received"),
                "Complaints received in the period."),
    Declaration("complaints.open", "count", "complaints", N_("Open complaints"),
                "Complaints received by the end of the period and not closed by then."),
    Declaration("complaints.response_on_time_rate", "rate",
                "fraction of complaints received", N_("Complaints answered on time"),
                "Of the complaints received in the period, the share answered on or before "
                "their response due date; answered later, or unanswered with the due date "
                "passed at the end of the period, is late; unanswered and not yet due is not "
                "counted (null when none is counted)."),
    Declaration("complaints.overdue", "count", "complaints",
                N_("Complaints not answered in time"),
                "Complaints open at the end of the period, not responded to, whose "
                "response was due before the end of the period."),
    Declaration("audits.clause_coverage_12m", "rate", "fraction of assessable clauses",
                N_("Clauses audited in 12 months"),
                "Share of the checklist's assessable clauses audited in the 12 months up "
                "to the end of the period (in an audit, its own checklist; else the "
                "default one)."),
    Declaration("documents.stale", "count", "documents",
                N_("Documents past their review date"),
                "Documents in force whose review date passed before the end of the "
                "period."),
    Declaration("documents.without_approval", "count", "documents",
                N_("Documents in force without approval"),
                "Documents in force at the end of the period without an approver or an "
                "approval date."),
    Declaration("documents.undistributed", "count", "documents",
                N_("Documents in force without distribution"),
                "Documents in force at the end of the period that name no unit holding a "
                "controlled copy."),
    Declaration("providers.evaluation_overdue", "count", "providers",
                N_("External providers due for re-evaluation"),
                "Providers not stopped at the end of the period, never evaluated by then "
                "or whose re-evaluation was due before it."),
    Declaration("risks.treatment_overdue", "count", "risks",
                N_("Overdue risk treatments"),
                "Risks and opportunities open at the end of the period whose treatment was "
                "due before it."),
    Declaration("competence.gaps", "count", "staff competences",
                N_("Competence gaps"),
                "Competences required by the position of an active staff member without a "
                "training by the end of the period (none evaluated ineffective)."),
)

_DECLARED: dict[str, Declaration] = {d.name: d for d in DECLARATIONS}
_DEFINED: dict[str, MetricFn] = {}
# Bumped on every change, so that caches of what was validated against the declarations
# (loaded checklists) know when to look again.
_generation = [0]


def declared(name: str) -> Declaration | None:
    return _DECLARED.get(name)


def declarations() -> tuple[Declaration, ...]:
    """Every declared metric, in declaration order."""
    return tuple(_DECLARED.values())


def declared_names() -> list[str]:
    return sorted(_DECLARED)


def generation() -> int:
    return _generation[0]


def labels() -> dict[str, str]:
    """Metric name -> its label (a catalogue message, to be translated where shown)."""
    return {d.name: d.label for d in _DECLARED.values()}


def defines(name: str) -> Callable[[MetricFn], MetricFn]:
    """Register the function that computes a declared metric (a decorator)."""

    def register(fn: MetricFn) -> MetricFn:
        if name not in _DECLARED:
            raise ValueError(f"metric {name} is defined but not declared in "
                             "qmstrack.metric_catalogue")
        if name in _DEFINED and _DEFINED[name] is not fn:
            raise ValueError(f"metric {name} is defined twice")
        _DEFINED[name] = fn
        _generation[0] += 1
        return fn

    return register


def definitions() -> MappingProxyType[str, MetricFn]:
    """The metrics defined so far (:mod:`qmstrack.metrics` imports every definition
    module, so read this through it)."""
    return MappingProxyType(_DEFINED)


def planned_names(defined: Any = None) -> list[str]:
    """Declared metrics without a definition: a checklist may use them, an audit leaves
    their items pending."""
    done = _DEFINED if defined is None else defined
    return sorted(name for name in _DECLARED if name not in done)


@contextlib.contextmanager
def temporary_metric(declaration: Declaration, compute: MetricFn | None = None
                     ) -> Iterator[Declaration]:
    """Declare (and, with ``compute``, define) a metric for the duration of a block.

    For extensions and tests: the metric is known everywhere inside the block and
    removed, with its definition, when it ends.
    """
    if declaration.name in _DECLARED:
        raise ValueError(f"metric {declaration.name} is already declared")
    _DECLARED[declaration.name] = declaration
    _generation[0] += 1
    try:
        if compute is not None:
            defines(declaration.name)(compute)
        yield declaration
    finally:
        _DEFINED.pop(declaration.name, None)
        _DECLARED.pop(declaration.name, None)
        _generation[0] += 1

