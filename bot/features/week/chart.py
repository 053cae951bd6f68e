"""The weekly reflection's picture: the feelings a person named, as stacked bars per week.

Drawn with matplotlib's Agg backend through its object API (no pyplot: no global state, so a
chart can be made in a worker thread while the event loop goes on). Calm colours on a soft
light card with dark text, which reads on Telegram's light and dark themes alike; no emoji
(the bundled font has none)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.week import WeekBar

# Muted, distinguishable colours (from the Okabe-Ito palette, softened), and grey for "other".
PALETTE = ("#6C9BC3", "#E1A65B", "#7FB59A", "#C98DA8", "#9D8FC7")
OTHER = "#B8B5AE"
CARD = "#F6F3EE"
INK = "#3A3A3A"
WIDTH, HEIGHT, DPI = 7.2, 4.5, 150  # 1080 x 675 pixels: sharp on a phone, small to send


@dataclass(frozen=True)
class ChartWords:
    title: str
    other: str
    date_format: str  # for each bar's label, e.g. "%d %b" (a leading zero is dropped)
    # The feelings the bot knows, in a fixed order: a feeling keeps its colour week after week.
    known: tuple[str, ...] = ()


def colours(shown: Sequence[str], words: ChartWords) -> dict[str, str]:
    """A colour per feeling: by its place among the known feelings (stable from one picture to
    the next), the next free one when two would share it; grey for "other"."""
    chosen: dict[str, str] = {}
    for feeling in shown:
        if feeling == words.other:
            chosen[feeling] = OTHER
            continue
        start = words.known.index(feeling) if feeling in words.known else len(chosen)
        free = [PALETTE[(start + step) % len(PALETTE)] for step in range(len(PALETTE))]
        chosen[feeling] = next(
            (colour for colour in free if colour not in chosen.values()), free[0]
        )
    return chosen


# A bar of one or two check-ins should not fill the picture.
MIN_TOP = 4


def feelings_chart(bars: Sequence[WeekBar], shown: Sequence[str], words: ChartWords) -> bytes:
    """A PNG of the feelings named per week, oldest week first."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # heavy: only when drawing
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, facecolor=CARD)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_facecolor(CARD)
    labels = [bar.start.strftime(words.date_format).lstrip("0") for bar in bars]
    positions = range(len(bars))
    bottoms = [0] * len(bars)
    palette = colours(shown, words)
    for feeling in shown:
        colour = palette[feeling]
        heights = [bar.counts.get(feeling, 0) for bar in bars]
        axes.bar(
            positions,
            heights,
            bottom=bottoms,
            width=0.6,
            color=colour,
            label=feeling,
            edgecolor=CARD,
            linewidth=1.5,
        )
        bottoms = [low + high for low, high in zip(bottoms, heights, strict=True)]
    axes.set_xticks(list(positions), labels, color=INK, fontsize=11)
    axes.tick_params(axis="y", colors=INK, labelsize=10)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: whole numbers
    axes.set_ylim(0, max([MIN_TOP, *bottoms]) + 0.5)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(INK)
    axes.set_title(words.title, color=INK, fontsize=14, loc="left", pad=14)
    if shown:
        legend = axes.legend(
            frameon=False, fontsize=10, loc="upper left", bbox_to_anchor=(1.0, 1.0)
        )
        for text in legend.get_texts():
            text.set_color(INK)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", facecolor=CARD)
    return out.getvalue()
