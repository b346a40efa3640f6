"""Claims: what a post says about its results, as checks that fail exactly when it is wrong.

A post states each claim once, here, instead of a bare `assert`:

    claims.check(
        "Var[y_L] stays at 1 under Kaiming init",
        measured=final_vars,            # one value per seed: mean ± standard error
        predicted=1.0,
        rules_out={"forgetting the first layer's factor 2": 2.0},
    )

- The tolerance comes from the measurement: `k` standard errors of the mean of the
  samples (or of `se=`, a standard error the post computes), never a typed constant.
  Only a deterministic computation (quadrature, a closed form) takes `tol=`, with `why=`.
- Every claim names at least one wrong alternative, the value a careless derivation
  would give. If the tolerance would accept that value too, the claim cannot tell
  the two apart, and that is an error, not a pass.
- A claim that fails raises ClaimFailed with its numbers; the build reports the
  post's file and line. With POSTBUILD_CLAIMS=record (`make check-seeds`) failing
  claims are recorded instead of raised, so one run reports all of them.

Each claim is displayed as a small JSON record (MIME type CLAIM_MIME) that the build
collects into the post's ledger, "What this post checks".
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

CLAIM_MIME = "application/vnd.postbuild.claim+json"
RELATIONS = {"=": "≈", "<": "<", ">": ">"}


class ClaimFailed(AssertionError):
    """The measurement disagrees with the claim."""


class ClaimError(ValueError):
    """The claim is malformed, or could not fail (its tolerance admits its wrong alternative)."""


@dataclass
class Claim:
    claim: str
    predicted: float
    measured: float
    tol: float
    relation: str
    tol_source: str  # how the tolerance was obtained, in words
    se: float | None = None  # standard error of `measured`, when it is random
    n: int | None = None  # number of samples behind `measured`
    over: str | None = None  # what the samples range over ("seeds", "repeats")
    rules_out: list[dict] = field(default_factory=list)  # [{"what": ..., "value": ...}]
    passed: bool = True

    def holds_at(self, value: float) -> bool:
        """Would the claim pass if the measurement were `value`?"""
        if self.relation == "=":
            return abs(value - self.predicted) <= self.tol
        if self.relation == "<":
            return value + self.tol < self.predicted
        return value - self.tol > self.predicted

    def describe(self) -> str:
        spread = f" ± {self.se:.3g}" if self.se is not None else ""
        verdict = "holds" if self.passed else "FAILS"
        return (
            f"claim {verdict}: {self.claim}: measured {self.measured:.6g}{spread}, "
            f"predicted {RELATIONS[self.relation]} {self.predicted:.6g}, "
            f"tolerance {self.tol:.3g} ({self.tol_source})"
        )


def _floats(values) -> list[float]:
    if hasattr(values, "detach"):  # torch tensor
        values = values.detach().double().flatten().tolist()
    elif hasattr(values, "tolist"):  # numpy array
        values = [float(v) for v in values.ravel().tolist()] if hasattr(values, "ravel") else values.tolist()
    return [float(v) for v in values]


def check(
    claim: str,
    measured,
    predicted: float,
    *,
    rules_out: Mapping[str, float],
    k: float = 4.0,
    se: float | None = None,
    tol: float | None = None,
    why: str | None = None,
    relation: str = "=",
    over: str = "seeds",
) -> Claim:
    """Check one claim and record it in the post's ledger; return it (its `.tol`, `.se` can be quoted).

    measured: a number, or samples (a sequence, array or tensor with at least 3 values)
        whose mean is the measurement and whose standard error sets the tolerance.
    predicted: what the post says the measurement is (`relation` "="), or a bound it
        stays below ("<") or above (">").
    k: tolerance in standard errors (default 4: a correct post fails about once in
        16 000 runs; `make check-seeds` checks that no claim flips).
    se: the standard error of a single measured number, computed by the post.
    tol, why: for a deterministic computation only: the numerical tolerance and its reason.
    rules_out: {"what the wrong derivation forgets": the value it predicts}; at least one.
    """
    if relation not in RELATIONS:
        raise ClaimError(f"{claim!r}: relation must be one of {list(RELATIONS)}, not {relation!r}")
    predicted = float(predicted)
    n = None
    if isinstance(measured, (int, float)) or (hasattr(measured, "numel") and measured.numel() == 1):
        value = float(measured)
        if (se is None) == (tol is None):
            raise ClaimError(
                f"{claim!r}: a single measured number needs exactly one of se= (its standard error, "
                "computed by the post) or tol= with why= (a deterministic computation)"
            )
    else:
        samples = _floats(measured)
        if len(samples) < 3:
            raise ClaimError(
                f"{claim!r}: {len(samples)} samples cannot give a standard error (need 3 or more)"
            )
        if se is not None or tol is not None:
            raise ClaimError(f"{claim!r}: with samples the tolerance comes from their spread; drop se=/tol=")
        n = len(samples)
        value = sum(samples) / n
        se = math.sqrt(sum((s - value) ** 2 for s in samples) / (n - 1) / n)
    if tol is not None:
        if not why:
            raise ClaimError(f"{claim!r}: say why= the tolerance {tol!r} is what it is")
        tol_source = why
    else:
        tol = k * se
        tol_source = f"{k:g} standard errors" + (f" over {n} {over}" if n else "")
    if not (math.isfinite(value) and math.isfinite(tol) and tol >= 0):
        raise ClaimError(f"{claim!r}: measured {value!r} with tolerance {tol!r} is not a finite check")
    if not rules_out:
        raise ClaimError(f"{claim!r}: name the wrong alternative it rules out: rules_out={{'what': value}}")
    record = Claim(
        claim=claim,
        predicted=predicted,
        measured=value,
        tol=float(tol),
        relation=relation,
        tol_source=tol_source,
        se=se,
        n=n,
        over=over if n else None,
        rules_out=[{"what": what, "value": float(alt)} for what, alt in rules_out.items()],
    )
    blind = [alt for alt in record.rules_out if record.holds_at(alt["value"])]
    if blind:
        alt = blind[0]
        raise ClaimError(
            f"{claim!r} cannot fail on its wrong alternative: tolerance {record.tol:.3g} around "
            f"{predicted:.6g} also accepts {alt['value']:.6g} ({alt['what']}); "
            "measure more precisely (more seeds, larger samples) or name an alternative it can tell apart"
        )
    record.passed = record.holds_at(value)
    _display(record)
    if not record.passed and os.environ.get("POSTBUILD_CLAIMS") != "record":
        raise ClaimFailed(record.describe())
    return record


def _display(record: Claim) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:  # plain Python: print the verdict
        print(record.describe())
        return
    display({CLAIM_MIME: _rounded(asdict(record)), "text/plain": record.describe()}, raw=True)


def _rounded(value):
    """Floats to 12 significant digits: NumPy's sums can differ in the last bit from run to run
    (SIMD alignment), and the ledger must be the same bytes on every build."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value
