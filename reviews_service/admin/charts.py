"""Server-rendered SVG charts: no script, no outside file, readable without colour.

Every bar and point carries its value as text, a second series is told apart by a hatch pattern
(and a different marker shape), and each chart comes with the same numbers as a table for
screen readers and for copying. Colours come from admin.css classes, so dark mode works too.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from .language import ngettext, number, percent

_ids = itertools.count(1)

W = 640  # the viewBox width; the SVG scales to its container
PAD_L, PAD_R, PAD_T, PAD_B = 44, 12, 22, 40


@dataclass
class Chart:
    """An SVG and the table that says the same."""

    id: str
    title: str
    svg: Markup
    columns: list[str]
    rows: list[list[str]]
    summary: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, label)

    def __html__(self) -> str:  # lets a template write {{ chart }} for the bare SVG
        return str(self.svg)


def _fmt_int(v: float | None) -> str:
    return number(None if v is None else round(v))


def _fmt_pct(v: float | None) -> str:
    return percent(v)


def _fmt_avg(v: float | None) -> str:
    return number(v, places=2)


def _fmt_nps(v: float | None) -> str:
    """A Net Promoter Score as a signed whole number: `+50`, `0`, `-100`."""
    if v is None:
        return number(None)
    return ("+" if round(v) > 0 else "") + number(round(v))


def stars(n: int) -> str:
    """`4 stars`, a row's label in the charts by star level."""
    return ngettext("%(num)d star", "%(num)d stars", n)


FORMATS: dict[str, Callable[[float | None], str]] = {"int": _fmt_int, "pct": _fmt_pct, "avg": _fmt_avg,
                                                     "nps": _fmt_nps}


