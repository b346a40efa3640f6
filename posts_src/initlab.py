"""Shared helpers for the initialization posts: seeding, figures, layer statistics.

Posts import this module (`import initlab`); nothing here is copied into a post.
It holds only plumbing: every experiment a reader needs to see is written out
in the post itself. Each helper's docstring names the post that introduces it.
"""

from __future__ import annotations

import io
import random

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch

# ---------------------------------------------------------------------------
# Reproducibility
# ---------------------------------------------------------------------------


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python, NumPy and PyTorch; return a torch.Generator seeded alike.

    Every post calls this in its first cell (primer post).
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------------------
# Figures: one style, legible on the light and the dark palette
# ---------------------------------------------------------------------------

# Okabe-Ito colours: distinguishable with colour-blindness, and dark enough
# on the white figure card that the site shows in both palettes.
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]

STYLE = {
    "figure.figsize": (7.0, 3.6),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#111111",
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=COLORS),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "font.size": 11,
    # Deterministic SVG bytes: fixed ids, text as paths (no font needed).
    "svg.hashsalt": "initlab",
    "svg.fonttype": "path",
}
plt.rcParams.update(STYLE)


def show(fig: plt.Figure, alt: str, caption: str | None = None) -> None:
    """Display `fig` as an SVG figure with alt text and an optional caption.

    The build writes the SVG next to the post and uses `alt` and `caption`
    in the page; a figure shown any other way is a build error (primer post).
    """
    if not alt or not alt.strip():
        raise ValueError("show(): every figure needs alt text describing what it shows")
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    from IPython.display import display

    svg = buffer.getvalue()
    meta = {"alt": alt.strip()}
    if caption:
        meta["caption"] = caption.strip()
    display({"image/svg+xml": svg}, raw=True, metadata={"image/svg+xml": meta})


def markdown(text: str) -> None:
    """Display `text` as Markdown in the post (for tables computed by a cell)."""
    from IPython.display import display

    display({"text/markdown": text, "text/plain": text}, raw=True)


def markdown_table(header: list[str], rows: list[list[object]], fmt: str = ".3g") -> str:
    """Return a Markdown table; floats are formatted with `fmt`."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return format(value, fmt)
        return str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
