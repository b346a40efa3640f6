"""Mean-field recursion, its Gaussian-integral tables, and the measured grid (variance-explorer post).

The prediction: a network x_1 -> y_l = x_l W_l -> x_{l+1} = phi(y_l), l = 1..L, with i.i.d.
weights of variance sigma_l^2, input x_1 ~ N(0, 1) of dimension N_INPUT and hidden width n.
In the wide limit y_l ~ N(0, q_l) with

    q_1 = sigma_1^2 N_INPUT,      q_{l+1} = sigma_{l+1}^2 n E[phi(sqrt(q_l) z)^2],
    r_{L+1} = 1,                  r_l = sigma_l^2 n E[phi'(sqrt(q_l) z)^2] r_{l+1},

where r_l is the second moment of the gradient with respect to x_l (a unit Gaussian gradient
fed in at the output x_{L+1}). The mean of x_{l+1} is E[phi(sqrt(q_l) z)].

The measurement: the same networks in PyTorch, initialized by torch.nn.init, on a grid
of settings and seeds. Everything the explorer page draws comes from `explorer_data`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

import initlab

N_INPUT = 784  # an MNIST-sized input: fan-in and fan-out of the first layer differ
SELU_ALPHA = 1.6732632423543772848170429916717  # torch.nn.functional.selu's constants
SELU_SCALE = 1.0507009873554804934193349852946
COURSE_LEAK, COURSE_SUB, COURSE_MAXV = 0.1, 0.4, 6.0  # the course's GeneralRelu (initlab.GeneralRelu)

# ---------------------------------------------------------------------------
# Activations: the module PyTorch runs, and phi, phi' in NumPy for the quadrature
# ---------------------------------------------------------------------------


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(x / 2))


def _normal_cdf(x):
    from scipy.special import ndtr

    return ndtr(x)


SMOOTH = {
    # name: (label, module, phi, phi')
    "tanh": ("tanh", nn.Tanh, np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "gelu": (
        "GELU",
        nn.GELU,
        lambda x: x * _normal_cdf(x),
        lambda x: _normal_cdf(x) + x * np.exp(-(x**2) / 2) / math.sqrt(2 * math.pi),
    ),
    "selu": (
        "SELU",
        nn.SELU,
        lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0))),
        lambda x: SELU_SCALE * np.where(x > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(x, 0))),
    ),
    "elu": (
        "ELU",
        nn.ELU,
        lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
        lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))),
    ),
    "silu": (
        "SiLU",
        nn.SiLU,
        lambda x: x * _sigmoid(x),
        lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x))),
    ),
}

# The measured activations: key -> (family, parameters). The piecewise-linear family
# phi(x) = min(leaky_relu(x, leak) - sub, maxv) covers ReLU, leaky ReLU and the course's GeneralRelu.
MEASURED = {
    "relu": ("pwl", {"leak": 0.0, "sub": 0.0, "maxv": math.inf}),
    "leaky-0.01": ("pwl", {"leak": 0.01, "sub": 0.0, "maxv": math.inf}),
    "leaky-0.1": ("pwl", {"leak": 0.1, "sub": 0.0, "maxv": math.inf}),
    "general-0.1-0.4": ("pwl", {"leak": COURSE_LEAK, "sub": COURSE_SUB, "maxv": COURSE_MAXV}),
    **{name: ("smooth", {}) for name in SMOOTH},
}


def module_for(key: str) -> nn.Module:
    """The PyTorch activation module the measurement runs for activation `key`."""
    family, p = MEASURED[key]
    if family == "smooth":
        return SMOOTH[key][1]()
    if p["sub"] == 0 and math.isinf(p["maxv"]):
        return nn.ReLU() if p["leak"] == 0 else nn.LeakyReLU(p["leak"])
    return initlab.GeneralRelu(p["leak"], p["sub"], p["maxv"])


def kaiming_gain(key: str) -> tuple[str, float | None, float]:
    """(nonlinearity, param) passed to torch.nn.init.kaiming_* for `key`, and the gain it gives.

    PyTorch's calculate_gain knows relu, leaky_relu, tanh and selu; for GELU, ELU and SiLU
    we pass "relu", the usual choice. The course's GeneralRelu uses kaiming_normal_(a=leak).
    """
    family, p = MEASURED[key]
    if family == "pwl":
        nonlinearity, param = ("relu", None) if p["leak"] == 0 else ("leaky_relu", p["leak"])
    elif key in ("tanh", "selu"):
        nonlinearity, param = key, None
    else:
        nonlinearity, param = "relu", None
    return nonlinearity, param, nn.init.calculate_gain(nonlinearity, param)


# ---------------------------------------------------------------------------
# Gaussian integrals: E[phi(sqrt(q) z)^2], E[phi(sqrt(q) z)], E[phi'(sqrt(q) z)^2]
# ---------------------------------------------------------------------------


def pwl_moments(q, leak: float, sub: float, maxv: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(E[phi^2], E[phi], E[phi'^2]) in closed form for phi(x) = min(leaky_relu(x, leak) - sub, maxv).

    x ~ N(0, q).

    Split at the kinks z = 0 and z = c = (maxv + sub) / sqrt(q); on each piece phi is linear
    and the partial moments of the standard normal are elementary. docs/javascripts/explorer.js
    evaluates the same formulas.
    """
    q = np.asarray(q, dtype=np.float64)
    s = np.sqrt(q)
    pdf0 = 1 / math.sqrt(2 * math.pi)
    if math.isinf(maxv):
        cdf_c, pdf_c, c_pdf_c = 1.0, 0.0, 0.0
    else:
        c = (maxv + sub) / s
        cdf_c, pdf_c = _normal_cdf(c), np.exp(-(c**2) / 2) * pdf0
        c_pdf_c = c * pdf_c
        # above the clamp: phi = maxv
    p0 = cdf_c - 0.5  # P(0 < z < c)
    p1 = pdf0 - pdf_c  # E[z; 0 < z < c]
    p2 = p0 - c_pdf_c  # E[z^2; 0 < z < c]
    above = 1 - cdf_c
    clamp = 0.0 if math.isinf(maxv) else maxv
    second = (leak**2 * q / 2 + 2 * leak * s * sub * pdf0 + sub**2 / 2) + (
        q * p2 - 2 * s * sub * p1 + sub**2 * p0
    )
    second = second + clamp**2 * above
    first = (-leak * s * pdf0 - sub / 2) + (s * p1 - sub * p0) + clamp * above
    slope = leak**2 / 2 + p0
    return second, first, slope


