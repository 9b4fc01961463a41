"""The MSEL rendered as a rich table in the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ttx.loader.load import LoadedScenario
from ttx.model.base import CONTROL_MATERIAL
from ttx.preview.msel import MselRow
from ttx.text import one_line

TLP_STYLES = {
    "TLP:RED": "bold white on red",
    "TLP:AMBER+STRICT": "bold black on dark_orange",
    "TLP:AMBER": "bold black on dark_orange",
    "TLP:GREEN": "bold white on green4",
    "TLP:CLEAR": "bold black on white",
}


def print_table(loaded: LoadedScenario, rows: list[MselRow], console: Console | None = None) -> None:
    """Print the MSEL as one table per exercise day, with the day's lead and title."""
    console = console or Console()
    scenario = loaded.scenario
    exercise = scenario.exercise
    label = loaded.plan.handling_label().label  # the table lists every inject, whatever its label
    console.print(
        Text.assemble(
            ("EXERCISE — ", "bold"),
            (label, TLP_STYLES[label]),
            (f" {CONTROL_MATERIAL}", "bold"),
            (f"  {one_line(exercise.title)} (v{one_line(exercise.version)}) — master scenario events list", "bold"),
        )
    )
    days = {day.day: day for day in scenario.days}
    for number in sorted({row.day for row in rows}):
        day = days.get(number)
        title = f"Day {number}"
        if day is not None:
            title += f": {day.title}" + (f" — lead {day.lead}" if day.lead else "")
        table = Table(title=Text(one_line(title)), title_justify="left", show_lines=False, expand=True)
        table.add_column("Time", no_wrap=True)
        table.add_column("Id", no_wrap=True, style="bold")
        wide = console.width >= 120
        if wide:
            table.add_column("Phase", ratio=1)
        table.add_column("From → To", ratio=2)
        table.add_column("TLP", no_wrap=True)
        table.add_column("Title / channel / objectives", ratio=3)
        table.add_column("Release", ratio=2)
        for row in rows:
            if row.day != number:
                continue
            cells: list[Text] = [
                Text(one_line(row.time)),
                Text(one_line(row.id)),
                *([Text(one_line(row.phase))] if wide else []),
                Text(f"{one_line(row.source)}\n→ {one_line(row.to)}"),
                Text(row.tlp.removeprefix("TLP:") if not wide else row.tlp, TLP_STYLES.get(row.tlp, "")),
                Text.assemble(one_line(row.title), "\n", (one_line(f"{row.channel} · {row.objectives}"), "dim")),
                Text(one_line(row.release)),
            ]
            table.add_row(*cells)
        console.print(table)
    console.print(Text(f"{len(rows)} injects", style="dim"))
