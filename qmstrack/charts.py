"""Inline SVG charts for the HTML reports, built from data as plain strings.

No plotting library and no JavaScript: each function takes the figures and the (already
translated) labels and returns an ``<svg>`` element as :class:`markupsafe.Markup`, ready to
be placed in an autoescaped template. Every text that ends up in the SVG goes through
:func:`markupsafe.escape`, and numbers are written with a fixed number of decimals, so the
same data always gives byte-for-byte the same chart.

- :func:`stacked_bar_chart`: items graded per top-level clause, stacked by grade.
- :func:`line_chart`: monthly rates (e.g. on-time completion and adherence), with the
  target of each series as a dashed line; months without data leave a gap; an emphasised
  series (the office's) is drawn over the others, and periods not yet over are shaded.
- :func:`horizontal_bar_chart`: one bar per label with its value written at its end
  (e.g. the audit results per grade, with their counts).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# The colour of each audit grade, shared by the chart and the HTML badges, and the text
# colour that keeps a badge readable on it (contrast >= 4.5:1).
GRADE_COLOURS: dict[str, tuple[str, str]] = {
    "conform": ("#2e7d32", "#ffffff"),
    "minor": ("#f9a825", "#1f1f1f"),
    "major": ("#c62828", "#ffffff"),
    "observation": ("#1565c0", "#ffffff"),
    "na": ("#757575", "#ffffff"),
    "pending": ("#cfd8dc", "#1f1f1f"),
}
SERIES_COLOURS = ("#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a")
AXIS_COLOUR = "#5f6b7a"
GRID_COLOUR = "#e3e8ee"
FONT_SIZE = 12


@dataclass(frozen=True)
class BarGroup:
    """One bar: its axis label, a longer description (tooltip) and the value per segment."""

    label: str
    values: dict[str, int]
    description: str = ""


@dataclass(frozen=True)
class Segment:
    """A kind of segment stacked in the bars (a grade): key, legend label, colour."""

    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class LineSeries:
    """A line: its legend label, one value per x position (None = no data), its target."""

    label: str
    values: Sequence[float | None]
    target: float | None = None
    colour: str | None = None
    # Drawn after (over) the other lines, thicker: the office's line over the units'.
    emphasis: bool = False


def _n(x: float) -> str:
    """A coordinate with one decimal, without a trailing ``.0`` (stable text)."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(x: float, y: float, content: str, *, anchor: str = "middle", size: int = FONT_SIZE,
          fill: str = AXIS_COLOUR, weight: str | None = None, extra: str = "") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}"{bold}{extra}>{escape(content)}</text>')