# Half-line Gauss-Legendre rule on [0, Z_MAX]: the Gaussian weight beyond Z_MAX is below 1e-30.
Z_MAX, NODES = 12.0, 400


@functools.lru_cache(maxsize=1)
def half_line_rule() -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights for integrals over 0 < z < Z_MAX against the N(0,1) density."""
    t, w = np.polynomial.legendre.leggauss(NODES)
    z = (t + 1) * Z_MAX / 2
    return z, w * Z_MAX / 2 * np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)


def gaussian_moments(phi: Callable, dphi: Callable, q) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(E[phi^2], E[phi], E[phi'^2]) at x = sqrt(q) z by quadrature split at the kink z = 0."""
    q = np.asarray(q, dtype=np.float64)[..., None]
    z, w = half_line_rule()
    moments = [np.zeros(q.shape[:-1]) for _ in range(3)]
    for side in (1.0, -1.0):  # z > 0 and z < 0 separately: phi' may jump at 0 (SELU, ELU)
        x = side * np.sqrt(q) * z
        values, slopes = phi(x), dphi(x)
        moments[0] += (values**2 * w).sum(-1)
        moments[1] += (values * w).sum(-1)
        moments[2] += (slopes**2 * w).sum(-1)
    return tuple(moments)


# The tables span q = 10^LOG_Q_MIN .. 10^LOG_Q_MAX; beyond them the browser extrapolates
# log E[phi^2] and log E[phi'^2] linearly in log q (their asymptotic power laws) and holds
# E[phi]/sqrt(q) at its end value.
LOG_Q_MIN, LOG_Q_MAX, LOG_Q_STEP = -6.0, 10.0, 0.05