def _nice_step(raw: float, integers: bool) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50 ... that is at least `raw` (whole numbers for counts)."""
    step = 1.0 if integers else 0.01
    while True:
        for factor in (1, 2, 5):
            if step * factor >= raw:
                return step * factor
        step *= 10


def _axis(value: float, fmt: str) -> tuple[float, float]:
    """The top of the axis and the step between gridlines: at most four steps, round numbers,
    and never two gridlines with the same label (0, 1, 1, 2 for a count of two)."""
    if fmt == "pct":
        return 100.0, 25.0
    step = _nice_step(max(value, 0) / 4, integers=fmt == "int")
    top = step * max(1, -(-value // step)) if value > 0 else step
    return top, step


def _open(chart_id: str, title: str, desc: str, height: int) -> list[str]:
    t, d = f"{chart_id}-t", f"{chart_id}-d"
    return [
        f'<svg class="chart" viewBox="0 0 {W} {height}" width="{W}" height="{height}" role="img" '
        f'aria-labelledby="{t} {d}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{t}">{escape(title)}</title><desc id="{d}">{escape(desc)}</desc>',
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" class="hatch-line" stroke-width="3"/></pattern></defs>',
    ]


def _gridlines(top: float, step: float, height: int, fmt: Callable) -> list[str]:
    out = []
    plot_h = height - PAD_T - PAD_B
    count = round(top / step)
    for i in range(count + 1):
        value = step * i
        y = PAD_T + plot_h - plot_h * value / top
        out.append(f'<line class="grid" x1="{PAD_L}" x2="{W - PAD_R}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="axis" x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{fmt(value)}</text>')
    return out


def _x_labels(labels: Sequence[str], xs: list[float], height: int) -> list[str]:
    every = max(1, -(-len(labels) // 13))  # at most ~13 labels fit under the axis
    return [f'<text class="axis" x="{x:.1f}" y="{height - PAD_B + 16}" text-anchor="middle">{escape(lab)}</text>'
            for n, (lab, x) in enumerate(zip(labels, xs, strict=True)) if n % every == 0 or n == len(labels) - 1]


def bars(labels: Sequence[str], series: Sequence[Sequence[float | None]], *, title: str, desc: str = "",
         names: Sequence[str] = ("",), fmt: str = "int", height: int = 240, top: float | None = None) -> Chart:
    """Vertical bars, one group per label; the second series is hatched."""
    chart_id = f"chart{next(_ids)}"
    f = FORMATS[fmt]
    values = [v for s in series for v in s if v is not None]
    top, step = (top, top / 4) if top else _axis(max(values, default=0), fmt)
    plot_w, plot_h = W - PAD_L - PAD_R, height - PAD_T - PAD_B
    group_w = plot_w / max(1, len(labels))
    bar_w = min(40, group_w * 0.8 / len(series))
    show_values = group_w >= 22 * len(series)
    out = _open(chart_id, title, desc, height) + _gridlines(top, step, height, f)
    centers = []
    for n, _label in enumerate(labels):
        cx = PAD_L + group_w * (n + 0.5)
        centers.append(cx)
        for k, s in enumerate(series):
            v = s[n]
            x = cx - bar_w * len(series) / 2 + bar_w * k
            h = 0 if not v else plot_h * v / top
            y = PAD_T + plot_h - h
            fill = f' fill="url(#{chart_id}-hatch)"' if k == 1 else ""
            label = f"{escape(_label)}: {escape(names[k]) + ' ' if names[k] else ''}{f(v)}"
            out.append(f'<rect class="bar bar-{k}" x="{x + 1:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" '
                       f'height="{h:.1f}"{fill}><title>{label}</title></rect>')
            if show_values and v:  # a missing bar says 0 well enough; the table has every number
                out.append(f'<text class="value" x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" '
                           f'text-anchor="middle">{f(v)}</text>')
    out += _x_labels(labels, centers, height)
    out.append(f'<line class="axis-line" x1="{PAD_L}" x2="{W - PAD_R}" y1="{PAD_T + plot_h}" y2="{PAD_T + plot_h}"/>')
    out.append("</svg>")
    rows = [[lab, *[f(s[n]) for s in series]] for n, lab in enumerate(labels)]
    legend = [(f"swatch-{k}", name) for k, name in enumerate(names)] if len(series) > 1 else []
    return Chart(chart_id, title, Markup("".join(out)), ["", *[n or title for n in names]], rows, desc, legend)


def line(labels: Sequence[str], values: Sequence[float | None], *, title: str, desc: str = "",
         fmt: str = "avg", bottom: float = 0, top: float | None = None, height: int = 240,
         name: str = "", notes: Sequence[str] = (), note_name: str = "") -> Chart:
    """A line through the known points (a gap where a value is missing), each point labelled;
    `notes` (one per label, e.g. "4 answers") join each point's tooltip and a column of the table."""
    chart_id = f"chart{next(_ids)}"
    f = FORMATS[fmt]
    known = [v for v in values if v is not None]
    top = top or _axis(max(known, default=0), fmt)[0]
    plot_w, plot_h = W - PAD_L - PAD_R, height - PAD_T - PAD_B
    step = plot_w / max(1, len(labels))
    xs = [PAD_L + step * (n + 0.5) for n in range(len(labels))]

    def y_of(v: float) -> float:
        return PAD_T + plot_h - plot_h * (v - bottom) / (top - bottom)

    out = _open(chart_id, title, desc, height)
    for i in range(5):
        value = bottom + (top - bottom) * i / 4
        y = y_of(value)
        out.append(f'<line class="grid" x1="{PAD_L}" x2="{W - PAD_R}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="axis" x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{f(value)}</text>')
    segment: list[str] = []
    paths = []
    for x, v in zip(xs, values, strict=True):
        if v is None:
            if segment:
                paths.append(segment)
            segment = []
        else:
            segment.append(f"{x:.1f},{y_of(v):.1f}")
    if segment:
        paths.append(segment)
    for pts in paths:
        out.append(f'<polyline class="line" points="{" ".join(pts)}" fill="none"/>')
    show_values = step >= 30
    for n, (x, v, lab) in enumerate(zip(xs, values, labels, strict=True)):
        if v is None:
            continue
        y = y_of(v)
        note = f" · {escape(notes[n])}" if notes else ""
        out.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4"><title>{escape(lab)}: {f(v)}{note}</title>'
                   '</circle>')
        if show_values:
            out.append(f'<text class="value" x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{f(v)}</text>')
    out += _x_labels(labels, xs, height)
    out.append("</svg>")
    rows = [[lab, f(v), *([notes[n]] if notes else [])] for n, (lab, v) in enumerate(zip(labels, values, strict=True))]
    columns = ["", name or title, *([note_name] if notes else [])]
    return Chart(chart_id, title, Markup("".join(out)), columns, rows, desc)


