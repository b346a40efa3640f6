"""The browser checks, as plain functions shared by the real-site and the defect tests.

A built site is served on 127.0.0.1 (`serve`), Debian's chromium is driven by
Playwright (`launch`), and each page is audited in a fresh context
(`audit_page`): cold cache, so the bytes it loads are its real weight.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import http.server
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
MOBILE_WIDTH = 390
# Budget (issue 12): a post page's first visit, everything counted, gzipped as a static host sends it.
# Material's search index (170 KB gzip for 14 posts) is not part of it: it is fetched when the
# reader shows an intent to search (overrides/partials/lazy-search-index.html), which
# test_search_index_waits_for_the_reader checks.
MAX_POST_BYTES = 250_000
TEX_DELIMITERS = ("\\(", "\\[", "$$", "\\begin{")

# Undefined macros are errors in the test build: MathJax's `noundefined` package
# (on by default) shows an unknown \macro as red text; without it the TeX input
# jax raises "Undefined control sequence", which becomes an <mjx-merror>.
# The site's config script assigns `window.MathJax = {...}`; this setter edits
# that object on its way in, before tex-chtml.js reads it.
STRICT_MATHJAX = """
(() => {
  let value;
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get() { return value; },
    set(v) {
      if (v && !v.version && typeof v === "object") {
        v.tex = v.tex || {};
        v.tex.packages = {"[-]": ["noundefined"]};
      }
      value = v;
    },
  });
})();
"""

WAIT_FOR_MATH = """
async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const pending = () => [...document.querySelectorAll(".arithmatex")].filter(e => !e.querySelector("mjx-container"));
  if (!document.querySelector("script[src*='mathjax']")) {
    // Math typeset when the site was built (hooks/mathjax.py): nothing may be left to typeset.
    const left = pending();
    return left.length ? `${left.length} formula(s) never typeset, first: ${left[0].textContent.trim().slice(0, 80)}` : null;
  }
  const start = Date.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise && window.document$)) {
    if (Date.now() - start > 15000) return "MathJax never started";
    await sleep(50);
  }
  await MathJax.startup.promise;
  const settled = Date.now();
  while (pending().length) {
    // mathjax-typeset.js chains the page's typeset onto startup.promise
    if (Date.now() - settled > 4000) {
      const left = pending();
      return `${left.length} formula(s) never typeset, first: ${left[0].textContent.trim().slice(0, 80)}`;
    }
    await sleep(50);
    await MathJax.startup.promise;
  }
  await MathJax.startup.promise;
  return null;
}
"""

MATH_ERRORS = """
() => {
  const errors = [];
  const items = (window.MathJax && MathJax.startup && MathJax.startup.document) ? [...MathJax.startup.document.math] : [];
  for (const node of document.querySelectorAll("mjx-merror, [data-mml-node='merror']")) {
    const container = node.closest("mjx-container");
    const item = items.find(item => item.typesetRoot === container);
    const tex = item ? item.math : (container && container.querySelector("math[data-latex]") || {}).dataset?.latex;
    errors.push((node.getAttribute("data-mjx-error") || node.textContent) + (tex ? ` in: ${tex.trim().slice(0, 120)}` : ""));
  }
  return errors;
}
"""

# Visible text of the content, without code blocks (TeX in a Python string is fine)
VISIBLE_TEXT = """
() => {
  const root = document.querySelector(".md-content") || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node; (node = walker.nextNode()); ) {
    const parent = node.parentElement;
    if (!parent || parent.closest("pre, code, script, style, noscript, mjx-container, textarea")) continue;
    if (!parent.checkVisibility()) continue;
    parts.push(node.textContent);
  }
  return parts.join("");
}
"""

# Every image shown in this palette is loaded (lazy ones too); the other palette's
# copies of the figures (`#only-dark` on the light page) are not fetched, only linked.
IMAGES = """
async () => {
  const images = [...document.querySelectorAll("img")];
  const shown = images.filter(img => img.checkVisibility());
  shown.forEach(img => { img.loading = "eager"; });
  await Promise.all(shown.map(img => img.decode().catch(() => null)));
  return images.map(img => ({
    src: img.getAttribute("src"), alt: img.getAttribute("alt"),
    loaded: !shown.includes(img) || (img.complete && img.naturalWidth > 0),
  }));
}
"""

# Layout shifts from the start of the page (read before anything is clicked), and the
# MathJax a page loads: none, as the math is typeset when the site is built.
LAYOUT_SHIFT = """
(() => {
  // Shifts that move the page's content (Material's post sidebar sometimes collapses on
  // phones after the first paint: a shift of the theme's own, not counted here).
  window.__cls = 0;
  const inContent = e => e.sources.some(s => s.node && (s.node.nodeType === 1 ? s.node : s.node.parentElement)
    ?.closest(".md-content"));
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput && inContent(e)) window.__cls += e.value;
  }).observe({type: "layout-shift", buffered: true});
})();
"""
MATHJAX_SCRIPTS = "() => [...document.scripts].map(s => s.src).filter(src => /mathjax/i.test(src))"

# At a phone's width: equation numbers of the shown formulas inside the viewport (SVG output,
# and CHTML for client-side MathJax: scripts/bench.py measures both).
TAGS_OFF_SCREEN = """
(width) => {
  const out = [];
  for (const c of document.querySelectorAll("mjx-container[display]")) {
    if (!c.checkVisibility()) continue;
    for (const tag of c.querySelectorAll("g[data-labels] > g, mjx-labels > mjx-mtd")) {
      const r = tag.getBoundingClientRect();
      if (r.width && (r.right > width + 0.5 || r.left < -0.5)) {
        const tex = (c.querySelector("math[data-latex]") || {dataset: {}}).dataset.latex || "";
        out.push(`equation number at x=${Math.round(r.left)}-${Math.round(r.right)} in ${tex.trim().slice(0, 70)}`);
      }
    }
  }
  return out;
}
"""

OVERFLOW = """
(width) => {
  const scrolls = e => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== "visible") return true;
    return false;
  };
  const out = e => e.getBoundingClientRect().right > width && e.getBoundingClientRect().width > 0;
  const wide = [];
  for (const e of document.querySelectorAll("body *")) {
    if (!out(e) || scrolls(e)) continue;
    if (wide.some(w => w.contains(e))) continue;
    wide.push(e);
    if (wide.length >= 3) break;
  }
  const describe = e => {
    const where = e.closest(".arithmatex, pre, table, figure, p, li") || e;
    const cls = typeof e.className === "string" && e.className ? "." + e.className.split(" ")[0] : "";
    return `<${e.tagName.toLowerCase()}${cls}> to x=${Math.round(e.getBoundingClientRect().right)} in ` +
      `"${where.textContent.trim().replace(/\\s+/g, " ").slice(0, 70)}"`;
  };
  return {scrollWidth: document.documentElement.scrollWidth, wide: wide.map(describe)};
}
"""

AXE_SCRIPT = (Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js").read_text()
# The palette changes colours only: light runs every rule, dark the rules about colours.
# Those (contrast, links told apart from text by colour) depend on an element's kind, not on
# its page, and are most of axe's time: they run only on `contrast_pages`.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


# --- the server ---------------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files as a web host serves them: text gzipped (so page weight is what goes
    over the wire), a missing path answered with the site's 404.html and status 404, and
    sitemap.xml naming this server instead of site_url (Material's instant navigation
    only intercepts links to pages listed there)."""

    _cache: dict = {}
    COMPRESS = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        url_path = urlsplit(self.path).path
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not url_path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", url_path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        ctype = self.guess_type(str(path))
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "") and ctype.startswith(self.COMPRESS)
        body = self._body(path, gzipped)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _body(self, path: Path, gzipped: bool) -> bytes:
        key = (str(path), path.stat().st_mtime_ns, gzipped, self.server.server_address)
        if key not in self._cache:
            body = path.read_bytes()
            if path.name == "sitemap.xml":
                host = "http://{}:{}/".format(*self.server.server_address[:2])
                body = re.sub(rb"<loc>(https?://[^/<]+/)", lambda m: b"<loc>" + host.encode(), body)
            self._cache[key] = gzip.compress(body, 6, mtime=0) if gzipped else body
        return self._cache[key]

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class Server:
    """A site folder served on 127.0.0.1 at a free port, in a thread."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Handler, directory=str(self.root))
        )
        self.httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.base = self.origin + "/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- the site's pages -----------------------------------------------------------------------


def site_pages(site: Path) -> list[str]:
    """URL paths of every page in a built site (not 404.html, not the MathJax assets)."""
    pages = []
    for html in sorted(site.rglob("*.html")):
        rel = html.relative_to(site).as_posix()
        if rel == "404.html" or rel.startswith("assets/"):
            continue
        pages.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return pages


COLOUR_STYLE = re.compile(r"color|background|opacity|filter|fill", re.I)


class _Elements(HTMLParser):
    """Each element's kind in its parent's kind: (parent's tag, classes and style, its own)."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.kinds: set[tuple] = set()
        self._open: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # An inline style that sets colours makes the element a kind of its own (MathJax's
        # sizes and Vega's positions do not).
        style = attrs.get("style") or ""
        colours = style if COLOUR_STYLE.search(style) else ""
        kind = (tag, " ".join(sorted((attrs.get("class") or "").split())), colours)
        self.kinds.add((self._open[-1] if self._open else None, kind))
        if tag not in self.VOID:
            self._open.append(kind)

    def handle_endtag(self, tag):
        while self._open and self._open.pop()[0] != tag:
            pass


def contrast_pages(site: Path, paths: list[str]) -> list[str]:
    """Few pages that together hold every kind of element, in every kind of parent, of `paths`.

    A text's colours come from its element's and its ancestors' classes (the palette's CSS), not
    from which page it is on; so contrast checked on these pages, in each palette, is contrast
    checked for every element of the site. Chosen greedily: the page adding the most kinds first.
    """
    kinds = {}
    for path in paths:
        parser = _Elements()
        html = site / path / "index.html" if path.endswith("/") or not path else site / path
        parser.feed(html.read_text(encoding="utf-8", errors="replace"))
        kinds[path] = parser.kinds
    left, chosen = set().union(*kinds.values()) if kinds else set(), []
    while left:
        best = max(paths, key=lambda path: len(kinds[path] & left))
        chosen.append(best)
        left -= kinds[best]
    return chosen


def is_post(path: str) -> bool:
    parts = path.strip("/").split("/")
    return len(parts) == 2 and parts[0] == "blog" and parts[1] not in ("archive", "category", "page", "tag")


# --- a browser --------------------------------------------------------------------------------


async def launch(playwright):
    """Debian's chromium; a missing binary is an error, never a skip."""
    if not Path(CHROMIUM).is_file():
        raise RuntimeError(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)"
        )
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@dataclass
class Traffic:
    """What a context asked the network for, and what went wrong."""

    origin: str
    problems: list[str] = field(default_factory=list)
    requests: list = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    pending: int = 0

    async def attach(self, context) -> None:
        await context.route("**/*", self._route)
        context.on("request", self._started)
        context.on("requestfinished", self._finished)
        context.on("requestfailed", self._failed)
        context.on("response", self._response)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(f"JavaScript error: {error.error}"))

    async def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.origin + "/"):
            await route.continue_()
        else:
            self.foreign.append(url)
            self.problems.append(f"request to another host: {url}")
            await route.abort("blockedbyclient")

    def _started(self, request) -> None:
        self.pending += 1

    def _finished(self, request) -> None:
        self.pending -= 1
        self.requests.append(request)

    async def settle(self, timeout: float = 5.0) -> None:
        """Until no request has been in flight for 100 ms."""
        quiet, deadline = 0, time.monotonic() + timeout
        while quiet < 2 and time.monotonic() < deadline:
            quiet = quiet + 1 if self.pending <= 0 else 0
            await asyncio.sleep(0.05)

    def _failed(self, request) -> None:
        self.pending -= 1
        if request.url.startswith(self.origin + "/"):
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _console(self, message) -> None:
        if message.type == "error":
            text = message.text
            if "net::ERR_BLOCKED_BY_CLIENT" in text:
                return  # reported as a request to another host
            self.problems.append(f"console error: {text[:300]}")

    async def weight(self) -> dict[str, int]:
        """Transferred bytes (headers + body) by kind, for the requests seen so far."""
        kinds: dict[str, int] = {}
        for request in list(self.requests):
            try:
                sizes = await request.sizes()
            except Exception:  # noqa: BLE001 - a request of a closed page
                continue
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            url = request.url
            if "/assets/mathjax/" in url:
                kind = "mathjax"
            elif request.resource_type == "font" or url.endswith((".woff", ".woff2", ".ttf")):
                kind = "font"
            else:
                kind = {"document": "html", "stylesheet": "css", "script": "js", "image": "image"}.get(
                    request.resource_type, "other"
                )
            kinds[kind] = kinds.get(kind, 0) + size
        return kinds


