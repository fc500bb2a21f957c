"""The metric registry: one SQL definition per named metric.

A metric is computed over a period [start, end] (dates inclusive) and a scope of units
(empty scope = all units), following the definitions in the product specification exactly.
The audit, the nightly summary, quality objectives and the management review all read
their numbers from here, so there is never a second implementation of a figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlite_utils


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            from qmstrack.errors import InvalidInput

            raise InvalidInput(
                f"The period ends ({self.end}) before it starts ({self.start})."
            )


@dataclass(frozen=True)
class Scope:
    """Which units (and optionally which service) a figure covers; empty means all.

    ``checklist``: the checklist an audit measures against, for the metrics about the
    audit programme itself; without it they use the office's default checklist.
    """

    units: tuple[str, ...] = ()
    service: str | None = None
    checklist: Any = field(default=None, compare=False)

    def where(self, unit_column: str = "unit", service_column: str | None = None
              ) -> tuple[str, list]:
        clauses, params = [], []
        if self.units:
            clauses.append(f"{unit_column} IN ({', '.join('?' for _ in self.units)})")
            params.extend(self.units)
        if self.service is not None and service_column:
            clauses.append(f"{service_column} = ?")
            params.append(self.service)
        return (" AND ".join(clauses) or "1"), params


MetricFn = Callable[[sqlite_utils.Database, Period, Scope], "float | int | None"]


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # "rate" (0-1 or None), "count", "index" (0-100)
    description: str
    compute: MetricFn
    # Metrics scoped by service honour Scope.service; others ignore it.
    per_service: bool = False


REGISTRY: dict[str, Metric] = {}


def metric(name: str, kind: str, description: str, *, per_service: bool = False):
    def register(fn: MetricFn) -> MetricFn:
        REGISTRY[name] = Metric(name, kind, description, fn, per_service)
        return fn

    return register


def metric_names() -> list[str]:
    _load_all()
    return sorted(REGISTRY)


def get_metric(name: str) -> Metric:
    from qmstrack.errors import NotFound

    _load_all()
    try:
        return REGISTRY[name]
    except KeyError:
        raise NotFound(
            f"There is no metric {name!r}; 'qmstrack metrics --list' shows them."
        ) from None


def compute(db: sqlite_utils.Database, name: str, period: Period,
            scope: Scope = Scope()) -> float | int | None:
    return get_metric(name).compute(db, period, scope)


def compute_all(db: sqlite_utils.Database, period: Period, scope: Scope = Scope(),
                names: Sequence[str] | None = None) -> dict[str, float | int | None]:
    return {name: compute(db, name, period, scope) for name in (names or metric_names())}


def _load_all() -> None:
    # Metric definitions live beside this registry; importing registers them.
    from qmstrack import audit_metrics, metric_defs, satisfaction  # noqa: F401
    from qmstrack.registers import complaints, documents  # noqa: F401


def day_before(d: date) -> date:
    return d - timedelta(days=1)
