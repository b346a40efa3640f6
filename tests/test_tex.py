"""Formulas are found as arithmatex finds them and checked with the site's MathJax."""

from conftest import ROOT

from postbuild.build import build
from postbuild.tex import Math, check_tex, find_math

CONFIG = ROOT / "docs/javascripts/mathjax-config.js"
MATHJAX = ROOT / "node_modules/mathjax"


def test_find_math_kinds_and_lines():
    text = (
        "Inline $a+b$ and \\(c\\).\n\n$$\nd\n$$\n\n"
        "\\begin{equation}\ne \\label{x}\n\\end{equation}\n`$not$` costs $ 5."
    )
    found = find_math(text, 10)
    assert [(m.line, m.tex.strip(), m.display) for m in found] == [
        (10, "a+b", False),
        (10, "c", False),
        (12, "d", True),
        (16, "\\begin{equation}\ne \\label{x}\n\\end{equation}", True),
    ]


def test_site_macros_pass_and_errors_name_file_and_line():
    posts = {
        "posts_src/a.md": [
            Math(3, "\\Var[w] = \\E[w^2] \\quad \\nin \\boldsymbol{x}", False),
            Math(5, "\\undefinedmacro x", False),
        ],
        "posts_src/b.md": [
            Math(7, "\\frac{1}{", True),
            Math(9, "\\begin{equation} y \\label{eq:y} \\end{equation}", True),
            Math(11, "\\eqref{eq:y} \\eqref{eq:nowhere}", False),
        ],
    }
    messages = sorted(str(error) for error in check_tex(posts, CONFIG, MATHJAX))
    assert messages == [
        "posts_src/a.md:5: error: TeX error: Undefined control sequence \\undefinedmacro in: "
        "\\undefinedmacro x",
        "posts_src/b.md:11: error: \\eqref{eq:nowhere} refers to no \\label in this post",
        "posts_src/b.md:7: error: TeX error: Missing close brace in: \\frac{1}{",
    ]


def test_labels_are_per_post():
    same_label = [Math(1, "\\begin{equation} y \\label{eq:y} \\end{equation}", True)]
    assert check_tex({"a.md": same_label, "b.md": same_label}, CONFIG, MATHJAX) == []


def test_broken_formula_stops_the_build_and_keeps_old_output(project):
    project.settings.tex_config = CONFIG
    project.settings.mathjax = MATHJAX
    body = "**Summary.**\n\n<!-- more -->\n\n```python\nn = 3\n```\n\nFine: $n = {{ n }}$.\n"
    project.post("formula", body)
    assert build(project.settings, log=lambda m: None).ok
    before = project.snapshot()
    project.post("formula", body + "\nBroken: $\\frac{n}{$.\n")
    report = build(project.settings, log=lambda m: None)
    assert [str(e).split(" in:")[0] for e in report.errors] == [
        f"{project.src / 'formula.md'}:19: error: TeX error: Missing close brace"
    ]
    assert project.snapshot() == before


def test_passed_formulas_are_not_checked_again(tmp_path, monkeypatch):
    import postbuild.tex as tex

    good = {"a.md": [Math(1, "\\Var[w] = 1", False)], "b.md": [Math(2, "x^2", True)]}
    assert check_tex(good, CONFIG, MATHJAX, cache=tmp_path) == []
    calls = []
    real_run = tex.subprocess.run
    monkeypatch.setattr(tex.subprocess, "run", lambda *a, **k: calls.append(k["input"]) or real_run(*a, **k))
    assert check_tex(good, CONFIG, MATHJAX, cache=tmp_path) == []
    assert calls == []  # nothing changed: Node is not started
    changed = {**good, "b.md": [Math(2, "\\frac{1}{", True)]}
    assert [e.line for e in check_tex(changed, CONFIG, MATHJAX, cache=tmp_path)] == [2]
    assert [e.line for e in check_tex(changed, CONFIG, MATHJAX, cache=tmp_path)] == [2]  # errors never cached
    assert len(calls) == 2 and all("Var" not in call for call in calls)  # a.md passed: only b.md is checked