def tables() -> dict:
    """Tables of the three integrals for the smooth activations, on a grid of log10 q."""
    log_q = np.arange(LOG_Q_MIN, LOG_Q_MAX + LOG_Q_STEP / 2, LOG_Q_STEP)
    q = 10**log_q
    out = {"log_q_min": LOG_Q_MIN, "log_q_step": LOG_Q_STEP, "count": len(log_q), "smooth": {}}
    for name, (_, _, phi, dphi) in SMOOTH.items():
        second, first, slope = gaussian_moments(phi, dphi, q)
        out["smooth"][name] = {
            "log_second": np.log10(second),
            "mean_ratio": first / np.sqrt(q),
            "log_slope": np.log10(slope),
        }
    return out


def table_moments(table: dict, name: str, q: float) -> tuple[float, float, float]:
    """The browser's interpolation of `tables()`, in Python (to check it against direct quadrature)."""
    t = table["smooth"][name]
    position = (math.log10(q) - table["log_q_min"]) / table["log_q_step"]
    count = table["count"]

    def linear(values, extrapolate: bool) -> float:
        i = min(max(int(math.floor(position)), 0), count - 2)
        frac = position - i
        if not extrapolate:
            frac = min(max(frac, 0.0), 1.0)
        return float(values[i] + frac * (values[i + 1] - values[i]))

    second = 10 ** linear(t["log_second"], True)
    mean = linear(t["mean_ratio"], False) * math.sqrt(q)
    slope = 10 ** linear(t["log_slope"], True)
    return second, mean, slope


# ---------------------------------------------------------------------------
# Initializations: the weight variance of each layer, and the PyTorch call that draws it
# ---------------------------------------------------------------------------

NAMED_INITS = ["xavier", "kaiming-in", "kaiming-out", "default", "lsuv"]
GAINS = [0.5, 1.0, 1.5, 2.0]  # the "gain g" init, std = g / sqrt(fan_in), measured at these g


def init_keys() -> list[str]:
    return NAMED_INITS + [f"gain-{g:g}" for g in GAINS]


def draw_weight(init: str, key: str, fan_in: int, fan_out: int, gen: torch.Generator) -> torch.Tensor:
    """One (fan_out, fan_in) weight drawn by the torch.nn.init call that `init` names (not LSUV)."""
    w = torch.empty(fan_out, fan_in)
    if init == "xavier":
        return nn.init.xavier_normal_(w, generator=gen)
    if init in ("kaiming-in", "kaiming-out"):
        nonlinearity, param, _ = kaiming_gain(key)
        mode = "fan_in" if init == "kaiming-in" else "fan_out"
        return nn.init.kaiming_normal_(w, a=param or 0, mode=mode, nonlinearity=nonlinearity, generator=gen)
    if init == "default":  # what nn.Linear.reset_parameters does
        return nn.init.kaiming_uniform_(w, a=math.sqrt(5), generator=gen)
    if init.startswith("gain-"):
        return nn.init.normal_(w, 0.0, float(init[5:]) / math.sqrt(fan_in), generator=gen)
    raise ValueError(init)


def weight_variance(init: str, key: str, fan_in: int, fan_out: int) -> float:
    """The variance of the weights `draw_weight` draws (for the prediction)."""
    if init == "xavier":
        return 2 / (fan_in + fan_out)
    if init in ("kaiming-in", "kaiming-out"):
        gain = kaiming_gain(key)[2]
        return gain**2 / (fan_in if init == "kaiming-in" else fan_out)
    if init == "default":
        return 1 / (3 * fan_in)  # uniform on +-1/sqrt(fan_in)
    if init.startswith("gain-"):
        return float(init[5:]) ** 2 / fan_in
    raise ValueError(init)


# ---------------------------------------------------------------------------
# The prediction, in Python (the browser computes the same from the tables)
# ---------------------------------------------------------------------------


def moments_for(key: str) -> Callable[[float], tuple[float, float, float]]:
    family, p = MEASURED[key]
    if family == "pwl":
        return lambda q: tuple(float(m) for m in pwl_moments(q, **p))
    phi, dphi = SMOOTH[key][2], SMOOTH[key][3]
    return lambda q: tuple(float(m) for m in gaussian_moments(phi, dphi, q))


