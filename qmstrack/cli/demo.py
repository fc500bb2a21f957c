"""``qmstrack demo``: fill a new database with a realistic year of records."""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.options import JsonOption


def register(root: typer.Typer) -> None:
    @root.command("demo")
    def demo(
        ctx: typer.Context,
        seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed "
                                          "gives the same records.")] = 1,
        json: JsonOption = False,
    ) -> None:
        """Create (if needed) and fill a database with a demo year for three units."""
        from qmstrack.cli.output import message, print_json
        from qmstrack.cli.state import db_path, open_db
        from qmstrack.demo import fill_demo

        db = open_db(ctx, create=True)
        counts = fill_demo(db, seed=seed)
        if counts is None:
            message(f"{db_path(ctx)} already holds the demo (seed {seed}); nothing to do.")
            if json:
                print_json({"already_filled": True, "seed": seed})
            return
        if json:
            print_json(counts)
            return
        figures = ", ".join(f"{v} {k}" for k, v in counts.items()
                            if k not in ("start", "end"))
        message(f"Demo data {counts['start']} to {counts['end']} written to "
                f"{db_path(ctx)}: {figures}.")
