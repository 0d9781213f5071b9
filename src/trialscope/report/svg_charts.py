"""Inline SVG charts; colours come from CSS classes so they follow the light or dark theme."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from trialscope.report.statistics import ReliabilityBin

_ROW = 26
_LABEL_W = 170
_PLOT_W = 300


@dataclass(frozen=True)
class Bar:
    """One bar: a series (model or agent) with its value, interval and extra dots."""

    label: str
    series: int
    value: float
    ci: tuple[float, float] | None = None
    dots: tuple[float, ...] = ()
    note: str = ""


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _short(label: str, limit: int = 26) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _ticks(upper: float, percent: bool) -> list[tuple[float, str]]:
    if percent:
        return [(v / 100, f"{v}") for v in (0, 25, 50, 75, 100)]
    step = upper / 4
    return [(i * step, f"{i * step:,.0f}" if upper >= 8 else f"{i * step:.2f}") for i in range(5)]


def bar_chart(title: str, bars: list[Bar], percent: bool, upper: float | None = None) -> str:
    """Horizontal bars with 95% CI whiskers and optional per-episode dots."""
    if upper is None:
        peaks = [max(b.value, b.ci[1] if b.ci else 0.0, *b.dots) for b in bars] or [1.0]
        upper = 1.0 if percent else max(max(peaks) * 1.1, 1e-9)
    width = _LABEL_W + _PLOT_W + 70
    top = 8
    height = top + _ROW * len(bars) + 26

    def x(value: float) -> float:
        return _LABEL_W + _PLOT_W * min(max(value / upper, 0.0), 1.0)

    body: list[str] = []
    for value, text in _ticks(upper, percent):
        gx = x(value)
        body.append(
            f'<line class="grid" x1="{gx:.1f}" y1="{top}" x2="{gx:.1f}" '
            f'y2="{height - 22}"/><text class="tick" x="{gx:.1f}" y="{height - 8}" '
            f'text-anchor="middle">{text}</text>'
        )
    for i, bar in enumerate(bars):
        y = top + i * _ROW
        shown = f"{100 * bar.value:.1f}" if percent else f"{bar.value:,.3g}"
        tip = escape(f"{bar.label}: {shown}" + (f" ({bar.note})" if bar.note else ""))
        body.append(
            f'<g class="bar s{bar.series % 8}"><title>{tip}</title>'
            f'<text class="label" x="{_LABEL_W - 8}" y="{y + _ROW / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(_short(bar.label))}</text>'
            f'<rect x="{_LABEL_W}" y="{y + 5}" width="{x(bar.value) - _LABEL_W:.1f}" '
            f'height="{_ROW - 10}" rx="3"/>'
        )
        for j, dot in enumerate(bar.dots):
            jitter = ((j * 7919) % 11 - 5) * 1.1
            body.append(
                f'<circle class="dot" cx="{x(dot):.1f}" cy="{y + _ROW / 2 + jitter:.1f}" r="2.2"/>'
            )
        end = x(bar.value)
        if bar.ci is not None:
            lo, hi, mid = x(bar.ci[0]), x(bar.ci[1]), y + _ROW / 2
            end = max(end, hi)
            body.append(
                f'<path class="whisker" d="M{lo:.1f},{mid:.1f}H{hi:.1f}M{lo:.1f},{mid - 5:.1f}'
                f'V{mid + 5:.1f}M{hi:.1f},{mid - 5:.1f}V{mid + 5:.1f}"/>'
            )
        body.append(
            f'<text class="value" x="{end + 6:.1f}" y="{y + _ROW / 2 + 4:.1f}">{shown}</text></g>'
        )
    return _svg(width, height, body, title)


@dataclass(frozen=True)
class ReliabilitySeries:
    """One model's reliability curve."""

    label: str
    series: int
    bins: list[ReliabilityBin]
    ece: float


