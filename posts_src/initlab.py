"""Shared helpers for the initialization posts: seeding, figures, layer statistics.

Posts import this module (`import initlab`); nothing here is copied into a post.
It holds only plumbing: every experiment a reader needs to see is written out
in the post itself. Each helper's docstring names the post that introduces it.
"""

from __future__ import annotations

import io
import math
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


# ---------------------------------------------------------------------------
# Layer statistics
# ---------------------------------------------------------------------------
# Stable API (other posts import these):
#   forward_stats, backward_stats -> {"mean", "std", "second_moment"}: 1-D float64
#       tensors, one entry per matching module, in forward order (layer l = index + 1).
#   mlp, deep_mlp, init_, plot_per_layer, seed_spread, per_layer_factor.
# Statistics are taken over every element of the tensor (batch and features alike),
# in float64 so that huge float32 values do not overflow while being squared;
# "std" is the population standard deviation, so second_moment = mean**2 + std**2.

from collections.abc import Callable, Sequence  # noqa: E402

from torch import nn  # noqa: E402

WEIGHT_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
STAT_NAMES = ("mean", "std", "second_moment")


def tensor_stats(t: torch.Tensor) -> tuple[float, float, float]:
    """Return (mean, population std, second moment) of all elements of `t`, in float64."""
    t = t.detach().double()
    mean = t.mean()
    return mean.item(), t.std(correction=0).item(), t.square().mean().item()


def _collect(records: list[tuple[float, float, float]]) -> dict[str, torch.Tensor]:
    """Turn a list of (mean, std, second moment) rows into a dict of 1-D tensors."""
    table = torch.tensor(records, dtype=torch.float64).reshape(-1, 3)
    return {name: table[:, i].clone() for i, name in enumerate(STAT_NAMES)}


def forward_stats(
    model: nn.Module, x: torch.Tensor, layer_types: tuple[type, ...] = (nn.Linear, nn.Conv2d)
) -> dict[str, torch.Tensor]:
    """Per-layer mean/std/second moment of the OUTPUT of each module of `layer_types`, in forward order.

    With the default types this is the pre-activation y_l; put an activation class
    (e.g. nn.ReLU) in `layer_types` to get post-activation statistics too
    (why-initialization-matters post).
    """
    records: list[tuple[float, float, float]] = []
    hooks = [
        m.register_forward_hook(lambda _m, _inp, out: records.append(tensor_stats(out)))
        for m in model.modules()
        if isinstance(m, layer_types)
    ]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return _collect(records)


def backward_stats(
    model: nn.Module,
    x: torch.Tensor,
    layer_types: tuple[type, ...] = (nn.Linear, nn.Conv2d),
    seed: int = 0,
    wrt: str = "input",
) -> dict[str, torch.Tensor]:
    """Per-layer stats of the gradient w.r.t. each matching module's input (Δx_l), in forward order.

    A unit-variance Gaussian gradient (seeded by `seed`) is fed at the model output;
    `wrt="output"` gives the gradient w.r.t. the module output (Δy_l) instead.
    Uses torch.autograd.grad, so no parameter's .grad is touched
    (why-initialization-matters post).
    """
    if wrt not in ("input", "output"):
        raise ValueError("wrt must be 'input' or 'output'")
    records: list[tuple[float, float, float]] = []

    def watch(t: torch.Tensor) -> None:
        t.register_hook(lambda g: records.append(tensor_stats(g)))

    modules = [m for m in model.modules() if isinstance(m, layer_types)]
    if wrt == "input":
        hooks = [m.register_forward_pre_hook(lambda _m, inp: watch(inp[0])) for m in modules]
    else:
        hooks = [m.register_forward_hook(lambda _m, _inp, out: watch(out)) for m in modules]
    try:
        with torch.enable_grad():
            x = x.detach().requires_grad_(True)
            out = model(x)
            for h in hooks:  # the graph is recorded; later hooks are not wanted
                h.remove()
            grad = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed), dtype=out.dtype)
            torch.autograd.grad(out, x, grad_outputs=grad)
    finally:
        for h in hooks:
            h.remove()
    return _collect(records[::-1])  # hooks fire from the last layer to the first


def mlp(
    widths: Sequence[int], activation: Callable[[], nn.Module] | None, bias: bool = False
) -> nn.Sequential:
    """Linear(widths[l-1], widths[l]) followed by `activation()` (if given) for l = 1..len(widths)-1."""
    blocks: list[nn.Module] = []
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        blocks.append(nn.Linear(n_in, n_out, bias=bias))
        if activation is not None:
            blocks.append(activation())
    return nn.Sequential(*blocks)


def deep_mlp(
    depth: int, width: int, activation: Callable[[], nn.Module] | None, bias: bool = False
) -> nn.Sequential:
    """`depth` blocks of Linear(width, width) + `activation()` (none if None) (why-initialization-matters post)."""
    return mlp([width] * (depth + 1), activation, bias=bias)


