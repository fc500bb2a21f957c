"""``qmstrack metrics``: every named metric over a period and scope."""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.options import FromOption, JsonOption, ToOption, UnitFilter


def register(root: typer.Typer) -> None:
    @root.command("metrics")
    def metrics(
        ctx: typer.Context,
        from_: FromOption = None,
        to: ToOption = None,
        unit: UnitFilter = None,
        service: Annotated[str | None, typer.Option("--service", help="Only this service "
                                                    "(for per-service metrics).")] = None,
        list_: Annotated[bool, typer.Option("--list", help="List the metrics and what "
                                            "they mean.")] = False,
        json: JsonOption = False,
    ) -> None:
        """Compute every metric for a period (default: the previous calendar month)."""
        from qmstrack.cli.output import emit_rows, print_json
        from qmstrack.cli.state import open_db
        from qmstrack.cli.values import opt_date, opt_units, option_value
        from qmstrack.clock import office_today
        from qmstrack.errors import UsageError
        from qmstrack.metrics import REGISTRY, Period, Scope, metric_names
        from qmstrack.parsing import previous_month

        names = metric_names()
        if list_:
            rows = [{"name": n, "kind": REGISTRY[n].kind,
                     "description": REGISTRY[n].description} for n in names]
            emit_rows(rows, ["name", "kind", "description"], as_json=json)
            return
        if bool(from_) != bool(to):
            raise UsageError("--from and --to go together.")
        db = open_db(ctx)
        if from_:
            period = option_value("--from/--to", lambda: Period(opt_date(from_, "--from"),
                                                                opt_date(to, "--to")))
        else:
            period = Period(*previous_month(office_today(db)))
        scope = Scope(opt_units(db, unit), service)
        values = {n: REGISTRY[n].compute(db, period, scope) for n in names}
        if json:
            print_json({"period": {"start": period.start, "end": period.end},
                        "units": list(scope.units), "service": service, "metrics": values})
            return

        def shown(name):
            value = values[name]
            if value is None:
                return "-"
            if REGISTRY[name].kind == "rate":
                return f"{value:.1%}"
            return f"{value:.2f}" if isinstance(value, float) else str(value)

        emit_rows([{"metric": n, "value": shown(n)} for n in names], ["metric", "value"],
                  title=f"Metrics {period.start} to {period.end}")
