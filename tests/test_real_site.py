"""The real site, as `make test` builds it (strictly) before running the tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

SITE = ROOT / "site"
SOURCES = {path.stem: path for pattern in ("*.md", "*.ipynb") for path in (ROOT / "posts_src").glob(pattern)}
SLUGS = sorted(SOURCES)


@pytest.fixture(scope="module")
def site() -> Path:
    assert (SITE / "index.html").is_file(), "site/ is missing: run `make test` (it builds the site first)"
    return SITE


def test_there_are_posts():
    assert "expectation-and-variance" in SLUGS


@pytest.mark.parametrize("slug", SLUGS)
def test_every_post_has_a_page_and_a_notebook(site, slug):
    html = (site / "blog" / slug / "index.html").read_text()
    assert "{{" not in html.split("<article", 1)[-1].split("</article>", 1)[0], (
        "an inline value was not replaced"
    )
    source = SOURCES[slug].read_text()
    if "$" in source or "\\begin{" in source:  # a post with math has it rendered
        has_math = 'class="arithmatex"' in html
        assert has_math, f"blog/{slug}/index.html has no rendered math, but its source has some"
    assert (site / "notebooks" / slug / "index.html").is_file()
    assert (site / "notebooks" / slug / f"{slug}.ipynb").is_file()


@pytest.mark.parametrize("slug", SLUGS)
def test_generated_post_is_fresh(site, slug):
    """The built page comes from the current source: same title as the front matter."""
    from postbuild.source import read_post

    title = read_post(SOURCES[slug]).front["title"]
    generated = (ROOT / "docs" / "blog" / "posts" / f"{slug}.md").read_text()
    assert f"# {title}\n" in generated


def test_no_page_loads_from_a_cdn(site):
    for page in site.rglob("*.html"):
        text = page.read_text()
        for marker in ("cdnjs", "cdn.jsdelivr", "unpkg.com", "fonts.googleapis", "fonts.gstatic"):
            assert marker not in text, f"{page.relative_to(site)} refers to {marker}"