def init_(model: nn.Module, fn: Callable[[torch.Tensor], object]) -> nn.Module:
    """Apply `fn` to the weight of every Linear/Conv layer of `model` and zero their biases; return `model`."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, WEIGHT_LAYERS):
                fn(m.weight)
                if m.bias is not None:
                    m.bias.zero_()
    return model


def seed_spread(rows: torch.Tensor | Sequence) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """Median over seeds (dim 0) and the (min, max) band, for `plot_per_layer(..., band=...)`."""
    rows = torch.as_tensor(np.asarray(rows, dtype=np.float64)) if not torch.is_tensor(rows) else rows.double()
    return rows.median(dim=0).values, (rows.min(dim=0).values, rows.max(dim=0).values)


def plot_per_layer(ax: plt.Axes, values, label: str | None = None, band=None, **kw):
    """Plot `values` against layer index l = 1, 2, ...; shade `band` = (low, high) in the line's colour."""
    values = np.asarray(values, dtype=np.float64)
    layers = np.arange(1, len(values) + 1)
    (line,) = ax.plot(layers, values, label=label, **kw)
    if band is not None:
        low, high = (np.asarray(b, dtype=np.float64) for b in band)
        ax.fill_between(layers, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    if not ax.get_xlabel():
        ax.set_xlabel("layer $l$")
    return line


def per_layer_factor(values, layers=None) -> float:
    """Geometric growth factor per layer: exp of the least-squares slope of log(values) against layer.

    `values` is 1-D (one run) or 2-D (seeds × layers, fitted jointly); `layers`
    defaults to 1, 2, ... (why-initialization-matters post).
    """
    values = torch.as_tensor(values, dtype=torch.float64)
    values = values if values.dim() == 2 else values[None]
    if layers is None:
        layers = torch.arange(1, values.shape[1] + 1)
    layers = torch.as_tensor(layers, dtype=torch.float64).expand_as(values).reshape(-1)
    design = torch.stack([layers, torch.ones_like(layers)], dim=1)
    slope = torch.linalg.lstsq(design, values.log().reshape(-1, 1)).solution[0, 0]
    return math.exp(slope.item())


# ---------------------------------------------------------------------------
# The course's small CNN on real digits (why-variances-fall-below-one and
# are-the-independence-assumptions-true posts)
# ---------------------------------------------------------------------------


def digits_28(generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """sklearn's 1797 8x8 digits upsampled (bilinear) to 28x28, normalised to mean 0, std 1; (images, labels), shuffled by `generator`.

    The data ship inside scikit-learn, so nothing is downloaded (why-variances-fall-below-one post).
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32)[:, None]
    x = torch.nn.functional.interpolate(x, size=28, mode="bilinear", align_corners=False)
    x = (x - x.mean()) / x.std()
    y = torch.tensor(digits.target)
    order = torch.randperm(len(x), generator=generator)
    return x[order], y[order]


class GeneralRelu(nn.Module):
    """The course's activation: leaky_relu(x, leak) - sub, clamped above at maxv (why-variances-fall-below-one post)."""

    def __init__(self, leak: float = 0.1, sub: float = 0.4, maxv: float = 6.0):
        super().__init__()
        self.leak, self.sub, self.maxv = leak, sub, maxv

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (torch.nn.functional.leaky_relu(x, self.leak) - self.sub).clamp_max(self.maxv)


def course_cnn(channels: Sequence[int] = (8, 16, 32, 32), padding_mode: str = "zeros") -> nn.Sequential:
    """Conv(1->8, k5, s2) then Conv(k3, s2) blocks, each followed by GeneralRelu; AdaptiveAvgPool, Linear(->10).

    Feature maps 28 -> 14 -> 7 -> 4 -> 2 -> 1 (why-variances-fall-below-one post).
    """
    layers: list[nn.Module] = []
    for i, (c_in, c_out) in enumerate(zip((1, *channels[:-1]), channels)):
        k = 5 if i == 0 else 3
        layers += [
            nn.Conv2d(c_in, c_out, k, stride=2, padding=k // 2, padding_mode=padding_mode),
            GeneralRelu(),
        ]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels[-1], 10)]
    return nn.Sequential(*layers)


def init_course_(model: nn.Module) -> nn.Module:
    """The course's init: kaiming_normal_(a=0.1) and zero bias on every Conv2d; the Linear head keeps PyTorch's default."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, a=0.1)
                m.bias.zero_()
    return model


# ---------------------------------------------------------------------------
# Training: does an initialization train? (posts that answer with training evidence)
# ---------------------------------------------------------------------------


def train(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int,
    lr: float,
    generator: torch.Generator,
    batch: int = 64,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = nn.functional.cross_entropy,
    momentum: float = 0.0,
    record: Callable[[nn.Module], object] | None = None,
) -> dict[str, object]:
    """Minibatch SGD on (x, y) for `steps` steps, batches drawn by `generator`.

    Returns {"loss": per-step training loss (tensor of `steps`), "records": [record(model)
    before step 1, after step 1, ..., after step `steps`]} when `record` is given.
    A loss that becomes NaN or infinite stops training early; the loss tensor then
    ends with that value (divergence is a result, not an error).
    """
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    losses: list[float] = []
    records = [record(model)] if record else []
    for _ in range(steps):
        index = torch.randint(len(x), (batch,), generator=generator)
        loss = loss_fn(model(x[index]), y[index])
        losses.append(loss.item())
        if not math.isfinite(losses[-1]):
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if record:
            records.append(record(model))
    return {"loss": torch.tensor(losses, dtype=torch.float64), "records": records}


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of (x, y) that `model` classifies correctly."""
    with torch.no_grad():
        return (model(x).argmax(1) == y).double().mean().item()


# ---------------------------------------------------------------------------
# Per-post sections: add a helper below the marker of your post's group, so that
# changes made side by side merge cleanly.
# ---------------------------------------------------------------------------

# --- primer and why-initialization-matters ---


# --- kaiming and xavier ---


# --- why-variances-fall-below-one and independence ---


# --- init-for-any-activation and any-distribution ---


# --- backprop posts and symmetry breaking ---


# --- explorer ---
