"""Charts as SVG: the geometry is computed here, the template only writes it out (escaped)."""

ROW_HEIGHT = 20
LABEL_WIDTH = 250
BAR_WIDTH = 290


def bar_chart(rows, *, title: str, label_key: str = "label", value_key: str = "count") -> dict:
    """Horizontal bars: one per row, the longest for the largest value."""
    values = [row[value_key] or 0 for row in rows]
    top = max(values, default=0) or 1
    bars = []
    for index, row in enumerate(rows):
        value = row[value_key] or 0
        width = round(BAR_WIDTH * value / top, 1)
        bars.append(
            {
                "label": str(row[label_key]),
                "value": value,
                "y": index * ROW_HEIGHT,
                "width": width,
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "title": title,
        "bars": bars,
        "height": max(len(bars), 1) * ROW_HEIGHT,
        "label_width": LABEL_WIDTH,
    }