def _nice_step(maximum: float, ticks: int = 5) -> float:
    """A round step (1, 2, 5 x 10^n) giving about ``ticks`` intervals up to ``maximum``."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def _open_svg(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]


def _legend(entries: Sequence[tuple[str, str, bool]], x: float, y: float) -> list[str]:
    """Legend rows at (x, y): (label, colour, dashed-line sample instead of a square)."""
    out = []
    for i, (label, colour, line) in enumerate(entries):
        top = y + i * 20
        if line:
            out.append(f'<line x1="{_n(x)}" y1="{_n(top + 6)}" x2="{_n(x + 14)}" '
                       f'y2="{_n(top + 6)}" stroke="{escape(colour)}" stroke-width="2" '
                       f'stroke-dasharray="4 3"/>')
        else:
            out.append(f'<rect x="{_n(x)}" y="{_n(top)}" width="12" height="12" rx="2" '
                       f'fill="{escape(colour)}"/>')
        out.append(_text(x + 20, top + 10, label, anchor="start", fill="#2b2b2b"))
    return out


def stacked_bar_chart(groups: Sequence[BarGroup], segments: Sequence[Segment], *,
                      title: str, y_label: str = "", empty_text: str = "",
                      width: int = 680, height: int = 280,
                      number: Callable[[float], str] = lambda x: f"{x:g}") -> Markup:
    """Vertical bars, one per group, stacked by segment in the order of ``segments``."""
    legend_width = 230
    left, right, top, bottom = 48, legend_width, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(g.values.get(s.key, 0) for s in segments) for g in groups]
    maximum = max(totals, default=0)
    step = _nice_step(maximum) if maximum else 1
    y_max = max(step, math.ceil(maximum / step) * step)
    out = _open_svg(width, height, title)
    # grid and y axis
    ticks = int(round(y_max / step))
    for i in range(ticks + 1):
        value = i * step
        y = top + plot_h - plot_h * value / y_max
        out.append(f'<line x1="{left}" y1="{_n(y)}" x2="{left + plot_w}" y2="{_n(y)}" '
                   f'stroke="{GRID_COLOUR}" stroke-width="1"/>')
        out.append(_text(left - 6, y + 4, number(value), anchor="end"))
    if y_label:
        out.append(_text(12, top + plot_h / 2, y_label, extra=(
            f' transform="rotate(-90 12 {_n(top + plot_h / 2)})"')))
    if groups:
        slot = plot_w / len(groups)
        bar_w = min(44.0, slot * 0.6)
        for index, group in enumerate(groups):
            x = left + slot * index + (slot - bar_w) / 2
            y = top + plot_h
            tip = group.description or group.label
            out.append(f"<g><title>{escape(tip)}</title>")
            for segment in segments:
                value = group.values.get(segment.key, 0)
                if not value:
                    continue
                h = plot_h * value / y_max
                y -= h
                out.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w)}" '
                           f'height="{_n(h)}" fill="{escape(segment.colour)}">'
                           f"<title>{escape(f'{tip}: {segment.label} {number(value)}')}"
                           f"</title></rect>")
            out.append("</g>")
            if totals[index]:
                out.append(_text(x + bar_w / 2, y - 4, number(totals[index]), size=11,
                                 fill="#2b2b2b"))
            out.append(_text(x + bar_w / 2, top + plot_h + 18, group.label,
                             fill="#2b2b2b", weight="600"))
    elif empty_text:
        out.append(_text(left + plot_w / 2, top + plot_h / 2, empty_text))
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
               f'y2="{top + plot_h}" stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    out.extend(_legend([(s.label, s.colour, False) for s in segments],
                       width - legend_width + 16, top + 4))
    out.append("</svg>")
    return Markup("".join(out))


def line_chart(x_labels: Sequence[str], series: Sequence[LineSeries], *, title: str,
               value_text: Callable[[float], str], target_label: str = "target",
               empty_text: str = "", width: int = 680, height: int = 280,
               partial: Sequence[bool] = (), partial_label: str = "") -> Markup:
    """Lines over ``x_labels`` for values between 0 and 1 (rates).

    ``partial`` flags the x positions whose period is not over (a quarter cut at the end
    of the data): their slot is shaded, their point drawn hollow and dashed, and
    ``partial_label`` says so in the legend. Emphasised series are drawn last, so that no
    other line hides them.

    The y axis starts at a round value below the lowest value or target (0 when values
    reach that far) so that differences of a few points stay visible; its ticks are
    labelled, so the chart never hides where it starts. ``value_text`` writes a tick or a
    point value (e.g. ``92,5%``).
    """
    legend_width = 230
    left, right, top, bottom = 56, legend_width, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    values += [s.target for s in series if s.target is not None]
    low = min(values, default=0.0)
    y_min = max(0.0, math.floor((low - 0.05) * 10) / 10)
    y_max = 1.0
    span = y_max - y_min or 1.0
    step = 0.1 if span <= 0.5 else 0.2
    n = len(x_labels)
    out = _open_svg(width, height, title)

    def sx(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n if n else plot_w / 2)

    def sy(v: float) -> float:
        return top + plot_h - plot_h * (v - y_min) / span

    tick = y_min
    while tick <= y_max + 1e-9:
        y = sy(tick)
        out.append(f'<line x1="{left}" y1="{_n(y)}" x2="{left + plot_w}" y2="{_n(y)}" '
                   f'stroke="{GRID_COLOUR}" stroke-width="1"/>')
        out.append(_text(left - 6, y + 4, value_text(round(tick, 4)), anchor="end"))
        tick += step
    flags = [bool(f) for f in list(partial)[:n]] + [False] * max(0, n - len(partial))
    for i, flag in enumerate(flags):
        if flag:
            slot = plot_w / n
            out.append(f'<rect class="partial" x="{_n(left + slot * i)}" y="{top}" '
                       f'width="{_n(slot)}" height="{plot_h}" fill="#eef1f5">'
                       f"<title>{escape(f'{x_labels[i]}: {partial_label}')}</title></rect>")
    for i, label in enumerate(x_labels):
        out.append(_text(sx(i), top + plot_h + 18, label + (" *" if flags[i] else ""),
                         fill="#2b2b2b"))
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
               f'y2="{top + plot_h}" stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    legend: list[tuple[str, str, bool]] = []
    colours = [line.colour or SERIES_COLOURS[index % len(SERIES_COLOURS)]
               for index, line in enumerate(series)]
    for line, colour in zip(series, colours, strict=True):
        legend.append((line.label, colour, False))
        if line.target is not None and y_min <= line.target <= y_max:
            legend.append((f"{target_label} {value_text(line.target)}", colour, True))
    # The emphasised lines last: SVG paints in document order.
    order = sorted(range(len(series)), key=lambda index: series[index].emphasis)
    for index in order:
        line, colour = series[index], colours[index]
        width_px = "3.5" if line.emphasis else "2.5"
        if line.target is not None and y_min <= line.target <= y_max:
            y = sy(line.target)
            out.append(f'<line x1="{left}" y1="{_n(y)}" x2="{left + plot_w}" y2="{_n(y)}" '
                       f'stroke="{escape(colour)}" stroke-width="1.5" '
                       f'stroke-dasharray="5 4" opacity="0.8">'
                       f"<title>{escape(f'{line.label}: {target_label} {value_text(line.target)}')}"
                       f"</title></line>")
        # A path broken where a month has no data.
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(line.values[:n]):
            if value is None:
                if runs[-1]:
                    runs.append([])
                continue
            runs[-1].append((sx(i), sy(value)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
                out.append(f'<polyline points="{points}" fill="none" '
                           f'stroke="{escape(colour)}" stroke-width="{width_px}" '
                           f'stroke-linejoin="round" stroke-linecap="round"/>')
        for i, value in enumerate(line.values[:n]):
            if value is None:
                continue
            dashed = ' stroke-dasharray="2 2"' if flags[i] else ""
            out.append(f'<circle cx="{_n(sx(i))}" cy="{_n(sy(value))}" r="3.5" '
                       f'fill="#ffffff" stroke="{escape(colour)}" stroke-width="2"{dashed}>'
                       f"<title>{escape(f'{x_labels[i]}: {line.label} {value_text(value)}')}"
                       f"</title></circle>")
    if not values and empty_text:
        out.append(_text(left + plot_w / 2, top + plot_h / 2, empty_text))
    if any(flags) and partial_label:
        legend.append((f"* {partial_label}", "#eef1f5", False))
    out.extend(_legend(legend, width - legend_width + 16, top + 4))
    out.append("</svg>")
    return Markup("".join(out))


def horizontal_bar_chart(labels: Sequence[str], values: Sequence[float | None], *,
                         title: str, maximum: float, value_text: Callable[[float], str],
                         colours: Sequence[str] | None = None, empty_text: str = "",
                         width: int = 640, bar_height: int = 22) -> Markup:
    """One horizontal bar per label, from 0 to ``maximum`` (e.g. an NRR on the 1-4 scale),
    each with its value written at its end; ``colours`` one per bar (default the first)."""
    left, right, top = 250, 70, 8
    plot_w = width - left - right
    height = top * 2 + bar_height * max(len(labels), 1) + 8
    out = _open_svg(width, height, title)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * bar_height
        # About 7 px a character at the labels' size: 33 of them fit the 250 px gutter.
        short = label if len(label) <= 33 else label[:32] + "…"
        out.append(_text(left - 8, y + bar_height * 0.68, short, anchor="end"))
        if value is None:
            continue
        colour = colours[i] if colours else SERIES_COLOURS[0]
        length = max(0.0, min(value, maximum)) / maximum * plot_w if maximum else 0
        out.append(f'<rect x="{left}" y="{_n(y + 3)}" width="{_n(length)}" '
                   f'height="{bar_height - 6}" rx="2" fill="{escape(colour)}">'
                   f"<title>{escape(f'{label}: {value_text(value)}')}</title></rect>")
        out.append(_text(left + length + 6, y + bar_height * 0.68, value_text(value),
                         anchor="start"))
    if not any(v is not None for v in values) and empty_text:
        out.append(_text(left + plot_w / 2, height / 2, empty_text))
    out.append("</svg>")
    return Markup("".join(out))