def predict(key: str, init: str, width: int, depth: int, moments=None) -> dict[str, np.ndarray]:
    """Mean-field std of y_l, mean of x_{l+1} (l = 1..depth) and std of the gradient w.r.t. x_l."""
    moments = moments or moments_for(key)
    fans = [(N_INPUT, width)] + [(width, width)] * (depth - 1)
    q, second_in = [], 1.0  # E[x_1^2] = 1
    variances, means, slopes = [], [], []
    for fan_in, fan_out in fans:
        if init == "lsuv":  # scaled so that Var[y_l] = 1 on the data
            var = 1 / (fan_in * second_in)
        else:
            var = weight_variance(init, key, fan_in, fan_out)
        variances.append(var)
        q.append(var * fan_in * second_in)
        second_in, mean, slope = moments(q[-1])
        means.append(mean)
        slopes.append(slope)
    r = [1.0]
    for l in reversed(range(depth)):
        r.append(variances[l] * width * slopes[l] * r[-1])
    return {
        "std": np.sqrt(q),
        "mean": np.array(means),
        "grad_std": np.sqrt(np.array(r[1:][::-1])),
    }


# ---------------------------------------------------------------------------
# The measurement
# ---------------------------------------------------------------------------

DEPTH = 50
GRAD_DEPTHS = [
    5,
    10,
    20,
    50,
]  # the depths the explorer offers; backward: a unit gradient fed in at the output of a depth-L network
WIDTHS = [32, 128]
SEEDS = 4
BATCH = 16


def network_std(t: torch.Tensor) -> torch.Tensor:
    """Population std over all elements of each network's slice t[i], as float64.

    Scaled by the largest entry first, so that squares of tiny float32 values do not underflow;
    E[t^2] - E[t]^2 loses nothing here because the quantities measured (pre-activations,
    gradients) have a mean far below their spread. torch.std is 30x slower on these shapes.
    """
    flat = t.detach().reshape(t.shape[0], -1)
    scale = flat.abs().amax(dim=1, keepdim=True).clamp_min(torch.finfo(t.dtype).tiny)
    scaled = flat / scale
    variance = (scaled.square().mean(1).double() - scaled.mean(1).double().square()).clamp_min(0)
    return variance.sqrt() * scale.flatten().double()


def draw_bases(width: int, gen: torch.Generator) -> dict[str, list[torch.Tensor]]:
    """The random draws every network of one width shares: per layer, (SEEDS, fan_in, fan_out) tensors.

    "normal": N(0, 1) entries, "uniform": U(-1, 1) entries, "orthogonal": orthogonal_ matrices
    (transposed to the x @ W layout), plus the inputs and LSUV's calibration batch. The
    initializations scale these by the std of `weight_variance` (the formulas of torch.nn.init;
    the post checks them against the library's own calls); the activations share them, which
    makes comparisons between activations sharper and costs one draw instead of nine.
    """
    fans = [(N_INPUT, width)] + [(width, width)] * (DEPTH - 1)
    return {
        "normal": [torch.randn(SEEDS, fan_in, fan_out, generator=gen) for fan_in, fan_out in fans],
        "uniform": [torch.rand(SEEDS, fan_in, fan_out, generator=gen) * 2 - 1 for fan_in, fan_out in fans],
        "orthogonal": [
            torch.stack(
                [nn.init.orthogonal_(torch.empty(fan_out, fan_in), generator=gen).T for _ in range(SEEDS)]
            )
            for fan_in, fan_out in fans
        ],
        "inputs": torch.randn(SEEDS, BATCH, N_INPUT, generator=gen),
        "calibration": torch.randn(SEEDS, BATCH, N_INPUT, generator=gen),
    }