def hbars(rows: Sequence[tuple[str, float | None, str]], *, title: str, desc: str = "", fmt: str = "int",
          top: float | None = None, marks: Sequence[tuple[float, str]] = (), second: Sequence[float | None] = (),
          names: Sequence[str] = ("",), tags: Sequence[str] = ()) -> Chart:
    """Horizontal bars, one row per label, with the value (and a note) written beside each bar.
    `second` adds a hatched bar under each row, each value then followed by its tag ("3 stored");
    `marks` draws labelled reference lines."""
    tags = tags or [str(n).lower() for n in names]
    chart_id = f"chart{next(_ids)}"
    f = FORMATS[fmt]
    pairs = bool(second)
    row_h = 44 if pairs else 28
    label_w, value_w = 130, 150
    height = PAD_T + row_h * len(rows) + 18
    values = [v for _, v, _ in rows if v is not None] + [v for v in second if v is not None]
    top = top or _axis(max(values, default=0), fmt)[0]
    plot_w = W - label_w - value_w
    out = _open(chart_id, title, desc, height)
    for n, (label, v, note) in enumerate(rows):
        y = PAD_T + row_h * n
        out.append(f'<text class="label" x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        bar_values = [(0, v)] + ([(1, second[n])] if pairs else [])
        for k, value in bar_values:
            w = 0 if not value else plot_w * value / top
            by = y + 4 + k * 18
            fill = f' fill="url(#{chart_id}-hatch)"' if k == 1 else ""
            name = names[k] if k < len(names) else ""
            tip = f"{escape(label)}: {escape(name) + ' ' if name else ''}{f(value)}"
            out.append(f'<rect class="bar bar-{k}" x="{label_w}" y="{by}" width="{max(w, 0):.1f}" height="16"{fill}>'
                       f'<title>{tip}</title></rect>')
            tag = tags[k] if k < len(tags) else ""
            text = f(value) + (f" {escape(tag)}" if pairs and tag else "") + (f" · {escape(note)}" if note and k == 0 else "")
            out.append(f'<text class="value" x="{label_w + w + 6:.1f}" y="{by + 12}">{text}</text>')
    for n, (value, label) in enumerate(marks):
        x = label_w + plot_w * value / top
        # Two reference lines may sit close together: one is labelled above the bars, one below.
        label_y = height - 2 if n % 2 == 0 else PAD_T - 10
        out.append(f'<line class="mark" x1="{x:.1f}" x2="{x:.1f}" y1="{PAD_T - 6}" y2="{height - 14}"/>')
        out.append(f'<text class="axis" x="{x:.1f}" y="{label_y}" text-anchor="middle">{escape(label)}</text>')
    out.append("</svg>")
    table_rows = [[label, f(v), *([f(second[n])] if pairs else []), note] for n, (label, v, note) in enumerate(rows)]
    columns = ["", names[0] or title, *([names[1]] if pairs else []), ""]
    legend = [(f"swatch-{k}", nm) for k, nm in enumerate(names)] if pairs else []
    return Chart(chart_id, title, Markup("".join(out)), columns, table_rows, desc, legend)


def histogram_pair(received: dict, stored: dict, *, labels: tuple[str, str], tags: tuple[str, str], title: str,
                   desc: str) -> Chart:
    """The star distribution of two sets side by side (the import report): equal shapes show that
    nothing was filtered by rating. `tags` follow each value ("3 stored")."""
    def count(h: dict, star: int) -> int:
        return int(h.get(str(star), h.get(star, 0)) or 0)

    rows = [(stars(star), count(received, star), "") for star in range(5, 0, -1)]
    second = [count(stored, star) for star in range(5, 0, -1)]
    return hbars(rows, second=second, names=labels, tags=tags, title=title, desc=desc)