def reliability_chart(title: str, curves: list[ReliabilitySeries]) -> str:
    """Accuracy against stated confidence per bin; the diagonal is perfect calibration."""
    size, left, top = 260, 44, 10
    legend_x = left + size + 24
    width = legend_x + 250
    height = max(top + size + 40, top + 18 * len(curves) + 40)

    def px(conf: float) -> float:
        return left + size * conf

    def py(acc: float) -> float:
        return top + size * (1.0 - acc)

    body = [f'<rect class="frame" x="{left}" y="{top}" width="{size}" height="{size}"/>']
    for v in (0.0, 0.25, 0.5, 0.75, 1.0):
        body.append(
            f'<line class="grid" x1="{px(v):.1f}" y1="{top}" x2="{px(v):.1f}" y2="{top + size}"/>'
            f'<line class="grid" x1="{left}" y1="{py(v):.1f}" x2="{left + size}" y2="{py(v):.1f}"/>'
            f'<text class="tick" x="{px(v):.1f}" y="{top + size + 14}" text-anchor="middle">'
            f"{v:.2g}</text>"
            f'<text class="tick" x="{left - 6}" y="{py(v) + 4:.1f}" '
            f'text-anchor="end">{v:.2g}</text>'
        )
    body.append(
        f'<text class="axis" x="{legend_x}" y="{top + 18 * len(curves) + 18}">'
        "point size: samples in the bin</text>"
    )
    body.append(
        f'<line class="diagonal" x1="{px(0)}" y1="{py(0)}" x2="{px(1)}" y2="{py(1)}"/>'
        f'<text class="axis" x="{left + size / 2}" y="{top + size + 30}" text-anchor="middle">'
        "stated confidence</text>"
        f'<text class="axis" transform="translate(12 {top + size / 2}) rotate(-90)" '
        'text-anchor="middle">accuracy</text>'
    )
    for k, curve in enumerate(curves):
        points = " ".join(f"{px(b.mean_confidence):.1f},{py(b.accuracy):.1f}" for b in curve.bins)
        body.append(f'<g class="curve s{curve.series % 8}">')
        body.append(f'<polyline points="{points}"/>')
        most = max(b.count for b in curve.bins)
        for b in curve.bins:
            radius = 2.0 + 3.5 * (b.count / most) ** 0.5
            tip = escape(
                f"{curve.label}: confidence {b.lower:.1f}–{b.upper:.1f}, n={b.count}, "
                f"mean confidence {b.mean_confidence:.2f}, accuracy {b.accuracy:.2f}"
            )
            body.append(
                f'<circle cx="{px(b.mean_confidence):.1f}" cy="{py(b.accuracy):.1f}" '
                f'r="{radius:.1f}">'
                f"<title>{tip}</title></circle>"
            )
        ly = top + 10 + 18 * k
        body.append(
            f'<rect x="{legend_x}" y="{ly - 9}" width="12" height="12" rx="2"/>'
            f'<text class="label" x="{legend_x + 18}" y="{ly + 1}">'
            f"{escape(_short(curve.label, 30))} · ECE {curve.ece:.3f}</text></g>"
        )
    return _svg(width, height, body, title)


def grouped_columns(
    title: str, groups: list[str], series: list[tuple[str, int, dict[str, float]]]
) -> str:
    """Vertical bars in [0, 1]: one group per component, one bar per agent."""
    left, top, plot_h = 34, 10, 150
    bar_w = 12
    group_w = max(bar_w * max(len(series), 1) + 18, 72)
    width = left + group_w * len(groups) + 10
    height = top + plot_h + 34

    def py(value: float) -> float:
        return top + plot_h * (1.0 - min(max(value, 0.0), 1.0))

    body: list[str] = []
    for v in (0.0, 0.5, 1.0):
        body.append(
            f'<line class="grid" x1="{left}" y1="{py(v):.1f}" x2="{width - 6}" y2="{py(v):.1f}"/>'
            f'<text class="tick" x="{left - 5}" y="{py(v) + 4:.1f}" '
            f'text-anchor="end">{v:.1f}</text>'
        )
    for g, group in enumerate(groups):
        gx = left + 8 + g * group_w
        for s, (label, index, values) in enumerate(series):
            if group not in values:
                continue
            value = values[group]
            body.append(
                f'<rect class="s{index % 8}" x="{gx + s * bar_w}" y="{py(value):.1f}" '
                f'width="{bar_w - 2}" height="{py(0) - py(value):.1f}">'
                f"<title>{escape(f'{label} · {group}: {value:.3f}')}</title></rect>"
            )
        body.append(
            f'<text class="tick" x="{gx + bar_w * len(series) / 2:.1f}" y="{top + plot_h + 16}" '
            f'text-anchor="middle">{escape(group)}</text>'
        )
    return _svg(width, height, body, title)
