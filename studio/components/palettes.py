"""Colour palettes: categorical ones safe for colour-blind readers, and sequential ramps."""

from __future__ import annotations

OKABE_ITO: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
)
"""Okabe & Ito (2008), distinguishable with every common colour-vision deficiency."""
TABLEAU10: tuple[str, ...] = (
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F",
    "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC",
)
SEQUENTIAL: dict[str, tuple[str, ...]] = {
    "blues": ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6",
              "#4292c6", "#2171b5", "#08519c", "#08306b"),
    "greens": ("#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476",
               "#41ab5d", "#238b45", "#006d2c", "#00441b"),
    "oranges": ("#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c",
                "#f16913", "#d94801", "#a63603", "#7f2704"),
    "purples": ("#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8",
                "#807dba", "#6a51a3", "#54278f", "#3f007d"),
    "viridis": ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c",
                "#28ae80", "#5ec962", "#addc30", "#fde725"),
}
NO_DATA_COLOR = "#d9d9d9"
GOOD_COLOR = "#18753c"
BAD_COLOR = "#ce0500"
NEUTRAL_COLOR = "#666666"


def sequential_colors(name: str, n: int) -> list[str]:
    """`n` colours (1 to 9) spread along a sequential ramp, light to dark.

    The lightest step is skipped so that the first class stays visible on white.
    """
    ramp = SEQUENTIAL[name]
    usable = ramp if (name == "viridis" or n >= len(ramp)) else ramp[1:]
    n = max(1, min(n, len(usable)))
    if n == 1:
        return [usable[len(usable) // 2]]
    step = (len(usable) - 1) / (n - 1)
    return [usable[round(i * step)] for i in range(n)]


def palette_colors(name: str, n: int) -> list[str]:
    """`n` colours of a chart palette, repeating a categorical palette when needed."""
    if name in SEQUENTIAL:
        colors = sequential_colors(name, min(n, 9))
        return [colors[i % len(colors)] for i in range(n)]
    base = TABLEAU10 if name == "tableau10" else OKABE_ITO
    return [base[i % len(base)] for i in range(n)]
