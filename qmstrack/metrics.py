"""Computing the named metrics: every figure of the audit, the summary, the objectives and
the review comes from here.

A metric is computed over a period [start, end] (dates inclusive, :mod:`qmstrack.periods`)
and a scope of units (:mod:`qmstrack.scope`; empty = all units), following the definitions
in the product specification exactly. What a metric is (its kind, label and meaning) is
declared in :mod:`qmstrack.metric_catalogue`; how it is computed, in the definition modules
this module imports. It sits above both, so nothing below it imports it and there is
never a second implementation of a figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlite_utils

# Every definition module, so that every defined metric is registered once this module
# is imported.
from qmstrack import audit_programme, metric_defs, satisfaction  # noqa: F401
from qmstrack.errors import NotFound
from qmstrack.metric_catalogue import Declaration, declared, definitions, planned_names
from qmstrack.periods import Period
from qmstrack.scope import Scope

__all__ = ["Metric", "Period", "Scope", "compute", "compute_all", "get_metric", "find_metric",
           "metric_names", "planned_metrics"]


@dataclass(frozen=True)
class Metric:
    """A declared metric with the function that computes it."""

    declaration: Declaration
    compute: Callable[[sqlite_utils.Database, Period, Scope], float | int | None]

    @property
    def name(self) -> str:
        return self.declaration.name

    @property
    def kind(self) -> str:
        return self.declaration.kind

    @property
    def description(self) -> str:
        return self.declaration.description

    @property
    def per_service(self) -> bool:
        return self.declaration.per_service


def metric_names() -> list[str]:
    """The metrics that can be computed now, by name."""
    return sorted(name for name in definitions() if declared(name) is not None)


def planned_metrics() -> list[str]:
    """Declared metrics no definition computes yet: a checklist may bind items to them, and
    an audit leaves those items pending."""
    return planned_names(definitions())


def find_metric(name: str) -> Metric | None:
    """The metric of that name, None when it is not declared or not defined (planned)."""
    declaration, fn = declared(name), definitions().get(name)
    if declaration is None or fn is None:
        return None
    return Metric(declaration, fn)


def get_metric(name: str) -> Metric:
    metric = find_metric(name)
    if metric is None:
        raise NotFound(
            f"There is no metric {name!r}; 'qmstrack metrics --list' shows them."
        )
    return metric


def compute(db: sqlite_utils.Database, name: str, period: Period,
            scope: Scope = Scope()) -> float | int | None:
    return get_metric(name).compute(db, period, scope)


def compute_all(db: sqlite_utils.Database, period: Period, scope: Scope = Scope(),
                names: Sequence[str] | None = None) -> dict[str, float | int | None]:
    return {name: compute(db, name, period, scope) for name in (names or metric_names())}
