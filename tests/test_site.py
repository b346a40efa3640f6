"""End to end: a small fixture site built by the real executor and a strict `mkdocs build`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, Project

from postbuild.build import build

MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", "site"]

POST = """
    **A fixture post with math, a figure and a computed value.**

    <!-- more -->

    ## Setup

    ```python
    import initlab
    import matplotlib.pyplot as plt
    gen = initlab.seed_everything(0)
    n = 512
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [1, 4, 9])
    initlab.show(fig, alt="A parabola through three points", caption="Squares of $1, 2, 3$.")
    ```

    With $n = {{ n }}$,

    \\begin{equation}
    \\Var[y] = n \\Var[w] \\Var[x] , \\label{eq:fixture}
    \\end{equation}

    and $\\eqref{eq:fixture}$ is equation 1. See the [other post](second.md#setup).
    """

SECOND = """
    **Second.**

    <!-- more -->

    ## Setup

    Back to the [first post](first.md).
    """


def make_site(tmp_path, posts: dict[str, str]) -> Project:
    """A copy of the real site's configuration with only the fixture posts in it."""
    project = Project(tmp_path)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    for folder in ("hooks", "overrides", "docs/javascripts", "docs/stylesheets", "docs/assets"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "docs" / "blog").mkdir()
    shutil.copy(ROOT / "docs/blog/.authors.yml", tmp_path / "docs/blog/.authors.yml")
    (tmp_path / "docs/blog/index.md").write_text("# Posts\n")
    for page in ("index", "about", "questions"):
        (tmp_path / "docs" / f"{page}.md").write_text(
            f"# {page.title()}\n\nSee [the post](blog/posts/first.md).\n"
        )
    with open(tmp_path / "docs" / "about.md", "a") as about:
        about.write("\n## What is checked\n\nThe checks page links here.\n")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "scripts").symlink_to(ROOT / "scripts")
    project.write("initlab.py", (ROOT / "posts_src" / "initlab.py").read_text())
    for slug, body in posts.items():
        project.post(slug, body, title=f"The {slug} post")
    report = build(project.settings, log=lambda message: None)
    assert report.ok, report.errors
    return project


def mkdocs_build(project: Project) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(MKDOCS, cwd=project.root, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    project = make_site(tmp_path_factory.mktemp("site"), {"first": POST, "second": SECOND})
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    return project.root / "site"


def test_post_page_has_math_figure_and_value(fixture_site):
    html = (fixture_site / "blog" / "first" / "index.html").read_text()
    # math typeset at build (hooks/mathjax.py): SVG, with the TeX kept on the MathML
    assert '<span class="arithmatex"><mjx-container class="MathJax" jax="SVG"' in html
    assert 'data-latex="n = 512"' in html
    assert 'class="arithmatex" id="mjx-eqn:eq:fixture"' in html  # \label: an anchor
    assert 'xlink:href="#mjx-eqn%3Aeq%3Afixture"' in html  # \eqref: a link to it
    assert 'alt="A parabola through three points"' in html and "fig-1.svg" in html
    summary_end = html.index("A fixture post with math")
    assert html.index("executed notebook") > summary_end and html.index("executed notebook") < html.index(
        '<h2 id="setup"'
    )
    assert '<figcaption>Squares of <span class="arithmatex"><mjx-container' in html
    figure = next(fixture_site.rglob("first/fig-1.svg"))
    assert figure.read_text().lstrip().startswith(("<?xml", "<svg"))


def test_math_is_typeset_at_build_and_pages_load_no_mathjax(fixture_site):
    assert (fixture_site / "assets/stylesheets/mathjax.css").is_file()
    html = (fixture_site / "blog" / "first" / "index.html").read_text()
    assert "assets/stylesheets/mathjax.css" in html and "cdn" not in html.lower()
    assert "<script" in html and "mathjax" not in " ".join(re.findall(r"<script[^>]*>", html)).lower()
    assert 'id="MJX-SVG-global-cache"' in html and "merror" not in html


def test_notebook_page_is_rendered_without_cdn_scripts(fixture_site):
    html = (fixture_site / "notebooks" / "first" / "index.html").read_text()
    assert "cdnjs" not in html and "x-mathjax-config" not in html
    assert '<span class="arithmatex"><mjx-container' in html and 'data-latex="n = 512"' in html
    assert (fixture_site / "notebooks" / "first" / "first.ipynb").is_file()
    assert 'href="../../blog/second/#setup"' in html  # the post's Markdown links, made page links


def test_broken_link_fails_the_strict_build(tmp_path):
    broken = SECOND.replace("first.md", "missing-post.md")
    project = make_site(tmp_path, {"first": POST.replace("second.md#setup", "second.md"), "second": broken})
    result = mkdocs_build(project)
    assert result.returncode != 0
    assert "posts_src/second.md:" in result.stderr and "missing-post.md" in result.stderr  # the source line


def test_broken_anchor_fails_the_strict_build(tmp_path):
    project = make_site(tmp_path, {"first": POST.replace("#setup", "#no-such-section"), "second": SECOND})
    result = mkdocs_build(project)
    assert result.returncode != 0 and "no-such-section" in result.stderr


def test_search_indexes_posts_not_notebook_pages(fixture_site):
    import json

    index = json.loads((fixture_site / "search" / "search_index.json").read_text())
    locations = [doc["location"] for doc in index["docs"]]
    assert any(location.startswith("blog/first/") for location in locations)
    assert not [location for location in locations if location.startswith("notebooks/")]
