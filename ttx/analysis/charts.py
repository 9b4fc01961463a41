"""Small inline SVG charts for the HTML report: horizontal bars and a release timeline (no scripts, no network)."""

from __future__ import annotations

from html import escape


def bar_chart(title: str, rows: list[tuple[str, float]], unit: str = "", width: int = 640) -> str:
    """Horizontal bars, one per (label, value); an empty chart says there is nothing to show."""
    bar_height, label_width, gap = 18, 150, 6
    height = 34 + max(1, len(rows)) * (bar_height + gap)
    top = max((value for _, value in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" class="chart">',
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    if not rows:
        parts.append('<text x="0" y="44" class="chart-empty">nothing recorded</text>')
    for index, (label, value) in enumerate(rows):
        y = 28 + index * (bar_height + gap)
        length = (width - label_width - 80) * value / top
        parts.append(f'<text x="0" y="{y + 13}" class="chart-label">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" class="bar"/>')
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + 13}" class="chart-value">{value:g}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def timeline_chart(title: str, points: list[tuple[str, int]], width: int = 640) -> str:
    """Inject releases as ticks along the scenario time axis (time jumps compressed to the right end)."""
    height = 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" class="chart">',
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
        f'<line x1="10" y1="45" x2="{width - 10}" y2="45" class="axis"/>',
    ]
    if points:
        first = min(at for _, at in points)
        ordered = sorted(at for _, at in points)
        ranks = {at: position for position, at in enumerate(ordered)}
        span = max(1, len(ordered) - 1)
        for label, at in points:
            x = 10 + (width - 20) * ranks[at] / span
            parts.append(
                f'<line x1="{x:.1f}" y1="35" x2="{x:.1f}" y2="55" class="tick"><title>{escape(label)}</title></line>'
            )
        parts.append(f'<text x="10" y="68" class="chart-label">first release at {first // 3600}h</text>')
    else:
        parts.append('<text x="10" y="68" class="chart-empty">no injects released</text>')
    parts.append("</svg>")
    return "".join(parts)