async def new_context(browser, origin: str, **kwargs):
    options = {"viewport": DESKTOP, "color_scheme": "light", "service_workers": "block", **kwargs}
    context = await browser.new_context(**options)
    await context.add_init_script(STRICT_MATHJAX)
    await context.add_init_script(LAYOUT_SHIFT)
    traffic = Traffic(origin)
    await traffic.attach(context)
    return context, traffic


# --- the checks -------------------------------------------------------------------------------


async def check_math(page) -> list[str]:
    problems = []
    waited = await page.evaluate(WAIT_FOR_MATH)
    if waited:
        problems.append(f"MathJax: {waited}")
    for error in await page.evaluate(MATH_ERRORS):
        problems.append(f"formula error (mjx-merror): {error}")
    return problems


async def check_page(page, url: str) -> list[str]:
    """A loaded page: math typeset without errors, no raw TeX, every image loaded with alt text."""
    problems = await check_math(page)
    text = await page.evaluate(VISIBLE_TEXT)
    for delimiter in TEX_DELIMITERS:
        at = text.find(delimiter)
        if at >= 0:
            snippet = " ".join(text[max(0, at - 40) : at + 60].split())
            problems.append(f"raw TeX {delimiter!r} in the visible text: ...{snippet}...")
    for image in await page.evaluate(IMAGES):
        if not image["loaded"]:
            problems.append(f"image did not load: {image['src']}")
        if not (image["alt"] or "").strip():
            problems.append(f"image without alt text: {image['src']}")
    return problems


