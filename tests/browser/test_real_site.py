"""The real site in headless chromium, as a reader sees it (site/ is built by `make test`)."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree as ET

import pytest
from conftest import ROOT

from . import conftest as browser_conftest
from . import harness

SITE = browser_conftest.SITE
PAGES = harness.site_pages(SITE) if SITE.is_dir() else []
POSTS = [path for path in PAGES if harness.is_post(path)]
SEARCHES = ["fan_in", "kaiming_uniform_", "LSUV", "independence", "\\Var"]


def test_the_site_has_pages_to_check(site):
    """Without pages the parametrized tests below would not run: that is a failure."""
    assert PAGES, "no pages found in site/"
    assert POSTS, "no post pages found in site/blog/"


@pytest.mark.parametrize("path", PAGES or ["(site/ not built)"], ids=lambda path: "/" + path)
def test_page(audit, path):
    """Math typeset without errors or raw TeX, images, console, requests, axe (light, dark), 390 px."""
    report = audit.get(path)
    assert report is not None, f"{path} was not audited"
    assert not report.problems, f"{path}:\n  " + "\n  ".join(report.problems)


@pytest.mark.parametrize("path", [p for p in POSTS if "variance-explorer" not in p] or ["(site/ not built)"])
def test_post_page_weight(audit, path):
    """The explorer ships Vega and its data; tests/browser/test_explorer.py holds it to its own 600 KB."""
    report = audit[path]
    total = sum(report.weight.values())
    assert report.weight.get("html"), f"{path}: the page's own HTML was not counted: {report.weight}"
    assert total <= harness.MAX_POST_BYTES, f"{path} transfers {total:,} bytes: {report.weight}"


def test_404_page(browser, server):
    async def run():
        context, traffic = await harness.new_context(browser.browser, server.origin)
        try:
            page = await context.new_page()
            response = await page.goto(server.base + "no/such/page/")
            styled = await page.evaluate("""() => ({
                sheets: [...document.styleSheets].filter(s => s.href && s.cssRules.length).length,
                header: getComputedStyle(document.querySelector('.md-header')).position,
                text: document.querySelector('.md-content').innerText,
            })""")
            problems = await harness.check_page(page, page.url)
            # the page itself answers 404, as it should; anything else is a problem
            others = [p for p in traffic.problems if "no/such/page" not in p and "status of 404" not in p]
            return response.status, styled, problems + others
        finally:
            await context.close()

    status, styled, problems = browser.run(run())
    assert status == 404
    assert styled["sheets"] >= 2 and styled["header"] == "sticky", (
        f"404 page without the site's CSS: {styled}"
    )
    assert "404" in styled["text"]
    assert not problems, problems


def _post_links(page_html: str) -> set[str]:
    return set(re.findall(r'href="([^"#]*)"', page_html))


def test_instant_navigation_keeps_math_typeset(browser, server, site):
    """From the posts list, click into a post, then click on to another post: no reload, math typeset."""
    assert len(POSTS) >= 2, "need two posts"

    async def run():
        context, traffic = await harness.new_context(browser.browser, server.origin)
        problems = []
        try:
            page = await context.new_page()
            await page.goto(server.base + "blog/")
            problems += await harness.check_math(page)
            await page.evaluate("window.__no_reload = true")
            visited = []
            for _ in range(2):
                here = urlsplit(page.url).path
                links = page.locator(".md-content a[href]")
                target = None
                for index in range(await links.count()):
                    link = links.nth(index)
                    href = await link.get_attribute("href")
                    path = urlsplit(urljoin(page.url, href)).path.lstrip("/")
                    if (
                        harness.is_post(path)
                        and "/" + path != here
                        and path not in visited
                        and await link.is_visible()
                    ):
                        target = (link, path)
                        break
                if target is None:
                    return problems + [f"no visible link to another post on {here}"], visited
                await target[0].click()
                await page.wait_for_url(lambda url, p=target[1]: urlsplit(url).path.lstrip("/") == p)
                visited.append(target[1])
                if not await page.evaluate("window.__no_reload === true"):
                    problems.append(f"clicking to {target[1]} reloaded the page (no instant navigation)")
                problems += [f"{target[1]}: {p}" for p in await harness.check_math(page)]
                count = await page.evaluate("document.querySelectorAll('.md-content mjx-container').length")
                if not count:
                    problems.append(f"{target[1]}: no typeset math after instant navigation")
            return problems + traffic.problems, visited
        finally:
            await context.close()

    problems, visited = browser.run(run())
    assert len(visited) == 2, (visited, problems)
    assert not problems, problems


def _expected_posts(term: str) -> set[str]:
    expected = set()
    for source in (ROOT / "posts_src").glob("*.md"):
        page = SITE / "blog" / source.stem / "index.html"
        if term.lower() in source.read_text().lower() and page.is_file():
            if term.lower() in page.read_text().lower():
                expected.add(f"blog/{source.stem}/")
    return expected


@pytest.mark.parametrize("query", SEARCHES)
def test_search_finds_the_post(browser, server, site, query):
    expected = _expected_posts(query)
    assert expected, f"no built post contains {query!r} (posts_src/ and its page)"

    async def run():
        context, traffic = await harness.new_context(browser.browser, server.origin)
        try:
            page = await context.new_page()
            await page.goto(server.base)
            box = page.locator("input.md-search__input")
            await box.click()
            await box.press_sequentially(query, delay=15)
            await page.wait_for_function(
                "() => document.querySelectorAll('.md-search-result__item').length > 0 || "
                "/no matching/i.test(document.querySelector('.md-search-result__meta').textContent)",
                timeout=20000,
            )
            hrefs = await page.eval_on_selector_all(
                ".md-search-result__item a.md-search-result__link, .md-search-result__item a",
                "links => links.map(a => a.href)",
            )
            return hrefs, traffic.problems
        finally:
            await context.close()

    hrefs, problems = browser.run(run())
    found = {urlsplit(href).path.lstrip("/") for href in hrefs}
    assert found & expected, f"searching {query!r} shows {sorted(found)}; expected one of {sorted(expected)}"
    assert not problems, problems


def test_search_index_waits_for_the_reader(browser, server, site):
    """A page loads without the search index; Material's `/` shortcut fetches it and search answers."""
    post = next(path for path in POSTS if "kaiming-initialization" in path)

    async def run():
        context, traffic = await harness.new_context(browser.browser, server.origin)
        try:
            page = await context.new_page()
            await page.goto(urljoin(server.base + "/", post), wait_until="load")
            await traffic.settle()
            await page.wait_for_timeout(500)  # Material's startup, which asked for the index before
            before = [r.url for r in traffic.requests if "search_index" in r.url]
            await page.keyboard.press("/")
            await page.keyboard.type("kaiming_uniform_", delay=15)
            await page.wait_for_function("() => document.querySelector('.md-search-result__item') !== null")
            after = [r.url for r in traffic.requests if "search_index" in r.url]
            return before, after, traffic.problems
        finally:
            await context.close()

    before, after, problems = browser.run(run())
    assert before == [], f"the page loaded the search index before any search: {before}"
    assert len(after) == 1 and after[0].endswith("search/search_index.json"), after
    assert not problems, problems