def init_weights(init: str, key: str, bases: dict, act: nn.Module) -> list[torch.Tensor]:
    """Per layer, the (SEEDS, fan_in, fan_out) weights of initialization `init` for activation `key`."""
    if init == "lsuv":  # orthogonal, then each layer scaled to unit output std on the calibration batch
        h, weights = bases["calibration"], []
        with torch.no_grad():
            for w in bases["orthogonal"]:
                y = torch.bmm(h, w)
                scale = y.std(dim=(1, 2), keepdim=True)
                weights.append(w / scale)
                h = act(y / scale)
        return weights
    base = bases["uniform"] if init == "default" else bases["normal"]
    weights = []
    for w in base:
        fan_in, fan_out = w.shape[1], w.shape[2]
        std = math.sqrt(weight_variance(init, key, fan_in, fan_out))
        weights.append(w * (std * math.sqrt(3) if init == "default" else std))  # U(-1,1) has variance 1/3
    return weights


def measure(key: str, width: int, bases: dict, gen: torch.Generator) -> dict[str, dict[str, torch.Tensor]]:
    """Run every init of `init_keys()` for SEEDS seeds: the networks of one (activation, width), batched.

    Returns {init: {"std": (SEEDS, DEPTH) std of y_l, "mean": (SEEDS, DEPTH) mean of x_{l+1},
    "grad_std_<L>": (SEEDS, L) std of the gradient w.r.t. x_l in a depth-L network}}.
    Statistics are over all elements of a layer (batch and units), per network.
    """
    inits = init_keys()
    act = module_for(key)
    per_init = [init_weights(init, key, bases, act) for init in inits]
    weights = [torch.cat([w[l] for w in per_init]) for l in range(DEPTH)]  # network = init * SEEDS + seed
    x = bases["inputs"].repeat(len(inits), 1, 1).requires_grad_(True)
    xs, stds, means = [x], [], []
    for w in weights:
        y = torch.bmm(xs[-1], w)
        xs.append(act(y))
        with torch.no_grad():
            stds.append(network_std(y))
            means.append(xs[-1].double().mean(dim=(1, 2)))
    out = {"std": torch.stack(stds, 1), "mean": torch.stack(means, 1)}
    for depth in GRAD_DEPTHS:
        # d(sum of out * g)/dx = the gradient with a unit Gaussian g fed in at the output x_{depth+1}
        grad_out = torch.randn(xs[depth].shape, generator=gen)
        grads = torch.autograd.grad((xs[depth] * grad_out).sum(), xs[:depth], retain_graph=True)
        out[f"grad_std_{depth}"] = torch.stack([network_std(g) for g in grads], 1)
    return {
        init: {name: values[i * SEEDS : (i + 1) * SEEDS] for name, values in out.items()}
        for i, init in enumerate(inits)
    }


def measure_grid(gen: torch.Generator) -> dict:
    """measure() for every activation of MEASURED and width of WIDTHS: {key: {width: {init: stats}}}."""
    torch.set_grad_enabled(True)
    grid: dict = {key: {} for key in MEASURED}
    for width in WIDTHS:
        bases = draw_bases(width, gen)
        for key in MEASURED:
            grid[key][width] = measure(key, width, bases, gen)
    return grid


# ---------------------------------------------------------------------------
# The data shipped to the page
# ---------------------------------------------------------------------------

LOG_STEP = 0.01  # measured stds are shipped as round(log10(std) / LOG_STEP): 2.3 % steps


def _encode_log(rows: torch.Tensor) -> list[list[int | None]]:
    """(seeds, layers) positive values -> [median, median - low, high - median] in units of LOG_STEP of log10.

    The median is delta-encoded along the layers (the page adds them up); a layer where some
    seed underflowed to 0 or overflowed is sent as None.
    """
    logs = (rows.clamp_min(1e-300).log10() / LOG_STEP).round()
    finite = (torch.isfinite(rows) & (rows > 0)).all(0).tolist()
    median, low, high = (c.tolist() for c in (logs.median(0).values, logs.min(0).values, logs.max(0).values))
    deltas, previous = [], 0
    for value, ok in zip(median, finite, strict=False):
        deltas.append(int(value - previous) if ok else None)
        previous = value if ok else previous
    below = [int(m - lo) if ok else None for m, lo, ok in zip(median, low, finite, strict=False)]
    above = [int(hi - m) if ok else None for m, hi, ok in zip(median, high, finite, strict=False)]
    return [deltas, below, above]