async def set_palette(page, scheme: str) -> None:
    """Click the header's palette toggle until the page shows `scheme` (default or slate)."""
    for _ in range(4):
        if await page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme:
            return
        await page.locator("form[data-md-component=palette] label:not([hidden])").first.click()
    raise AssertionError(f"the palette toggle never showed the {scheme} scheme")


async def check_axe(page, palette: str, contrast: bool = True) -> list[str]:
    """axe-core: serious and critical violations (the colour rules only if `contrast`)."""
    if palette == "dark" and not contrast:
        return []
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE_SCRIPT)
    options = {"resultTypes": ["violations"]}
    if palette == "dark":
        options["runOnly"] = {"type": "rule", "values": COLOUR_RULES}
    elif not contrast:
        options["rules"] = {rule: {"enabled": False} for rule in COLOUR_RULES}
    results = await page.evaluate("(options) => axe.run(document, options)", options)
    problems = []
    for violation in results["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")[:200]
            problems.append(
                f"axe ({palette}): {violation['id']} [{violation['impact']}] {violation['help']}; "
                f"{len(violation['nodes'])} node(s), e.g. {targets}: {summary}"
            )
    return problems


async def check_overflow(page, width: int = MOBILE_WIDTH) -> list[str]:
    await page.set_viewport_size({"width": width, "height": 844})
    await page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    result = await page.evaluate(OVERFLOW, width)
    problems = [f"at {width} px: {tag}" for tag in await page.evaluate(TAGS_OFF_SCREEN, width)]
    if result["scrollWidth"] > width:
        problems.append(
            f"horizontal overflow at {width} px: page is {result['scrollWidth']} px wide; "
            f"sticking out: {result['wide']}"
        )
    return problems