def test_search_index_has_no_tracebacks_or_prompts(site):
    index = json.loads((site / "search" / "search_index.json").read_text())
    bad = []
    for doc in index["docs"]:
        for marker in ("Traceback (most recent call last)", "In ["):
            if marker in doc["text"] or marker in doc["title"]:
                at = doc["text"].find(marker)
                bad.append(f"{doc['location']}: {marker!r}: ...{doc['text'][max(0, at - 40) : at + 40]}...")
    assert index["docs"] and not bad, bad


def test_every_link_resolves(site):
    broken, external = harness.check_links(site)
    browser_conftest.record_external(external)
    assert not broken, "broken links:\n  " + "\n  ".join(broken)


@pytest.mark.parametrize("path", POSTS or ["(site/ not built)"])
def test_post_has_description_and_open_graph(site, path):
    html = (site / path / "index.html").read_text()
    head = html.split("</head>", 1)[0]

    def meta(attr: str, name: str) -> str | None:
        match = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)"', head)
        return match and match.group(1)

    assert (meta("name", "description") or "").strip(), "no meta description"
    for name in ("og:title", "og:description", "og:url", "og:type"):
        assert (meta("property", name) or "").strip(), f"no {name}"
    assert meta("property", "og:type") == "article"
    assert meta("property", "og:url").endswith("/" + path)


def test_rss_feed_lists_the_posts(site):
    feed = site / "feed.xml"
    assert feed.is_file(), "site/feed.xml is missing"
    root = ET.parse(feed).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("channel/item")
    links = {urlsplit(item.findtext("link")).path.lstrip("/") for item in items}
    assert links == set(POSTS), f"feed items {sorted(links)} != post pages {sorted(POSTS)}"
    for item in items:
        for tag in ("title", "link", "description", "pubDate", "guid"):
            assert (item.findtext(tag) or "").strip(), f"feed item without {tag}"
    assert 'type="application/rss+xml"' in (site / "index.html").read_text()


def test_rss_feed_carries_each_post_in_full_with_mathml(site):
    """Full content for feed readers: math as MathML (no TeX, no SVG), figures by absolute URL."""
    root = ET.parse(site / "feed.xml").getroot()
    base = root.findtext("channel/link")
    for item in root.findall("channel/item"):
        link = item.findtext("link")
        content = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or ""
        page = (site / urlsplit(link).path.lstrip("/") / "index.html").read_text()
        assert "<h1" in content and "<math" in content, f"{link}: no full content with MathML"
        assert content.count("<math") >= page.count('<span class="arithmatex"') // 2, link
        for raw in ("\\(", "\\[", "<svg", "mjx-container", "#only-"):
            assert raw not in content, f"{link}: {raw!r} in the feed's content"
        sources = re.findall(r'<img[^>]*src="([^"]*)"', content)
        assert sources == [s for s in sources if s.startswith(base)], f"{link}: relative image URLs {sources}"
        figures = page.count("#only-light") + page.count('class="vega-chart"')  # a chart: its static SVG
        assert len(sources) == figures, f"{link}: one (light) image per figure or chart"