MEAN_STEP = 0.001  # measured means are shipped in steps of MEAN_STEP times the layer's median std of y


def _decoded_median_std(encoded: list[list[int | None]]) -> list[float | None]:
    """The median std of y per layer as the page decodes it (the unit of the shipped means)."""
    return [None if v is None else v[0] for v in decode_log(encoded)]


def _encode_mean(rows: torch.Tensor, unit_std: list[float | None]) -> list[list[int | None]]:
    """(seeds, layers) means -> [median, median - low, high - median] as integers of MEAN_STEP * unit_std."""
    curves = (rows.median(0).values, rows.min(0).values, rows.max(0).values)
    out = [[], [], []]
    for layer, scale in enumerate(unit_std):
        values = [c[layer].item() for c in curves]
        if scale is None or not all(math.isfinite(v) for v in values):
            for column in out:
                column.append(None)
            continue
        median, low, high = (round(v / (MEAN_STEP * scale)) for v in values)
        out[0].append(median)
        out[1].append(median - low)
        out[2].append(high - median)
    return out


def decode_mean(encoded: list[list[int | None]], std_encoded: list[list[int | None]]) -> list:
    """Inverse of _encode_mean: per layer (median, low, high), None where not finite."""
    out = []
    for median, below, above, scale in zip(*encoded, _decoded_median_std(std_encoded), strict=False):
        if median is None:
            out.append(None)
            continue
        unit = MEAN_STEP * scale
        out.append((median * unit, (median - below) * unit, (median + above) * unit))
    return out


def explorer_data(grid: dict) -> dict:
    """Everything the explorer draws: the tables for the prediction and the measured grid."""
    table = tables()
    return {
        "n_input": N_INPUT,
        "depth": DEPTH,
        "grad_depths": GRAD_DEPTHS,
        "widths": WIDTHS,
        "seeds": SEEDS,
        "batch": BATCH,
        "gains": GAINS,
        "log_step": LOG_STEP,
        "mean_step": MEAN_STEP,
        "selu": [SELU_ALPHA, SELU_SCALE],
        "course": [COURSE_LEAK, COURSE_SUB, COURSE_MAXV],
        "kaiming": {key: kaiming_gain(key)[2] for key in MEASURED},
        "measured_pwl": {  # JSON has no infinity: no clamp is null
            key: {**p, "maxv": None if math.isinf(p["maxv"]) else p["maxv"]}
            for key, (family, p) in MEASURED.items()
            if family == "pwl"
        },
        "tables": {
            **{k: v for k, v in table.items() if k != "smooth"},
            "smooth": {
                name: {series: [float(f"{v:.6g}") for v in values] for series, values in t.items()}
                for name, t in table["smooth"].items()
            },
        },
        "measured": {
            key: {
                str(width): {
                    init: {
                        "std": _encode_log(stats["std"]),
                        "mean": _encode_mean(stats["mean"], _decoded_median_std(_encode_log(stats["std"]))),
                        **{f"grad_{d}": _encode_log(stats[f"grad_std_{d}"]) for d in GRAD_DEPTHS},
                    }
                    for init, stats in by_init.items()
                }
                for width, by_init in by_width.items()
            }
            for key, by_width in grid.items()
        },
    }


def decode_log(
    encoded: list[list[int | None]], log_step: float = LOG_STEP
) -> list[tuple[float, float, float] | None]:
    """Inverse of _encode_log: per layer (median, low, high) as values (not logs), None where not finite."""
    deltas, below, above = encoded
    out, total = [], 0
    for delta, b, a in zip(deltas, below, above, strict=False):
        if delta is None:
            out.append(None)
            continue
        total += delta
        out.append(tuple(10 ** (v * log_step) for v in (total, total - b, total + a)))
    return out


# ---------------------------------------------------------------------------
# The explorer on the page: the chart (Altair, compiled at build) and its controls
# ---------------------------------------------------------------------------

