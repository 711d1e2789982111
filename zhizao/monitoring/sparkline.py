"""Small inline SVG charts of actual against planned values, drawn on the server so that an
overview of 21 indicators needs no chart library and prints as it shows."""

WIDTH, HEIGHT, PAD = 96, 24, 2


def sparkline_svg(targets: list, actuals: list) -> str:
    numbers = [v for v in [*targets, *actuals] if v is not None]
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1
    steps = max(len(targets) - 1, 1)

    def points(series) -> str:
        return " ".join(
            f"{PAD + i * (WIDTH - 2 * PAD) / steps:.1f},"
            f"{HEIGHT - PAD - (v - low) / span * (HEIGHT - 2 * PAD):.1f}"
            for i, v in enumerate(series)
            if v is not None
        )

    planned = f'<polyline points="{points(targets)}" fill="none" stroke="#adb5bd" stroke-dasharray="3 2" stroke-width="1.5"/>'
    actual = f'<polyline points="{points(actuals)}" fill="none" stroke="#0d6efd" stroke-width="2"/>'
    return (
        f'<svg width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="实际值（蓝）与年度目标（灰）">{planned}{actual}</svg>'
    )
