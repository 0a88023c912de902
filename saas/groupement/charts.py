"""Server-side SVG charts, readable without colour: every series has its own pattern, every bar its value.

The SVG is built as text with every label escaped; it carries a title and a description for screen
readers, and the page shows the same figures in a table next to it.
"""

from xml.sax.saxutils import escape

from saas.core import display

#: the drawing's own width (it scales to its box), and the bounds of a bar's width in it
WIDTH, MIN_BAR, MAX_BAR = 720, 20, 48

#: one fill per series: a pattern id and its drawing (stripes, dots, crosses…), on top of a grey level
PATTERNS = (
    ("solid", '<rect width="8" height="8" fill="#1f4e99"/>'),
    ("stripes", '<rect width="8" height="8" fill="#dce6f5"/><path d="M0 8 L8 0" stroke="#1f4e99" stroke-width="2"/>'),
    ("dots", '<rect width="8" height="8" fill="#fff"/><circle cx="4" cy="4" r="2" fill="#1f1f1f"/>'),
    (
        "cross",
        '<rect width="8" height="8" fill="#f1f1f1"/><path d="M0 0 L8 8 M8 0 L0 8" stroke="#444" stroke-width="1.2"/>',
    ),
    ("hlines", '<rect width="8" height="8" fill="#fff"/><path d="M0 4 H8" stroke="#1f1f1f" stroke-width="2"/>'),
    ("vlines", '<rect width="8" height="8" fill="#e8e8e8"/><path d="M4 0 V8" stroke="#1f4e99" stroke-width="2"/>'),
)


def _number(value: int) -> str:
    return display.format_decimal(value)


def _text_width(text: str, size: int) -> float:
    """A generous estimate of a label's width in a sans-serif font, so that nothing is cut."""
    return len(text) * size * 0.62


def grouped_bars(
    title: str, description: str, groups: list[str], series: list[str], values: dict[tuple[str, str], int]
) -> str:
    """A grouped bar chart: one group of bars per ``groups`` label (e.g. a month), one bar per series
    (e.g. a collectivity), ``values[(series, group)]`` high, with the value written above each bar.

    The drawing has a fixed width of its own (``viewBox``) and scales to the width of its box (the page
    caps it, see .chart in app.css); the legend wraps onto as many lines as its names need."""
    left, right, top, height, gap, font = 56, 16, 30, 220, 18, 14
    count = max(1, len(series))
    groups_width = max(1, len(groups)) * (count * MIN_BAR + gap)
    width = max(WIDTH, left + groups_width + right)
    group_width = (width - left - right) / max(1, len(groups))
    bar = min(MAX_BAR, (group_width - gap) / count)
    legend, x, y = [], left, 0
    for s, name in enumerate(series):
        item = 24 + _text_width(name, font)
        if x > left and x + item > width - right:
            x, y = left, y + 24
        legend.append((s, name, x, y))
        x += item + 16
    legend_height = (y + 24 if series else 0) + 10
    base = top + height
    full_height = base + 34 + legend_height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title chart-desc"'
        f' viewBox="0 0 {width:.0f} {full_height}" width="100%" preserveAspectRatio="xMinYMin meet"'
        f' font-family="sans-serif" class="chart">',
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(description)}</desc>',
        "<defs>",
    ]
    for pattern_id, drawing in PATTERNS:
        parts.append(
            f'<pattern id="p-{pattern_id}" width="8" height="8" patternUnits="userSpaceOnUse">{drawing}</pattern>'
        )
    parts.append("</defs>")
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right:.0f}" y2="{base}" stroke="#1f1f1f"/>')
    peak = max([1, *values.values()])
    parts.append(f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="{font}">{_number(peak)}</text>')
    parts.append(f'<text x="{left - 6}" y="{base}" text-anchor="end" font-size="{font}">0</text>')
    for g, group in enumerate(groups):
        x0 = left + g * group_width + (group_width - count * bar) / 2
        for s, name in enumerate(series):
            value = values.get((name, group), 0)
            h = round(height * value / peak)
            x = x0 + s * bar
            pattern = PATTERNS[s % len(PATTERNS)][0]
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h}" width="{bar - 4:.1f}" height="{h}" fill="url(#p-{pattern})"'
                f' stroke="#1f1f1f"><title>{escape(name)}, {escape(group)} : {_number(value)}</title></rect>'
            )
            parts.append(
                f'<text x="{x + (bar - 4) / 2:.1f}" y="{base - h - 4}" text-anchor="middle" font-size="13">'
                f"{_number(value)}</text>"
            )
        parts.append(
            f'<text x="{x0 + count * bar / 2:.1f}" y="{base + 18}" text-anchor="middle" font-size="{font}">'
            f"{escape(group)}</text>"
        )
    legend_top = base + 34
    for s, name, x, y in legend:
        pattern = PATTERNS[s % len(PATTERNS)][0]
        parts.append(
            f'<rect x="{x:.1f}" y="{legend_top + y}" width="16" height="16" fill="url(#p-{pattern})" stroke="#1f1f1f"/>'
        )
        parts.append(f'<text x="{x + 24:.1f}" y="{legend_top + y + 13}" font-size="{font}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
