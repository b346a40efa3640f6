"""What the reader gets without a browser: math typeset at build, figures per palette, the feed."""

from __future__ import annotations

import importlib.util
import re

import pytest
from conftest import ROOT

from postbuild.palette import DARK_BACKGROUND, contrast, dark_colour, dark_svg, svg_size


def _hook(name: str):
    spec = importlib.util.spec_from_file_location(f"hook_{name}", ROOT / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dark_figure_mirrors_greys_and_keeps_colours_legible():
    svg = (
        '<svg width="300pt" height="150pt">'
        '<path style="fill: #ffffff; stroke: #333333"/><g fill="#0072B2"/></svg>'
    )
    dark = dark_svg(svg)
    assert "#ffffff" not in dark and "#333333" not in dark and "#0072B2" not in dark
    assert dark.startswith('<svg fill="#')  # SVG's default black fill becomes the dark text colour
    assert dark_colour((255, 255, 255)) == DARK_BACKGROUND  # white paper becomes the page
    for colour in ("0072B2", "D55E00", "009E73", "CC79A7", "E69F00", "56B4E9", "000000", "333333"):
        rgb = tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))
        assert contrast(dark_colour(rgb), DARK_BACKGROUND) >= 4.5, colour
    assert svg_size(svg) == " width=400 height=200"


@pytest.fixture(scope="module")
def mathjax():
    hook = _hook("mathjax")
    config = {"config_file_path": str(ROOT / "mkdocs.yml"), "extra_css": [], "extra_javascript": []}
    hook.on_config(config)
    yield hook
    hook.on_shutdown()


def test_math_typeset_at_build_numbers_labels_and_wraps_for_phones(mathjax, tmp_path):
    formulas = [
        "\\(\\Var[y] = n\\,\\Var[w]\\)",
        "\\[\\begin{equation} a = b \\label{eq:a} \\end{equation}\\]",
        "\\(\\eqref{eq:a}\\)",
        "\\[\\begin{equation}"
        + " + ".join(f"\\frac{{x_{{{i}}}^2}}{{\\sigma_{{{i}}}^2}}" for i in range(12))
        + "\\end{equation}\\]",
    ]
    result = mathjax.typeset(tmp_path, formulas, "test")
    inline, labelled, reference, wide = result["math"]
    assert 'jax="SVG"' in inline["html"] and 'data-latex="\\Var[y] = n\\,\\Var[w]"' in inline["html"]
    assert "<mjx-assistive-mml" in inline["html"] and inline["narrow"] is None
    assert labelled["ids"] == ["mjx-eqn:eq:a"] and 'id="mjx-eqn' not in labelled["html"]
    assert 'xlink:href="#mjx-eqn%3Aeq%3Aa"' in reference["html"]
    assert wide["narrow"] and 'overflow="linebreak"' in wide["narrow"]
    assert 'id="MJX-SVG-global-cache"' in result["defs"]
    # cached: the same formulas again start no Node
    mathjax._typesetter.close()
    mathjax._typesetter.request = None  # would fail if called
    assert mathjax.typeset(tmp_path, formulas, "test") == result


def test_feed_content_has_mathml_and_absolute_urls():
    rss = _hook("rss")
    article = (
        '<svg style="display: none;" id="MJX-SVG-global-cache"><defs></defs></svg>'
        '<h2 id="x">X<a class="headerlink" href="#x">&para;</a></h2>'
        '<p><span class="arithmatex"><mjx-container class="MathJax" jax="SVG"><svg></svg>'
        '<mjx-assistive-mml><math xmlns="http://www.w3.org/1998/Math/MathML" data-latex="x">'
        "<mi>x</mi></math></mjx-assistive-mml></mjx-container></span></p>"
        '<img src="fig-1.svg#only-light"><img src="fig-1-dark.svg#only-dark">'
        '<a href="../other/">other</a>'
    )
    html = rss.feed_html(article, "https://example.org/blog/post/")
    assert "<math" in html and "<svg" not in html and "headerlink" not in html
    assert re.findall(r'src="([^"]*)"', html) == ["https://example.org/blog/post/fig-1.svg"]
    assert 'href="https://example.org/blog/other/"' in html
