"""Line charts as server-side SVG: no script, readable at 390 px, printable.

Why SVG from the server rather than a vendored chart library: the figures are a dozen
points per line, the pages are server-rendered and must work on a weak signal, and an
SVG string is testable as text (the points, the target line) without a browser.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 40, 18, 14, 46
COLOURS = ("#0b6e4f", "#d9822b", "#2f6fb0", "#a23b72", "#6b7a8f", "#c0392b")


@dataclass
class Series:
    label: str
    values: list  # one per x label; None where there is no value


@dataclass
class Chart:
    title: str
    x_labels: list
    series: list = field(default_factory=list)
    target: float | None = None  # drawn as a dashed line with its label
    target_label: str = ""
    unit: str = ""  # "%", "天", "元"
    y_max: float | None = None

    def __bool__(self):
        return any(v is not None for s in self.series for v in s.values)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        for k in range(1, 11):
            if step * k >= value:
                return step * k
    magnitude = 10 ** (len(str(int(value))) - 1)
    return ((int(value) // magnitude) + 1) * magnitude


def _fmt(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"
    return f"{text}{unit}"


def svg(chart: Chart) -> str:
    """The chart as an inline <svg> (role=img, with a title); empty when it has no values."""
    values = [float(v) for s in chart.series for v in s.values if v is not None]
    top = chart.y_max or _nice_max(max([*values, float(chart.target or 0), 1]))
    n = max(len(chart.x_labels), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i):
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v):
        return TOP + plot_h - plot_h * float(v) / top

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(chart.title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(chart.title)}</title>",
    ]
    for k in range(5):  # gridlines and y labels
        v = top * k / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>'
            f'<text x="{LEFT - 4}" y="{y(v) + 3:.1f}" class="ylabel">{escape(_fmt(v, chart.unit))}</text>'
        )
    step = max(1, -(-n // 6))  # at most about six x labels
    for i, label in enumerate(chart.x_labels):
        if i % step == 0 or i == n - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{TOP + plot_h + 13}" class="xlabel">{escape(str(label))}</text>'
            )
    if chart.target is not None:
        ty = y(min(float(chart.target), top))
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" class="target" '
            f'data-target="{chart.target}"/>'
            f'<text x="{WIDTH - RIGHT}" y="{ty - 3:.1f}" class="target-label">'
            f"{escape(chart.target_label or _fmt(float(chart.target), chart.unit))}</text>"
        )
    for index, series in enumerate(chart.series):
        colour = COLOURS[index % len(COLOURS)]
        points = [(x(i), y(v), v) for i, v in enumerate(series.values) if v is not None]
        if not points:
            continue
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _v in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
            f'data-series="{escape(series.label)}"/>'
        )
        for px, py, v in points:
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}">'
                f"<title>{escape(series.label)} {escape(_fmt(float(v), chart.unit))}</title></circle>"
            )
    # The legend under the plot, wrapped over two lines when it is long.
    lx, ly = LEFT, HEIGHT - 16
    for index, series in enumerate(chart.series):
        width = 16 + 12 * len(series.label)
        if lx + width > WIDTH - RIGHT:
            lx, ly = LEFT, ly + 12
        colour = COLOURS[index % len(COLOURS)]
        parts.append(
            f'<rect x="{lx}" y="{ly - 7}" width="10" height="3" fill="{colour}"/>'
            f'<text x="{lx + 13}" y="{ly - 3}" class="legend">{escape(series.label)}</text>'
        )
        lx += width
    parts.append("</svg>")
    return "".join(parts)


def percent(part, whole) -> Decimal | None:
    return None if not whole else round(Decimal(100) * part / whole, 1)


def bars_svg(chart: Chart) -> str:
    """One horizontal bar per label (branches, villages), the target as a dashed line.

    Grows in height with its labels, so 25 branches stay readable on a phone.
    """
    series = chart.series[0]
    top = chart.y_max or _nice_max(max([*(float(v) for v in series.values if v is not None), 1]))
    label_w, bar_h, gap = 96, 12, 5
    height = TOP + len(chart.x_labels) * (bar_h + gap) + 24
    plot_w = WIDTH - label_w - RIGHT

    def x(v):
        return label_w + plot_w * float(v) / top

    parts = [
        f'<svg class="chart bars" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(chart.title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(chart.title)}</title>",
    ]
    for i, (label, value) in enumerate(zip(chart.x_labels, series.values, strict=True)):
        y = TOP + i * (bar_h + gap)
        name = str(label) if len(str(label)) <= 7 else str(label)[:6] + "…"
        parts.append(
            f'<text x="{label_w - 4}" y="{y + bar_h - 2}" class="ylabel">{escape(name)}</text>'
        )
        if value is None:
            continue
        below = chart.target is not None and float(value) < float(chart.target)
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{max(x(value) - label_w, 1):.1f}" '
            f'height="{bar_h}" class="bar{" below" if below else ""}">'
            f"<title>{escape(str(label))} {escape(_fmt(float(value), chart.unit))}</title></rect>"
            f'<text x="{x(value) + 3:.1f}" y="{y + bar_h - 2}" class="value">'
            f"{escape(_fmt(float(value), chart.unit))}</text>"
        )
    if chart.target is not None:
        tx = x(min(float(chart.target), top))
        bottom = TOP + len(chart.x_labels) * (bar_h + gap)
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{TOP - 6}" y2="{bottom:.1f}" class="target" '
            f'data-target="{chart.target}"/>'
            f'<text x="{tx:.1f}" y="{bottom + 12:.1f}" class="target-label" text-anchor="middle">'
            f"{escape(chart.target_label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
