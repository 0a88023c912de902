"""Server-side SVG charts, readable without colour: every series has its own pattern, every bar its value.

The SVG is built as text with every label escaped; it carries a title and a description for screen
readers, and the page shows the same figures in a table next to it.
"""

from xml.sax.saxutils import escape

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
    return f"{value:,}".replace(",", "\u202f")


def grouped_bars(
    title: str, description: str, groups: list[str], series: list[str], values: dict[tuple[str, str], int]
) -> str:
    """A grouped bar chart: one group of bars per ``groups`` label (e.g. a month), one bar per series
    (e.g. a collectivity), ``values[(series, group)]`` high, with the value written above each bar."""
    bar, gap, left, top, height = 22, 18, 56, 30, 220
    legend_height = 22 * len(series) + 10
    width = left + max(1, len(groups)) * (len(series) * bar + gap) + 20
    peak = max([1, *values.values()])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title chart-desc"'
        f' viewBox="0 0 {width} {top + height + 40 + legend_height}" width="{width}" class="chart">',
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(description)}</desc>',
        "<defs>",
    ]
    for pattern_id, drawing in PATTERNS:
        parts.append(
            f'<pattern id="p-{pattern_id}" width="8" height="8" patternUnits="userSpaceOnUse">{drawing}</pattern>'
        )
    parts.append("</defs>")
    base = top + height
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#1f1f1f"/>')
    parts.append(f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11">{_number(peak)}</text>')
    parts.append(f'<text x="{left - 6}" y="{base}" text-anchor="end" font-size="11">0</text>')
    for g, group in enumerate(groups):
        x0 = left + g * (len(series) * bar + gap) + gap // 2
        for s, name in enumerate(series):
            value = values.get((name, group), 0)
            h = round(height * value / peak)
            x = x0 + s * bar
            pattern = PATTERNS[s % len(PATTERNS)][0]
            parts.append(
                f'<rect x="{x}" y="{base - h}" width="{bar - 4}" height="{h}" fill="url(#p-{pattern})"'
                f' stroke="#1f1f1f"><title>{escape(name)}, {escape(group)} : {_number(value)}</title></rect>'
            )
            parts.append(
                f'<text x="{x + (bar - 4) / 2}" y="{base - h - 4}" text-anchor="middle" font-size="10">'
                f"{_number(value)}</text>"
            )
        parts.append(
            f'<text x="{x0 + len(series) * bar / 2}" y="{base + 16}" text-anchor="middle" font-size="11">'
            f"{escape(group)}</text>"
        )
    legend_top = base + 34
    for s, name in enumerate(series):
        y = legend_top + s * 22
        pattern = PATTERNS[s % len(PATTERNS)][0]
        parts.append(f'<rect x="{left}" y="{y}" width="16" height="16" fill="url(#p-{pattern})" stroke="#1f1f1f"/>')
        parts.append(f'<text x="{left + 24}" y="{y + 13}" font-size="12">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
