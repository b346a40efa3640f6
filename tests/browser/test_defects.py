"""The browser checks fail on planted defects: a fixture site built with the real
configuration (tests/test_site.py), then broken one way at a time after the build
(the strict build already refuses a missing image or link in the source)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from test_site import POST, SECOND, make_site, mkdocs_build

from . import harness

FIRST = "blog/first/"


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> Path:
    project = make_site(tmp_path_factory.mktemp("browser-site"), {"first": POST, "second": SECOND})
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    return project.root / "site"


@pytest.fixture(scope="module")
def fixture_server(fixture_site):
    server = harness.Server(fixture_site)
    yield server
    server.close()


@contextlib.contextmanager
def planted_file(file: Path, edit):
    """`file` changed by `edit(text) -> text` (or deleted, for edit=None), restored afterwards."""
    original = file.read_bytes()
    try:
        if edit is None:
            file.unlink()
        else:
            changed = edit(original.decode())
            assert changed != original.decode(), "the defect was not planted"
            file.write_text(changed)
        yield
    finally:
        file.write_bytes(original)


def audit_first(browser, server) -> list[str]:
    report = browser.run(harness.audit_page(browser.browser, server.base, FIRST, axe=False, mobile=False))
    return report.problems


def test_the_clean_fixture_site_passes_every_check(browser, fixture_site, fixture_server):
    """The control: without a planted defect, the same checks find nothing."""
    pages = harness.site_pages(fixture_site)
    assert FIRST in pages and "blog/second/" in pages
    reports = browser.run(harness.audit_pages(browser.browser, fixture_server.base, pages, jobs=2))
    problems = [f"{path}: {problem}" for path, report in reports.items() for problem in report.problems]
    assert not problems, "\n".join(problems)
    broken, external = harness.check_links(fixture_site)
    assert not broken, broken


# Math is typeset when the site is built (hooks/mathjax.py; a TeX error fails the build).
# What could still reach a reader: a formula the build left untypeset, or MathJax's error box.
MERROR = (
    '<mjx-container class="MathJax" jax="SVG"><svg><g data-mml-node="merror" '
    'data-mjx-error="Undefined control sequence \\undefinedmacro"><g></g></g></svg></mjx-container>'
)


@pytest.mark.parametrize(
    "planted, error",
    [
        ('<span class="arithmatex">\\(\\frac{1}{2}\\)</span>', "never typeset"),
        (MERROR, "merror): Undefined control sequence \\undefinedmacro"),
    ],
)
def test_a_broken_formula_fails(browser, fixture_site, fixture_server, planted, error):
    page = fixture_site / FIRST / "index.html"
    with planted_file(page, lambda html: html.replace("<p>With", f"<p>{planted} With", 1)):
        problems = audit_first(browser, fixture_server)
    assert any(error in p for p in problems), problems


def test_raw_tex_left_in_the_text_fails(browser, fixture_site, fixture_server):
    page = fixture_site / FIRST / "index.html"
    with planted_file(page, lambda html: html.replace("<p>With", "<p>Untypeset \\(x\\) here. With", 1)):
        problems = audit_first(browser, fixture_server)
    assert any("raw TeX '\\\\('" in p for p in problems), problems


def test_a_missing_image_fails(browser, fixture_site, fixture_server):
    figure = next(fixture_site.rglob("first/fig-1.svg"))
    with planted_file(figure, None):
        problems = audit_first(browser, fixture_server)
    assert any("image did not load" in p and "fig-1.svg" in p for p in problems), problems
    assert any("HTTP 404" in p and "fig-1.svg" in p for p in problems), problems


def test_an_image_without_alt_text_fails(browser, fixture_site, fixture_server):
    page = fixture_site / FIRST / "index.html"
    with planted_file(page, lambda html: html.replace('alt="A parabola through three points"', 'alt=""')):
        problems = audit_first(browser, fixture_server)
    assert any("image without alt text" in p for p in problems), problems


def test_an_external_request_fails(browser, fixture_site, fixture_server):
    page = fixture_site / FIRST / "index.html"
    script = '<script src="https://example.com/x.js"></script>'
    with planted_file(page, lambda html: html.replace("</head>", script + "</head>", 1)):
        problems = audit_first(browser, fixture_server)
    assert "request to another host: https://example.com/x.js" in problems, problems


def test_a_javascript_error_fails(browser, fixture_site, fixture_server):
    page = fixture_site / FIRST / "index.html"
    script = "<script>undefinedFunction()</script>"
    with planted_file(page, lambda html: html.replace("</body>", script + "</body>", 1)):
        problems = audit_first(browser, fixture_server)
    assert any("undefinedFunction" in p for p in problems), problems


@pytest.mark.parametrize(
    "href, message",
    [
        ("../no-such-post/", "no file blog/no-such-post/index.html"),
        ("../second/#no-such-section", "no #no-such-section in blog/second/index.html"),
    ],
)
def test_a_broken_link_fails(fixture_site, href, message):
    page = fixture_site / FIRST / "index.html"
    with planted_file(page, lambda html: html.replace("<p>With", f'<p><a href="{href}">broken</a> With', 1)):
        broken, _ = harness.check_links(fixture_site)
    assert any(message in b and b.startswith("blog/first/index.html") for b in broken), broken


def test_a_page_too_wide_for_a_phone_fails(browser, fixture_site, fixture_server):
    page = fixture_site / FIRST / "index.html"
    wide = '<p><img alt="wide" src="fig-1.svg" style="width: 600px; max-width: none"></p>'
    with planted_file(page, lambda html: html.replace("<p>With", wide + "<p>With", 1)):
        report = browser.run(harness.audit_page(browser.browser, fixture_server.base, FIRST, axe=False))
    assert any("horizontal overflow at 390 px" in p for p in report.problems), report.problems


LOW_CONTRAST = '<span style="color: #c8c8c8">pale text on the light page</span> '


def test_low_contrast_text_fails_and_its_page_is_audited_for_contrast(browser, fixture_site, fixture_server):
    """Contrast runs on `contrast_pages` only; a planted pale span makes its page one of them."""
    pages = harness.site_pages(fixture_site)
    page = fixture_site / FIRST / "index.html"
    with planted_file(page, lambda html: html.replace("<p>With", f"<p>{LOW_CONTRAST}With", 1)):
        assert FIRST in harness.contrast_pages(fixture_site, pages)
        reports = browser.run(
            harness.audit_pages(browser.browser, fixture_server.base, [FIRST], contrast=[FIRST], mobile=False)
        )
    problems = reports[FIRST].problems
    assert any("color-contrast" in p and "(light)" in p for p in problems), problems


def test_contrast_pages_hold_every_kind_of_element(tmp_path):
    pages = {
        "a/": '<div class="x"><p>one</p><a class="y">two</a></div>',
        "b/": '<div class="x"><p>only what a/ has</p></div>',
        "c/": '<div class="x"><p style="color: red">a style of its own</p></div>',
        "d/": "<p>a p outside the div</p>",
    }
    for path, body in pages.items():
        (tmp_path / path).mkdir()
        (tmp_path / path / "index.html").write_text(f"<html><body>{body}</body></html>")
    chosen = harness.contrast_pages(tmp_path, list(pages))
    assert sorted(chosen) == ["a/", "c/", "d/"], chosen


WIDE_FORMULA = (  # as hooks/mathjax.py writes a display formula too wide for the column
    '<div class="arithmatex" id="mjx-eqn:eq:wide"><mjx-container class="MathJax mjx-wide" jax="SVG" '
    'display="true" width="full" style="min-width: 300ex; position: relative;">'
    '<svg style="min-width: 300ex;" width="100%" height="2ex" role="img" aria-hidden="true">'
    '<rect width="3000" height="10"></rect></svg><mjx-assistive-mml display="block">'
    "<math><mi>x</mi><mo>=</mo><mn>1</mn></math></mjx-assistive-mml></mjx-container></div>"
)


def test_a_display_formula_wider_than_the_column_can_be_scrolled_from_the_keyboard(
    browser, fixture_site, fixture_server
):
    """It scrolls in its own block (extra.css); overrides/main.html makes that block a tab stop."""
    page = fixture_site / FIRST / "index.html"
    with planted_file(page, lambda html: html.replace("<p>With", f"{WIDE_FORMULA}<p>With", 1)):
        report = browser.run(harness.audit_page(browser.browser, fixture_server.base, FIRST, mobile=False))
    assert not report.problems, report.problems