@dataclass
class PageReport:
    path: str
    problems: list[str]
    weight: dict[str, int]
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)


async def audit_page(
    browser,
    base: str,
    path: str,
    screenshots: Path | None = None,
    axe: bool = True,
    mobile: bool = True,
    contrast: bool = True,
) -> PageReport:
    """Every per-page check on one page, in a fresh context (cold cache); axe's colour
    contrast only if `contrast`."""
    started = time.monotonic()
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        phases[name] = round(time.monotonic() - started - sum(phases.values()), 2)

    context, traffic = await new_context(browser, base.rstrip("/"))
    try:
        page = await context.new_page()
        url = urljoin(base, path)
        response = await page.goto(url, wait_until="load")
        problems = []
        if response is None or response.status != 200:
            problems.append(f"{url} answered {response and response.status}")
        lap("load")
        problems += await check_page(page, url)
        for src in await page.evaluate(MATHJAX_SCRIPTS):
            problems.append(f"the page loads MathJax ({src}): math is typeset when the site is built")
        lap("check")
        await page.evaluate("document.fonts.ready.then(() => null)")
        await traffic.settle()
        weight = await traffic.weight()
        cls = await page.evaluate("window.__cls")
        if cls >= 0.0005:
            problems.append(f"layout shift while loading: CLS {cls:.4f} (budget 0)")
        lap("weight")
        name = re.sub(r"[^A-Za-z0-9]+", "-", path.strip("/")) or "index"
        for palette, scheme in (("light", "default"), ("dark", "slate")):
            await set_palette(page, scheme)
            if axe:
                problems += await check_axe(page, palette, contrast)
                lap(f"axe-{palette}")
            if screenshots is not None:
                await page.screenshot(
                    path=str(screenshots / f"{name}--{palette}.jpg"), full_page=True, type="jpeg", quality=80
                )
                lap(f"shot-{palette}")
        if mobile:
            problems += await check_overflow(page)
            lap("mobile")
        problems += traffic.problems
        return PageReport(path, problems, weight, time.monotonic() - started, phases)
    finally:
        await context.close()


