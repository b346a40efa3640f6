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


def cnn_07a(padding_mode: str = "zeros", channels: Sequence[int] = (8, 16, 32, 64, 64)) -> nn.Sequential:
    """The CNN of the course's notebook 07a_lsuv: Conv(1->8, k5, s2) then Conv(k3, s2) blocks with bias,
    each followed by a plain ReLU (07a's GeneralRelu(sub=0): no leak, no shift, no clamp);
    AdaptiveAvgPool, Linear(->10). Feature maps 28 -> 14 -> 7 -> 4 -> 2 -> 1 (why-variances-fall-below-one post).
    """
    layers: list[nn.Module] = []
    for i, (c_in, c_out) in enumerate(zip((1, *channels[:-1]), channels)):
        k = 5 if i == 0 else 3
        layers += [nn.Conv2d(c_in, c_out, k, stride=2, padding=k // 2, padding_mode=padding_mode), nn.ReLU()]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels[-1], 10)]
    return nn.Sequential(*layers)


def shapley(values: dict[tuple[int, ...], torch.Tensor]) -> torch.Tensor:
    """Shapley values of n causes from `values[fixed]`, fixed a 0/1 tuple saying which causes are removed.

    Returns a tensor (n, *value shape): cause c's change of the value when it is removed,
    averaged over all n! orders of removing the causes (why-variances-fall-below-one post).
    """
    n = len(next(iter(values)))
    out = []
    for c in range(n):
        total = torch.zeros_like(next(iter(values.values())))
        for fixed, value in values.items():
            if fixed[c]:
                continue
            k = sum(fixed)
            weight = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
            with_c = tuple(1 if i == c else f for i, f in enumerate(fixed))
            total = total + weight * (values[with_c] - value)
        out.append(total)
    return torch.stack(out)


def panels(nrows: int, ncols: int = 1, *, height: float = 3.2, **subplots_kw):
    """`plt.subplots(nrows, ncols, **subplots_kw)` at the default figure width, each row `height` inches.

    Pages show an SVG figure at its natural width (1 pt = 4/3 CSS px) or shrunk to the screen,
    so on a phone (about 360 CSS px of content) p-point text in a W-inch figure is
    p * 360 / (72 W) px tall: 11 pt is about 8 px at the default 7 in, but 6 px in a 9-inch row
    of two panels and under 5 px for its 8 pt legends. So panels that need not sit side by side
    are stacked (ncols=1) and grids keep the default width (figures of several posts; issue 11).
    """
    return plt.subplots(nrows, ncols, figsize=(STYLE["figure.figsize"][0], height * nrows), **subplots_kw)


def repaired_gains(
    gain_fixed: bool, std_fixed: bool, depth: int = 4, a: float = 0.1, s: float = 0.4, maxv: float = 6.0
) -> list[float]:
    """Per-convolution gains of notebook 06's CNN with causes removed, by quadrature (Z ~ N(0, 1)).

    gain_fixed: computed for the activation used, GeneralRelu(a, s, maxv), instead of the leaky ReLU
    the course's kaiming_normal_(a) assumes; std_fixed: gains that keep the standard deviation of
    each activation output at 1 (the first layer's input has E[x^2] = 1), instead of E[x^2] = 1.
    With neither removed this is Kaiming's sqrt(2 / (1 + a^2)) in every layer. These are the gains
    whose derivation why-variances-fall-below-one writes out (causes 1 and 3); the
    layer-statistics-during-training post trains from the initialization they give.
    """
    from scipy.optimize import brentq

    act = GeneralRelu(a, s, maxv) if gain_fixed else nn.LeakyReLU(a)

    def moment(g: float, power: int) -> float:  # kinks at y = 0 and, for the clamp, y = maxv + s
        return gauss_expect(lambda z: act(g * z) ** power, (0.0, (maxv + s) / g))

    if std_fixed:
        sigma = brentq(lambda g: moment(g, 2) - moment(g, 1) ** 2 - 1, 0.3, 5, xtol=1e-12)
        return [sigma] + [sigma / math.sqrt(moment(sigma, 2))] * (depth - 1)
    return [brentq(lambda g: moment(g, 2) - 1, 0.3, 5, xtol=1e-12)] * depth


# --- init-for-any-activation and any-distribution ---


def gauss_nodes(kinks: Sequence[float] = (0.0,), nodes: int = 64, reach: float = 12.0):
    """Nodes z_i and weights a_i with sum_i a_i f(z_i) ≈ E[f(z)], z ~ N(0, 1), for f smooth between `kinks`.

    Gauss–Legendre with `nodes` points on each piece of [-reach, reach] cut at the kinks
    (the normal mass beyond ±12 is below 1e-32). A fixed Gauss–Hermite rule across a kink
    converges slowly; split at every point where φ or φ′ jumps, each piece is smooth and the
    rule converges exponentially (init-for-any-activation post).
    """
    cuts = [-reach, *sorted(k for k in kinks if -reach < k < reach), reach]
    x, w = np.polynomial.legendre.leggauss(nodes)
    zs, ws = [], []
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        z = lo + (x + 1) * (hi - lo) / 2
        zs.append(z)
        ws.append(w * (hi - lo) / 2 * np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi))
    return torch.tensor(np.concatenate(zs)), torch.tensor(np.concatenate(ws))


def gauss_expect(f: Callable[[torch.Tensor], torch.Tensor], kinks: Sequence[float] = (0.0,)) -> float:
    """E[f(z)] for z ~ N(0, 1) by quadrature split at `kinks` (init-for-any-activation post)."""
    z, a = gauss_nodes(kinks)
    return float((a * f(z)).sum())


def activation_gain(phi: Callable[[torch.Tensor], torch.Tensor]) -> float:
    """g = 1/sqrt(E[φ(z)²]): Var[w] = g²/n keeps q = 1 a fixed point (init-for-any-activation post)."""
    return 1 / math.sqrt(gauss_expect(lambda z: phi(z) ** 2))


class StackedMLP(nn.Module):
    """`members` independent MLPs of the same shape, evaluated together with batched matmuls.

    Layer l of member e is (weight[l][e], bias[l][e]); `activation()` follows every layer
    but the last. forward(x) takes (batch, n_in) and returns (members, batch, n_out).
    Training several seeds and initializations as one model costs little more than one
    of them on this machine (any-distribution and does-the-computed-gain-train posts).
    """

    def __init__(self, widths: Sequence[int], activation: Callable[[], nn.Module], members: int):
        super().__init__()
        self.members = members
        self.weight = nn.ParameterList(
            [nn.Parameter(torch.empty(members, o, i)) for i, o in zip(widths[:-1], widths[1:], strict=True)]
        )
        self.bias = nn.ParameterList([nn.Parameter(torch.zeros(members, o)) for o in widths[1:]])
        self.activation = activation()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.expand(self.members, *x.shape)
        for l, (w, b) in enumerate(zip(self.weight, self.bias, strict=True)):
            h = torch.baddbmm(b[:, None, :], h, w.transpose(1, 2))
            if l < len(self.weight) - 1:
                h = self.activation(h)
        return h

    @torch.no_grad()
    def init_member_(self, e: int, fn: Callable[[int, torch.Tensor, torch.Tensor], object]) -> None:
        """Call fn(l, weight, bias) on member e's layer l (views into the stacked tensors), l = 0, 1, ..."""
        for l, (w, b) in enumerate(zip(self.weight, self.bias, strict=True)):
            fn(l, w[e], b[e])


def member_losses(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of each member of a StackedMLP output (members, batch, classes): a (members,) tensor."""
    e, b, k = out.shape
    losses = nn.functional.cross_entropy(out.reshape(e * b, k), y.repeat(e), reduction="none")
    return losses.view(e, b).mean(1)


def train_members(model: StackedMLP, x: torch.Tensor, y: torch.Tensor, **kw) -> torch.Tensor:
    """`train` a StackedMLP, each member on its own cross-entropy; return per-step losses (steps, members).

    All members see the same minibatches. A member whose loss is no longer finite is
    left out of the summed loss (its own gradient only); its curve records inf from then on.
    """
    history: list[torch.Tensor] = []

    def loss_fn(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        losses = member_losses(out, target)
        finite = torch.isfinite(losses)
        history.append(torch.where(finite, losses.detach().double(), torch.inf))
        return torch.where(finite, losses, torch.zeros_like(losses)).sum()

    train(model, x, y, loss_fn=loss_fn, **kw)
    return torch.stack(history)


# --- backprop posts and symmetry breaking ---


def digits_7x7(generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """`digits_28` averaged down to 7x7 pixels, flattened to 49 features and standardized; (features, labels).

    Small enough for deep networks to train in seconds (why-look-at-backprop post).
    """
    images, labels = digits_28(generator)
    pixels = nn.functional.avg_pool2d(images, 4).flatten(1)
    return (pixels - pixels.mean()) / pixels.std(), labels


def layer_gradients(model: nn.Module, x: torch.Tensor, grad_out: torch.Tensor) -> dict[str, torch.Tensor]:
    """Feed `grad_out` back from the output of `model` at input `x`; per Linear layer, in forward order:
    "input": E[Δx_l²] (gradient w.r.t. the layer's input), "weight": E[(∂L/∂w_l)²] (mean over entries).

    The weight gradient is summed over the batch, as a loss summed over samples gives it
    (why-look-at-backprop post).
    """
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    inputs: list[torch.Tensor] = []
    hooks = [m.register_forward_pre_hook(lambda _m, inp: inputs.append(inp[0])) for m in linears]
    try:
        with torch.enable_grad():
            out = model(x.detach().requires_grad_(True))
    finally:
        for h in hooks:
            h.remove()
    grads = torch.autograd.grad(out, inputs + [m.weight for m in linears], grad_outputs=grad_out)
    n = len(linears)
    return {
        "input": torch.stack([g.double().square().mean() for g in grads[:n]]),
        "weight": torch.stack([g.double().square().mean() for g in grads[n:]]),
    }


# --- explorer ---


def show_chart(chart, alt: str, caption: str | None = None) -> None:
    """Display an Altair chart (or a Vega-Lite dict) as an interactive chart with alt text and a caption.

    The build compiles it to Vega next to the post, with a static SVG for readers without
    JavaScript; alt text is required as for `show` (variance-explorer post).
    """
    if not alt or not alt.strip():
        raise ValueError("show_chart(): every chart needs alt text describing what it shows")
    from IPython.display import display

    spec = chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)
    major = spec.get("$schema", "v6").rsplit("/", 1)[-1].split(".")[0].lstrip("v") or "6"
    mime = f"application/vnd.vegalite.v{major}+json"
    meta = {"alt": alt.strip()}
    if caption:
        meta["caption"] = caption.strip()
    display({mime: spec, "text/plain": alt.strip()}, raw=True, metadata={mime: meta})
