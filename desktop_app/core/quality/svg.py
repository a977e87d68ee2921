"""Small self-contained SVG charts for the HTML report (no plotting library needed)."""

from __future__ import annotations

from collections.abc import Collection
from html import escape

import numpy as np

WIDTH, HEIGHT = 460, 180
_PAD_L, _PAD_R, _PAD_T, _PAD_B = 48, 12, 12, 34
_BAR, _MARK, _AXIS, _TEXT = "#4c78a8", "#e45756", "#888", "#333"


def _num(x: float) -> str:
    x = float(x)
    if (x == int(x) or abs(x) >= 1000) and abs(x) < 1e12:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def _frame(title: str, body: list[str], width: int = WIDTH, height: int = HEIGHT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def histogram(
    values: np.ndarray,
    title: str,
    marks: tuple[float | None, ...] = (),
    bins: int = 30,
    within: tuple[float, float] | None = None,
) -> str:
    """A histogram of the finite `values`, with optional vertical marks (such as outlier limits).

    With `within`, only values in that range are drawn and the others are counted in a note,
    so that a few extreme values do not squash the rest into one bar.
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    note = ""
    lo_edge = hi_edge = None  # a side with values cut off is drawn up to its `within` limit
    if within is not None and values.size:
        inside = (values >= within[0]) & (values <= within[1])
        if not inside.all() and inside.any():
            outside = values[~inside]
            note = f"{outside.size:,} beyond the range shown (from {_num(outside.min())} to {_num(outside.max())})"
            lo_edge = within[0] if (outside < within[0]).any() else None
            hi_edge = within[1] if (outside > within[1]).any() else None
            values = values[inside]
    if values.size == 0:
        return ""
    lo = float(values.min()) if lo_edge is None else float(lo_edge)
    hi = float(values.max()) if hi_edge is None else float(hi_edge)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    plot_w, plot_h = WIDTH - _PAD_L - _PAD_R, HEIGHT - _PAD_T - _PAD_B
    top = max(int(counts.max()), 1)
    x = lambda v: _PAD_L + (float(v) - lo) / (hi - lo) * plot_w  # noqa: E731
    body = []
    bar_w = plot_w / bins
    for i, c in enumerate(counts):
        if c == 0:
            continue
        h = max(c / top * plot_h, 1.0)
        tip = f"{_num(edges[i])} – {_num(edges[i + 1])}: {c:,}"
        body.append(f'<rect x="{_PAD_L + i * bar_w:.1f}" y="{_PAD_T + plot_h - h:.1f}" width="{max(bar_w - 1, 1):.1f}" '
                    f'height="{h:.1f}" fill="{_BAR}"><title>{escape(tip)}</title></rect>')
    for m in marks:
        if m is not None and lo <= m <= hi:
            body.append(f'<line x1="{x(m):.1f}" x2="{x(m):.1f}" y1="{_PAD_T}" y2="{_PAD_T + plot_h}" '
                        f'stroke="{_MARK}" stroke-dasharray="4 3"/>')
    base = _PAD_T + plot_h
    body += [
        f'<line x1="{_PAD_L}" x2="{_PAD_L + plot_w}" y1="{base}" y2="{base}" stroke="{_AXIS}"/>',
        f'<line x1="{_PAD_L}" x2="{_PAD_L}" y1="{_PAD_T}" y2="{base}" stroke="{_AXIS}"/>',
        f'<text x="{_PAD_L}" y="{base + 14}" fill="{_TEXT}">{escape(_num(lo))}</text>',
        f'<text x="{_PAD_L + plot_w}" y="{base + 14}" fill="{_TEXT}" text-anchor="end">{escape(_num(hi))}</text>',
        f'<text x="{_PAD_L - 4}" y="{_PAD_T + 8}" fill="{_TEXT}" text-anchor="end">{top:,}</text>',
        f'<text x="{_PAD_L - 4}" y="{base}" fill="{_TEXT}" text-anchor="end">0</text>',
        f'<text x="{_PAD_L + plot_w / 2}" y="{HEIGHT - 4}" fill="{_TEXT}" text-anchor="middle">{escape(title)}</text>',
    ]
    if note:
        body.append(f'<text x="{_PAD_L + plot_w}" y="{_PAD_T + 8}" fill="{_MARK}" text-anchor="end">'
                    f"{escape(note)}</text>")
    return _frame(title, body)


def bars(items: list[tuple[str, int]], title: str, highlight: Collection[str] = frozenset()) -> str:
    """Horizontal bars of (label, count), highlighted labels in red."""
    if not items:
        return ""
    row_h, label_w = 18, 150
    height = _PAD_T + row_h * len(items) + 22
    plot_w = WIDTH - label_w - 70
    top = max(max(c for _, c in items), 1)
    body = []
    for i, (label, c) in enumerate(items):
        y = _PAD_T + i * row_h
        w = max(c / top * plot_w, 1.0)
        short = label if len(label) <= 22 else label[:21] + "…"
        colour = _MARK if label in highlight else _BAR
        body += [
            f'<text x="{label_w - 6}" y="{y + 12}" fill="{_TEXT}" text-anchor="end">{escape(short)}</text>',
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 5}" fill="{colour}">'
            f"<title>{escape(label)}: {c:,}</title></rect>",
            f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" fill="{_TEXT}">{c:,}</text>',
        ]
    body.append(f'<text x="{WIDTH / 2}" y="{height - 6}" fill="{_TEXT}" text-anchor="middle">{escape(title)}</text>')
    return _frame(title, body, height=height)


def scatter(xs: np.ndarray, ys: np.ndarray, x_title: str, y_title: str, limit: int = 400) -> str:
    """A scatter plot of up to `limit` points (the first ones; pass a sample)."""
    xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    ok = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[ok], ys[ok]
    if xs.size == 0:
        return ""
    # the middle 99% on each axis, so that a few extreme points do not squash the rest
    (x_lo, x_hi), (y_lo, y_hi) = np.quantile(xs, [0.005, 0.995]), np.quantile(ys, [0.005, 0.995])
    keep = (xs >= x_lo) & (xs <= x_hi) & (ys >= y_lo) & (ys <= y_hi)
    xs, ys = xs[keep][:limit], ys[keep][:limit]
    if xs.size == 0:
        return ""
    plot_w, plot_h = WIDTH - _PAD_L - _PAD_R, HEIGHT - _PAD_T - _PAD_B
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)
    px = _PAD_L + (xs - x0) / (x1 - x0) * plot_w
    py = _PAD_T + plot_h - (ys - y0) / (y1 - y0) * plot_h
    body = [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2" fill="{_BAR}" fill-opacity="0.5"/>' for a, b in zip(px, py)]
    base = _PAD_T + plot_h
    body += [
        f'<line x1="{_PAD_L}" x2="{_PAD_L + plot_w}" y1="{base}" y2="{base}" stroke="{_AXIS}"/>',
        f'<line x1="{_PAD_L}" x2="{_PAD_L}" y1="{_PAD_T}" y2="{base}" stroke="{_AXIS}"/>',
        f'<text x="{_PAD_L + plot_w / 2}" y="{HEIGHT - 4}" fill="{_TEXT}" text-anchor="middle">'
        f"{escape(x_title)}</text>",
        f'<text x="12" y="{_PAD_T + plot_h / 2}" fill="{_TEXT}" text-anchor="middle" '
        f'transform="rotate(-90 12 {_PAD_T + plot_h / 2})">{escape(y_title)}</text>',
    ]
    return _frame(f"{x_title} against {y_title}", body)