async def audit_pages(
    browser, base: str, paths: list[str], jobs: int = 2, contrast: list[str] | None = None, **kwargs
) -> dict[str, PageReport]:
    """`audit_page` on many pages, `jobs` at a time; colour contrast on the pages in `contrast`
    (default: all)."""
    gate = asyncio.Semaphore(jobs)

    async def one(path: str) -> PageReport:
        async with gate:
            try:
                return await audit_page(
                    browser, base, path, contrast=contrast is None or path in contrast, **kwargs
                )
            except Exception as error:  # noqa: BLE001 - a page that crashes the audit fails its test
                return PageReport(path, [f"audit crashed: {type(error).__name__}: {error}"], {}, 0.0)

    reports = await asyncio.gather(*(one(path) for path in paths))
    return {report.path: report for report in reports}


# --- links, in the built files ------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "link" and attrs.get("href") and attrs.get("rel") not in ("canonical",):
            self.links.append(attrs["href"])
        if tag in ("img", "script") and attrs.get("src"):
            self.links.append(attrs["src"])


@functools.cache
def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def check_links(site: Path, site_url: str = "http://127.0.0.1:8000/") -> tuple[list[str], list[str]]:
    """(broken internal links and anchors, external links) over every HTML file of a built site."""
    site = Path(site)
    _parse.cache_clear()
    broken, external = [], set()
    local = urlsplit(site_url)
    for html in sorted(site.rglob("*.html")):
        rel = html.relative_to(site).as_posix()
        if rel.startswith("assets/"):
            continue
        page_url = urljoin(site_url, rel)
        for href in _parse(html).links:
            target = urlsplit(urljoin(page_url, href))
            if target.scheme in ("mailto", "javascript", "data", "tel"):
                continue
            if (target.scheme, target.netloc) != (local.scheme, local.netloc):
                external.add(href)
                continue
            path = unquote(target.path)[len(local.path) :]
            file = site / path
            if path == "" or path.endswith("/"):
                file = file / "index.html"
            if not file.is_file():
                broken.append(f"{rel}: {href} -> no file {file.relative_to(site).as_posix()}")
                continue
            if target.fragment and file.suffix == ".html":
                if unquote(target.fragment) not in _parse(file).ids:
                    broken.append(
                        f"{rel}: {href} -> no #{target.fragment} in {file.relative_to(site).as_posix()}"
                    )
    return broken, sorted(external)
