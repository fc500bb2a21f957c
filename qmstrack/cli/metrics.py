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
        from qmstrack.cli.values import opt_period, opt_units
        from qmstrack.clock import office_today
        from qmstrack.metrics import Scope, get_metric, metric_names
        from qmstrack.periods import previous_month

        metrics = {n: get_metric(n) for n in metric_names()}
        names = list(metrics)
        if list_:
            rows = [{"name": n, "kind": metrics[n].kind,
                     "description": metrics[n].description} for n in names]
            emit_rows(rows, ["name", "kind", "description"], as_json=json)
            return
        if from_ is None and to is None:
            db = open_db(ctx)
            period = previous_month(office_today(db))
        else:
            period = opt_period(from_, to)
            db = open_db(ctx)
        scope = Scope(opt_units(db, unit), service)
        values = {n: metrics[n].compute(db, period, scope) for n in names}
        if json:
            print_json({"period": {"start": period.start, "end": period.end},
                        "units": list(scope.units), "service": service, "metrics": values})
            return

        from qmstrack.i18n import _

        def shown(name):
            value = values[name]
            if value is None:
                return "-"
            if metrics[name].kind == "rate":
                from qmstrack.cli.output import percent

                return percent(value)
            return f"{value:.2f}" if isinstance(value, float) else str(value)

        emit_rows([{"metric": n, "value": shown(n)} for n in names], ["metric", "value"],
                  title=_("Metrics {start} to {end}").format(start=period.start,
                                                             end=period.end))