MEASURED_COLOR, PREDICTED_COLOR = "#0072B2", "#D55E00"  # initlab.COLORS[0], [1]
SERIES = ["measured (median over seeds)", "prediction (mean field)"]
ACTIVATION_CHOICES = [
    ("relu", "ReLU"),
    ("leaky", "leaky ReLU"),
    ("general", "shifted ReLU (course's GeneralRelu)"),
    ("tanh", "tanh"),
    ("gelu", "GELU"),
    ("selu", "SELU"),
    ("elu", "ELU"),
    ("silu", "SiLU"),
]
INIT_CHOICES = [
    ("kaiming-in", "Kaiming, fan-in"),
    ("kaiming-out", "Kaiming, fan-out"),
    ("xavier", "Xavier (Glorot)"),
    ("default", "PyTorch default (a = √5)"),
    ("lsuv", "LSUV"),
    ("gain", "gain g: std g/√fan-in"),
]


def chart_rows(data: dict, key: str, init: str, width: int, depth: int, direction: str, stat: str) -> dict:
    """The rows the chart draws for one measured setting (the page computes the same in JS)."""
    pred = predict(key, init, width, depth)
    log = stat == "std"
    if direction == "forward":
        predicted = pred["std"] if log else pred["mean"]
    else:
        predicted = pred["grad_std"]
    entry = data["measured"][key][str(width)][init]
    if direction == "forward" and stat == "mean":
        measured = decode_mean(entry["mean"], entry["std"])[:depth]
    else:
        measured = decode_log(entry["std"] if direction == "forward" else entry[f"grad_{depth}"])[:depth]
    value = (lambda v: math.log10(v)) if log else (lambda v: v)
    lines, band = [], []
    for layer, (p, m) in enumerate(zip(predicted, measured, strict=False), start=1):
        if p > 0 or not log:
            lines.append({"layer": layer, "value": value(p), "series": SERIES[1]})
        if m is not None:
            lines.append({"layer": layer, "value": value(m[0]), "series": SERIES[0]})
            band.append({"layer": layer, "lo": value(m[1]), "hi": value(m[2])})
    return {"lines": lines, "band": band}


def explorer_spec(data: dict, rows: dict, ytitle: str) -> dict:
    """The explorer's Vega-Lite spec: the measured band and median, the prediction, and where they part.

    Written as a plain dict (Altair would add seconds of import and validation to the post);
    the whole of `data` rides in its usermeta for the page's script, docs/javascripts/explorer.js,
    which replaces the datasets "lines", "band" and "part" and the params "ytitle", "logscale".
    """
    x = {
        "field": "layer",
        "type": "quantitative",
        "title": "layer l",
        "scale": {"nice": False},
        "axis": {"tickMinStep": 1},
    }
    label = "logscale ? format(pow(10, datum.value), '.2~g') : format(datum.value, '.2~g')"
    # a fixed label width: the labels change with the data, and Vega lays the chart out once
    y_axis = {"title": None, "labelExpr": label, "tickCount": 6, "minExtent": 55, "maxExtent": 55}
    band = {
        "data": {"name": "band", "values": rows["band"]},
        "mark": {"type": "area", "opacity": 0.25, "color": MEASURED_COLOR, "aria": False},
        "encoding": {
            "x": x,
            "y": {"field": "lo", "type": "quantitative", "axis": y_axis, "scale": {"zero": False}},
            "y2": {"field": "hi"},
        },
    }
    lines = {
        "data": {"name": "lines", "values": rows["lines"]},
        "transform": [
            {
                "calculate": "logscale ? format(pow(10, datum.value), '.3~g') : format(datum.value, '.3~g')",
                "as": "shown",
            }
        ],
        "mark": {"type": "line", "point": {"size": 14, "aria": False}, "aria": False},
        "encoding": {
            "x": x,
            "y": {"field": "value", "type": "quantitative", "axis": y_axis},
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": SERIES, "range": [MEASURED_COLOR, PREDICTED_COLOR]},
                "legend": {"orient": "bottom", "title": None, "direction": "vertical", "labelLimit": 400},
            },
            "strokeDash": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": SERIES, "range": [[1, 0], [6, 3]]},
                "legend": None,
            },
            "tooltip": [
                {"field": "series", "type": "nominal"},
                {"field": "layer", "type": "quantitative"},
                {"field": "shown", "type": "nominal", "title": "value"},
            ],
        },
    }
    part = {
        "data": {"name": "part", "values": rows.get("part", [])},
        "mark": {"type": "rule", "color": "#555555", "strokeDash": [2, 2], "aria": False},
        "encoding": {"x": {"field": "layer", "type": "quantitative"}},
    }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": "Per-layer statistic: measured band and median, and the mean-field prediction",
        "width": "container",
        "height": 300,
        "autosize": {"type": "fit-x", "contains": "padding"},  # axes and labels inside the container
        "title": {"text": {"expr": "ytitle"}, "anchor": "start", "fontSize": 13, "fontWeight": "normal"},
        "params": [{"name": "ytitle", "value": ytitle}, {"name": "logscale", "value": True}],
        "layer": [band, lines, part],
        "config": {
            "aria": False,  # the chart's container carries the alt text (docs/javascripts/charts.js)
            "mark": {"aria": False},
            "background": "white",
            "axis": {
                "labelColor": "#333333",
                "titleColor": "#111111",
                "gridColor": "#dddddd",
                "domainColor": "#333333",
            },
            "legend": {"labelColor": "#111111", "labelFontSize": 12},
            "title": {"color": "#111111"},
        },
        "usermeta": {"explorer": data},
    }


