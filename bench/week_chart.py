"""The weekly reflection's picture: time and memory per chart, against a baseline drawn in the
same process (an empty figure of the same size, saved the same way), so the ratio says what the
bars, labels and legend cost whatever the machine.

    python -m bench.week_chart [--charts 30]

Prints the first chart's time (matplotlib's import and font cache included: once per process),
then for the steady state: seconds per chart, peak memory the drawing allocates (tracemalloc),
the process's resident memory, and the ratios chart/baseline."""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from bot.core.week import WeekBar
from bot.features.week.chart import CARD, DPI, HEIGHT, WIDTH, ChartWords, feelings_chart

WORDS = ChartWords("Feelings you named, by week", "other", "%d %b")
FEELINGS = ["lonely", "tired", "anxious", "hurt", "sad", "other"]


def sample_bars() -> list[WeekBar]:
    """Four weeks, each with every feeling: the fullest picture the bot draws."""
    start = datetime(2026, 11, 2, tzinfo=UTC).date()
    return [
        WeekBar(
            start + timedelta(weeks=week), {f: (week + n) % 5 + 1 for n, f in enumerate(FEELINGS)}
        )
        for week in range(4)
    ]


def empty_figure() -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, facecolor=CARD)
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", facecolor=CARD)
    return out.getvalue()


def measure(draw: object, charts: int) -> tuple[float, int, int]:
    """Median seconds per drawing, peak traced bytes of one drawing, and the PNG's size."""
    assert callable(draw)
    times = []
    for _ in range(charts):
        started = time.perf_counter()
        png = draw()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    draw()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak, len(png)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--charts", type=int, default=30)
    charts = parser.parse_args().charts
    bars = sample_bars()
    started = time.perf_counter()
    feelings_chart(bars, FEELINGS, WORDS)
    first = time.perf_counter() - started
    base_s, base_peak, base_size = measure(empty_figure, charts)
    chart_s, chart_peak, chart_size = measure(lambda: feelings_chart(bars, FEELINGS, WORDS), charts)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"first chart in this process: {first:.2f} s (import and font cache included)")
    print(f"process resident memory after drawing: {rss_mb:.0f} MB")
    print(f"{'drawing':<10} {'ms/chart':>9} {'peak MB':>8} {'png KB':>7}")
    print(
        f"{'baseline':<10} {base_s * 1000:>9.1f} {base_peak / 2**20:>8.1f} {base_size / 1024:>7.1f}"
    )
    print(
        f"{'chart':<10} {chart_s * 1000:>9.1f} {chart_peak / 2**20:>8.1f} {chart_size / 1024:>7.1f}"
    )
    print(
        f"{'ratio':<10} {chart_s / base_s:>9.2f} {chart_peak / base_peak:>8.2f} "
        f"{chart_size / base_size:>7.2f}"
    )


if __name__ == "__main__":
    main()
