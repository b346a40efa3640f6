"""Claims and the strictness that makes a post's promise true: each planted fault fails the build.

The claims module is tested directly (no kernel); the planted faults run through the
real executor (one kernel per post) or, for links, through a real `mkdocs build --strict`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

from postbuild.build import build

sys.path.insert(0, str(ROOT / "posts_src"))
import claims  # noqa: E402

SUMMARY = """
    **Summary.**

    <!-- more -->

"""


# --- the claims module ------------------------------------------------------------------


def test_tolerance_comes_from_the_spread_of_the_samples():
    claim = claims.check("mean is 1", [0.9, 1.0, 1.1, 1.0], 1.0, rules_out={"two": 2.0})
    se = (0.02 / 3 / 4) ** 0.5  # sample variance 0.02/3, over n = 4
    assert claim.se == pytest.approx(se) and claim.tol == pytest.approx(4 * se)
    assert claim.passed and claim.n == 4 and "4 standard errors over 4 seeds" in claim.tol_source


def test_a_measurement_outside_the_tolerance_fails_with_its_numbers():
    with pytest.raises(claims.ClaimFailed, match=r"measured 1\.5.*predicted ≈ 1"):
        claims.check("mean is 1", [1.49, 1.5, 1.51], 1.0, rules_out={"two": 2.0})


def test_a_claim_that_cannot_tell_its_alternative_is_an_error():
    with pytest.raises(claims.ClaimError, match="cannot fail on its wrong alternative"):
        claims.check("Var is 1", [0.2, 1.0, 1.8, 1.0], 1.0, rules_out={"forgetting the factor 2": 2.0})


def test_bounds_check_the_whole_interval_and_their_alternative():
    assert claims.check("below 1", [0.5, 0.52, 0.48], 1.0, relation="<", rules_out={"at 1": 1.0}).passed
    with pytest.raises(claims.ClaimFailed):
        claims.check("below 1", [0.9, 1.2, 0.95], 1.0, relation="<", rules_out={"at 2": 2.0})
    with pytest.raises(claims.ClaimError):  # 0.5 would pass "below 1" too: it rules nothing out
        claims.check("below 1", [0.5, 0.52, 0.48], 1.0, relation="<", rules_out={"half": 0.5})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"measured": 1.0}, "exactly one of se="),
        ({"measured": 1.0, "tol": 0.1}, "say why="),
        ({"measured": [1.0, 1.1]}, "need 3 or more"),
        ({"measured": [1.0, 1.1, 0.9], "tol": 0.5, "why": "x"}, "drop se=/tol="),
        ({"measured": [1.0, 1.1, 0.9], "rules_out": {}}, "name the wrong alternative"),
        ({"measured": float("nan"), "tol": 0.1, "why": "x"}, "not a finite check"),
    ],
)
def test_malformed_claims_are_errors(kwargs, message):
    kwargs = {"rules_out": {"two": 2.0}, **kwargs}
    with pytest.raises(claims.ClaimError, match=message):
        claims.check("c", predicted=1.0, **kwargs)


# --- planted faults, through the executor ---------------------------------------------------


@pytest.fixture
def claims_project(project):
    shutil.copy(ROOT / "posts_src" / "claims.py", project.src / "claims.py")
    return project


def build_one(project, slug: str, body: str):
    path = project.post(slug, SUMMARY + textwrap.dedent(body))
    report = build(project.settings, log=lambda _: None)
    return path, report


def line_of(path: Path, text: str) -> int:
    return next(n for n, row in enumerate(path.read_text().split("\n"), start=1) if text in row)


def test_ledger_lists_every_claim_with_a_link_to_its_cell(claims_project):
    path, report = build_one(
        claims_project,
        "ledger",
        """
    ```python
    import claims
    c = claims.check("the mean is 1", [0.99, 1.0, 1.01], 1.0, rules_out={"no effect": 0.0})
    tol = c.tol
    ```

    Within {{ tol:.2g }}.
    """,
    )
    assert report.ok, report.errors
    page = claims_project.output("ledger")
    assert '<details class="checks" id="checks"' in page and '<span id="cell-1"></span>' in page
    assert "| the mean is 1 | 1 | 1 ± 0.005774 (3 seeds) |" in page and "| pass | [cell 1](#cell-1) |" in page
    assert "0: no effect" in page and "Within 0.023." in page
    checks = (claims_project.docs / "checks.md").read_text()
    assert "**1 claims**" in checks and "(blog/posts/ledger.md#cell-1)" in checks


FAULTS = {
    "fence info word",
    "unknown tag",
    "stderr warning",
    "typed decimal",
    "claim admits its alternative",
    "figure contradicts its caption",
    "attribute in braces",
}


def posts_and_notebooks(project) -> dict[str, bytes]:
    return {path: data for path, data in project.snapshot().items() if path != "checks.md"}


@pytest.mark.parametrize(
    "fault, body, needle, message",
    [
        (
            "fence info word",
            "```python remove-input\nx = 1\n```\n",
            "```python remove-input",
            "unknown word(s) 'remove-input' after ```python",
        ),
        (
            "unknown tag",
            '```python tags=["remove-inputs"]\nx = 1\n```\n',
            "remove-inputs",
            "unknown cell tag 'remove-inputs'",
        ),
        (
            "stderr warning",
            "```python\nimport warnings\nwarnings.warn('old API')\n```\n",
            "warnings.warn",
            "this cell wrote to stderr",
        ),
        (
            "typed decimal",
            "```python\nx = 1.0716\n```\n\nThe factor is 1.0716 per layer.\n",
            "The factor is",
            "'1.0716' is typed into the prose",
        ),
        (
            "claim admits its alternative",
            "```python\nimport claims\nclaims.check('Var is 1', [0.2, 1.0, 1.8], 1.0,\n"
            "             rules_out={'forgot the 2': 2.0})\n```\n",
            "claims.check",
            "ClaimError: 'Var is 1' cannot fail on its wrong alternative",
        ),
        (
            "figure contradicts its caption",
            "```python\nimport claims\nimport torch\ng = torch.Generator().manual_seed(0)\n"
            "w = torch.randn(64, 1024, generator=g) * (2 / 1024) ** 0.5\n"
            "plotted = w / (2 / 256) ** 0.5  # the wrong fan: std 0.5 in plot units\n"
            "claims.check('the histogram has unit variance', plotted.var(1), 1.0,\n"
            "             rules_out={'the wrong fan (std 0.5)': 0.25})\n```\n",
            "claims.check",
            "ClaimFailed: claim FAILS: the histogram has unit variance: measured 0.249",
        ),
        (
            "attribute in braces",
            "```python\nimport claims\n"
            "c = claims.check('m', [1.0, 1.01, 0.99], 1.0, rules_out={'0': 0.0})\n```\n\n"
            "Within {{ c.tol:.2g }}.\n",
            "Within",
            "cannot insert '{{ c.tol:.2g }}'",
        ),
    ],
    ids=lambda value: value.replace(" ", "-") if value in FAULTS else "",
)
def test_planted_fault_fails_with_file_and_line(claims_project, fault, body, needle, message):
    before = posts_and_notebooks(claims_project)
    path, report = build_one(claims_project, "planted", body)
    assert not report.ok, f"{fault} passed the build"
    error = str(report.errors[0])
    assert error.startswith(f"{path}:{line_of(path, needle)}: error: "), error
    assert message in error, error
    assert posts_and_notebooks(claims_project) == before  # nothing was published


def test_a_warning_the_post_expects_is_shown(claims_project):
    _, report = build_one(
        claims_project,
        "warns",
        '```python tags=["expect-warning"]\nimport warnings\nwarnings.warn("old API")\n```\n',
    )
    assert report.ok, report.errors
    page = claims_project.output("warns")
    assert "cell line 2: UserWarning: old API" in page and "ipykernel" not in page  # same bytes every run


def test_constants_are_marked_not_typed(claims_project):
    _, report = build_one(claims_project, "constants", "Glorot & Bengio ({{ 2010 }}), layer 3, item 1.\n")
    assert report.ok, report.errors
    assert "Glorot & Bengio (2010), layer 3" in claims_project.output("constants")


# --- planted broken links, through a real strict MkDocs build -------------------------------


@pytest.mark.parametrize(
    "link, problem",
    [
        ("missing-post.md", "the target 'blog/posts/missing-post.md' is not found"),
        ("other.md#no-such-anchor", "does not contain an anchor '#no-such-anchor'"),
    ],
)
def test_broken_link_fails_the_strict_build_at_its_source_line(tmp_path, link, problem):
    (tmp_path / "docs" / "blog" / "posts").mkdir(parents=True)
    (tmp_path / "posts_src").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: t\nhooks:\n  - {ROOT / 'hooks' / 'strict_links.py'}\n"
        "validation:\n  not_found: warn\n  anchors: warn\n"
    )
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "docs" / "blog" / "posts" / "other.md").write_text("# Other\n\n## A section\n")
    prose = f"Intro.\n\nAs shown [before]({link}).\n"
    (tmp_path / "posts_src" / "linking.md").write_text("---\ntitle: x\n---\n\n" + prose)
    (tmp_path / "docs" / "blog" / "posts" / "linking.md").write_text("# Linking\n\n" + prose)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode != 0
    assert f"posts_src/linking.md:7: broken link '{link}': " in result.stderr, result.stderr
    assert problem in result.stderr


def test_site_macro_in_a_figure_label_gets_a_hint_not_a_traceback(claims_project):
    path, report = build_one(
        claims_project,
        "macro-label",
        "```python\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
        "ax.set_xlabel(r'$\\Var[y]$')\nfig.savefig('/dev/null', format='svg')\n```\n",
    )
    assert not report.ok
    error = str(report.errors[0])
    assert "matplotlib cannot draw '\\Var' in a figure label" in error and "\\mathrm{Var}" in error
    assert "Traceback" not in error and len(error.split("\n")) == 1


def test_check_seeds_remaps_integer_seeds_and_leaves_generators_alone(claims_project):
    from postbuild.execute import execute_post
    from postbuild.source import read_post

    path = claims_project.post(
        "reseed",
        SUMMARY
        + textwrap.dedent(
            """
        ```python
        import numpy as np
        import scipy.stats  # passes a Generator to default_rng at import
        import torch
        draw = torch.randn(1, generator=torch.Generator().manual_seed(0)).item()
        same = np.random.default_rng(np.random.SeedSequence(5)).integers(1000)
        ```
        """
        ),
    )
    post = read_post(path)
    runs = [
        execute_post(post, str(path), 60, extra_env={"POSTBUILD_SEED": str(seed)} if seed else None)
        for seed in (0, 1, 2)
    ]
    draws = [run["cells"][0]["values"]["draw"] for run in runs]
    assert len(set(draws)) == 3  # every seed gives another draw
    assert len({run["cells"][0]["values"]["same"] for run in runs}) == 1  # a Generator seed is kept