def _select(name: str, label: str, choices: list[tuple[str, str]]) -> str:
    options = "".join(f'<option value="{value}">{text}</option>' for value, text in choices)
    return (
        f'<div class="explorer__field"><label for="ex-{name}">{label}</label>'
        f'<select id="ex-{name}" name="{name}">{options}</select></div>'
    )


def _range(name: str, label: str, low: float, high: float, step: float, value: float) -> str:
    return (
        f'<div class="explorer__field explorer__field--{name}"><label for="ex-{name}">{label}</label>'
        f'<input type="range" id="ex-{name}" name="{name}" '
        f'min="{low:g}" max="{high:g}" step="{step:g}" value="{value:g}">'
        f'<output for="ex-{name}" id="ex-{name}-value">{value:g}</output></div>'
    )


def _radios(name: str, legend: str, choices: list[tuple[str, str]]) -> str:
    buttons = "".join(
        f'<label><input type="radio" name="{name}" value="{value}"{" checked" if i == 0 else ""}> '
        f"{text}</label>"
        for i, (value, text) in enumerate(choices)
    )
    return f'<fieldset class="explorer__radios"><legend>{legend}</legend>{buttons}</fieldset>'


def explorer_controls_html(data: dict, chart_id: str = "chart-1") -> str:
    """The explorer's controls; docs/javascripts/explorer.js wires them to the chart `chart_id`."""
    presets = [
        ("course", "Course CNN shift"),
        ("selu", "SELU self-normalization"),
        ("xavier-relu", "Xavier on ReLU"),
    ]
    parts = [
        f'<form class="explorer" data-explorer="{chart_id}" aria-label="Variance explorer settings" hidden>',
        '<div class="explorer__presets" role="group" aria-label="Presets">'
        + "".join(
            f'<button type="button" class="md-button" data-preset="{k}">{t}</button>' for k, t in presets
        )
        + "</div>",
        '<div class="explorer__grid">',
        _select("act", "Activation", ACTIVATION_CHOICES),
        _range("leak", "Leaky slope", 0, 0.5, 0.01, 0.01),
        _range("sub", "Shift (sub)", 0, 1, 0.05, COURSE_SUB),
        _select("init", "Initialization", INIT_CHOICES),
        _range("gain", "Gain g", 0.25, 2.5, 0.05, 1.0),
        _select("depth", "Depth L", [(str(d), str(d)) for d in GRAD_DEPTHS[::-1]]),
        _select("width", "Width n", [(str(w), str(w)) for w in WIDTHS[::-1]]),
        "</div>",
        '<div class="explorer__grid">',
        _radios("pass", "Pass", [("forward", "forward"), ("backward", "backward")]),
        _radios("stat", "Statistic", [("std", "standard deviation"), ("mean", "mean")]),
        "</div>",
        '<p class="explorer__readout" id="ex-readout" aria-live="polite"></p>',
        "</form>",
    ]
    return "\n".join(parts)
