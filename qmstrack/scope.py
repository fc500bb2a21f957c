"""Which units (and optionally which service) a figure covers.

A :class:`Scope` turns into the SQL condition every metric and register query adds to its
own, so that "the SMA unit's on-time rate" means the same rows everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
        clauses: list[str] = []
        params: list[Any] = []
        if self.units:
            clauses.append(f"{unit_column} IN ({', '.join('?' for _ in self.units)})")
            params.extend(self.units)
        if self.service is not None and service_column:
            clauses.append(f"{service_column} = ?")
            params.append(self.service)
        return (" AND ".join(clauses) or "1"), params
