"""The dossier's charts as small self-contained SVG (no plotting library, nothing to fetch): lines and bars."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

WIDTH, HEIGHT = 440, 220
PAD_L, PAD_R, PAD_T, PAD_B = 46, 12, 26, 34
COLOURS = ("#4c78a8", "#e45756", "#54a24b", "#b279a2", "#f58518", "#72b7b2")
AXIS, TEXT, FAINT = "#888", "#333", "#c9d3dd"


def _n(x: float) -> str:
    return f"{x:.4g}"


def _frame(title: str, body: list[str], width: int = WIDTH, height: int = HEIGHT) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} '
            f'{height}" role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">'
            f'<title>{escape(title)}</title><text x="{PAD_L}" y="15" fill="{TEXT}" font-weight="bold">'
            f'{escape(title)}</text>' + "".join(body) + "</svg>")


def lines(title: str, series: Sequence[tuple[str, Sequence[float], Sequence[float]]], x_title: str, y_title: str,
          faint: Sequence[tuple[Sequence[float], Sequence[float]]] = (), diagonal: bool = False) -> str:
    """Line chart of `series` [(name, xs, ys)]; `faint` lines under them (ICE curves); `diagonal` draws y = x."""
    points = [v for _, xs, ys in series for v in zip(xs, ys)] + [v for xs, ys in faint for v in zip(xs, ys)]
    if not points:
        return _frame(title, [f'<text x="{PAD_L}" y="60" fill="{AXIS}">nothing to draw</text>'])
    x_lo, x_hi = min(p[0] for p in points), max(p[0] for p in points)
    y_lo, y_hi = min(p[1] for p in points), max(p[1] for p in points)
    if diagonal:
        x_lo, x_hi, y_lo, y_hi = min(x_lo, 0.0), max(x_hi, 1.0), min(y_lo, 0.0), max(y_hi, 1.0)
    x_hi, y_hi = (x_hi if x_hi > x_lo else x_lo + 1), (y_hi if y_hi > y_lo else y_lo + 1)
    width, height = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B

    def sx(x: float) -> float:
        return PAD_L + (x - x_lo) / (x_hi - x_lo) * width

    def sy(y: float) -> float:
        return PAD_T + height - (y - y_lo) / (y_hi - y_lo) * height

    body = [f'<line x1="{PAD_L}" y1="{PAD_T + height}" x2="{PAD_L + width}" y2="{PAD_T + height}" stroke="{AXIS}"/>',
            f'<line x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{PAD_T + height}" stroke="{AXIS}"/>',
            f'<text x="{PAD_L}" y="{HEIGHT - 4}" fill="{TEXT}">{escape(x_title)}: {_n(x_lo)} to {_n(x_hi)}</text>',
            f'<text x="4" y="{PAD_T + 10}" fill="{TEXT}">{_n(y_hi)}</text>',
            f'<text x="4" y="{PAD_T + height}" fill="{TEXT}">{_n(y_lo)}</text>',
            f'<text x="{PAD_L + 4}" y="{PAD_T + 10}" fill="{AXIS}">{escape(y_title)}</text>']
    if diagonal:
        body.append(f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(1)}" y2="{sy(1)}" stroke="{FAINT}" '
                    'stroke-dasharray="4 3"/>')
    for xs, ys in faint:
        body.append(f'<polyline fill="none" stroke="{FAINT}" stroke-width="1" points="'
                    + " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys)) + '"/>')
    for i, (name, xs, ys) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                    + " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys)) + '"/>')
        if len(series) > 1 or name:
            body.append(f'<text x="{PAD_L + width - 150}" y="{PAD_T + 14 + 13 * i}" fill="{colour}">'
                        f'{escape(name)}</text>')
    return _frame(title, body)


def bars(title: str, items: Sequence[tuple[str, float, float | None]], value_title: str) -> str:
    """Horizontal bars [(label, value, spread or None)], largest first as given; the spread as a whisker."""
    if not items:
        return _frame(title, [f'<text x="{PAD_L}" y="60" fill="{AXIS}">nothing to draw</text>'])
    row = 18
    height = PAD_T + row * len(items) + 24
    label_w = 120
    top = max(max(abs(v) + (s or 0) for _, v, s in items), 1e-12)
    span = WIDTH - label_w - PAD_R - 50
    body = []
    for i, (label, value, spread) in enumerate(items):
        y = PAD_T + i * row
        length = max(0.0, value) / top * span
        body.append(f'<text x="{label_w - 6}" y="{y + 12}" fill="{TEXT}" text-anchor="end">{escape(label)}</text>')
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" fill="{COLOURS[0]}"/>')
        end = label_w + length
        if spread:
            low = max(0.0, value - spread) / top * span + label_w
            end = max(end, (max(0.0, value) + spread) / top * span + label_w)
            body.append(f'<line x1="{low:.1f}" y1="{y + row / 2}" x2="{end:.1f}" y2="{y + row / 2}" stroke="{TEXT}"/>')
        body.append(f'<text x="{end + 6:.1f}" y="{y + 12}" fill="{TEXT}">{_n(value)}</text>')
    body.append(f'<text x="{label_w}" y="{height - 6}" fill="{AXIS}">{escape(value_title)}</text>')
    return _frame(title, body, height=height)


def waterfall(title: str, base: float, items: Sequence[tuple[str, float]], output: float, unit: str) -> str:
    """One row's explanation: from the base value, each column's contribution as a step (up red, down blue),
    to the row's output; `items` largest first (the rest summed by the caller)."""
    steps = [("base value", base, base)]
    running = base
    for name, value in items:
        steps.append((name, running, running + value))
        running += value
    steps.append(("output", output, output))
    low, high = min(min(a, b) for _, a, b in steps), max(max(a, b) for _, a, b in steps)
    high = high if high > low else low + 1
    row, label_w = 20, 130
    span = WIDTH - label_w - PAD_R - 56
    height = PAD_T + row * len(steps) + 26

    def sx(v: float) -> float:
        return label_w + (v - low) / (high - low) * span

    body = []
    for i, (name, start, end) in enumerate(steps):
        y = PAD_T + i * row
        total = i in (0, len(steps) - 1)
        colour = AXIS if total else ("#e45756" if end >= start else "#4c78a8")
        x0, x1 = (sx(start), sx(end)) if not total else (sx(min(0.0, start) if low <= 0 <= high else low), sx(end))
        left, width = min(x0, x1), max(abs(x1 - x0), 1.5)
        value = end if total else end - start
        body.append(f'<text x="{label_w - 6}" y="{y + 13}" fill="{TEXT}" text-anchor="end">{escape(name)}</text>')
        body.append(f'<rect x="{left:.1f}" y="{y + 3}" width="{width:.1f}" height="{row - 6}" fill="{colour}"/>')
        sign = "" if total else "+" if value >= 0 else ""
        body.append(f'<text x="{left + width + 5:.1f}" y="{y + 13}" fill="{TEXT}">{sign}{_n(value)}</text>')
    body.append(f'<text x="{label_w}" y="{height - 6}" fill="{AXIS}">{escape(unit)}</text>')
    return _frame(title, body, height=height)


def explanation_charts(importance: Sequence[Sequence[Any]], metric: str | None,
                       dependence: dict[str, dict[str, Any]]) -> list[str]:
    """The importance bars (name, mean, spread; the first 12) and one partial dependence chart per column:
    a line with its ICE curves in grey for a number, bars for a category (the dossier and the window)."""
    charts = []
    items = [(str(name), float(mean), float(std)) for name, mean, std in importance[:12]]
    if items:
        charts.append(bars("Permutation importance (± spread over repeats)", items,
                           f"drop of {metric or 'the score'} when the column is shuffled"))
    for feature, curve in dependence.items():
        if curve["kind"] == "numeric":
            grid = [float(v) for v in curve["grid"]]
            charts.append(lines(f"Partial dependence on {feature}", [("average", grid, curve["average"])],
                                feature, "model output", faint=[(grid, ice) for ice in curve["individual"]]))
        else:
            charts.append(bars(f"Partial dependence on {feature}",
                               [(str(g), float(v), None) for g, v in zip(curve["grid"], curve["average"])],
                               "model output with every row set to the value"))
    return charts

