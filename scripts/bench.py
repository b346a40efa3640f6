"""Benchmark the site build against the usual way (mkdocs-jupyter with `execute: true`).

Builds the real site in a temporary copy of the project (the working tree's cache
and outputs are never touched) in four situations, each the median of several runs:

  1. cold:        empty cache
  2. warm:        nothing changed
  3. prose edit:  one post's prose edited
  4. helper edit: posts_src/initlab.py edited (a comment appended: the bytes change)

Ours is `scripts/build_posts.py` + `mkdocs build --strict`. The baseline is the same
posts converted to notebooks (jupytext) in a temporary MkDocs project built by
mkdocs-jupyter with `execute: true` and its cache (`cache: true`, emptied for cold),
plus a bare `mkdocs build` of the already-generated Markdown (no executor) as the floor.
Prints a table, then PASS/FAIL per target; exits 1 on a FAIL unless --no-check.

The reader part (after the build part; `--reader-only` for it alone, `--no-reader` to skip
it) builds the site twice from one copy of the project, with the math typeset at build
(ours) and with MathJax 3 typesetting in the browser as before (today: SITE_MATH=client),
serves both gzipped and loads the home page and the three heaviest posts in headless
Chromium, cold cache, at 1280 px and at 390 px: bytes transferred, time until every
formula is visible, layout shift (CLS), formulas typeset after the load event.

The edit-loop part (`--edit-loop-only` for it alone, `--no-edit-loop` to skip it) times, in a
copy of the project with the working tree's caches (nothing executes that need not), side by
side: a warm `make site` with nothing changed, a bare `mkdocs build --strict`, and in `make
serve` (started by the Makefile's own command) the seconds from saving a prose edit of
posts_src/<slug>.md until the served page contains it, and a code edit (a new code cell)
until its output is served. Then the same on a synthetic blog of --synthetic-posts posts
(copies of the posts with their own slugs, titles and dates, and their cache entries), and
checks that the served pages equal a full build's.

    .venv/bin/python scripts/bench.py [--runs 3] [--cold-runs 1] [--posts a,b] [--no-check]
                                      [--reader-only] [--no-reader] [--reader-runs 3]
                                      [--edit-loop-only] [--no-edit-loop] [--synthetic-posts 100]
                                      [--code-runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from postbuild.cache import local_imports  # noqa: E402
from postbuild.source import read_post  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
MKDOCS = VENV_BIN / "mkdocs"
HELPER = "initlab.py"
BASE_ENV = {"NO_MKDOCS_2_WARNING": "1", "JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
# The executor pins these in its kernels; the baseline runs as a user would, with library defaults.
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
EXECUTED_LINE = re.compile(r"^\s+executed\s+\S*?([^/\s]+)\.md\s+\(([\d.]+) s\)", re.M)
SUMMARY_LINE = re.compile(r"posts: (\d+) executed, (\d+) from cache")

# Targets (issue 7).
WARM_OVER_FLOOR = 1.25
COLD_OVER_BASELINE = 0.6
COLD_SECONDS = 120.0


@dataclass
class Run:
    seconds: float
    executed: list[str] = field(default_factory=list)
    parts: dict[str, float] = field(default_factory=dict)  # e.g. posts / mkdocs
    post_seconds: dict[str, float] = field(default_factory=dict)  # executor's time per executed post


@dataclass
class Result:
    runs: list[Run]

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def executed(self) -> list[str]:
        return self.runs[-1].executed

    def part(self, name: str) -> float:
        return statistics.median(run.parts.get(name, 0.0) for run in self.runs)

    def spread(self) -> str:
        if len(self.runs) == 1:
            return "1 run"
        times = sorted(run.seconds for run in self.runs)
        return f"{len(self.runs)} runs, {times[0]:.1f}-{times[-1]:.1f}"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def environment(threads_pinned: bool = True) -> dict[str, str]:
    env = {**os.environ, **BASE_ENV}
    if not threads_pinned:
        for name in THREAD_VARS:
            env.pop(name, None)
    return env


def run(command: list, cwd: Path, env: dict | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env or environment(), capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(
            f"bench: command failed ({result.returncode}): {' '.join(map(str, command))} in {cwd}"
        )
    return seconds, result.stdout + result.stderr


# --------------------------------------------------------------------------- our build


class Ours:
    """A copy of the project: posts_src, hand-written docs, hooks, overrides, config, scripts."""

    def __init__(self, root: Path, slugs: list[str]):
        self.root = root
        self.slugs = slugs
        self.strict = set(slugs) == {p.stem for p in (ROOT / "posts_src").glob("*.md")}
        root.mkdir(parents=True)
        (root / "posts_src").mkdir()
        for slug in slugs:
            shutil.copy2(ROOT / "posts_src" / f"{slug}.md", root / "posts_src")
        for extra in (ROOT / "posts_src").iterdir():
            if extra.suffix != ".md" and extra.is_file():
                shutil.copy2(extra, root / "posts_src")
        generated = {ROOT / "docs" / "blog" / "posts", ROOT / "docs" / "notebooks"}
        shutil.copytree(
            ROOT / "docs",
            root / "docs",
            ignore=lambda folder, names: [n for n in names if Path(folder) / n in generated],
        )
        for folder in ("hooks", "overrides", "scripts"):
            shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("mkdocs.yml", "Makefile", "requirements.txt", "package.json", "package-lock.json"):
            if (ROOT / name).is_file():
                shutil.copy2(ROOT / name, root / name)
        for name in ("node_modules", ".venv"):
            (root / name).symlink_to(ROOT / name)

    def clean(self) -> None:
        for path in (".cache", "site", "docs/blog/posts", "docs/notebooks"):
            shutil.rmtree(self.root / path, ignore_errors=True)

    def posts(self) -> tuple[float, list[str], dict[str, float]]:
        seconds, output = run([PYTHON, "scripts/build_posts.py"], self.root)
        summary = SUMMARY_LINE.search(output)
        if not summary:
            raise SystemExit(f"bench: cannot read the executor's summary in:\n{output}")
        per_post = {m.group(1): float(m.group(2)) for m in EXECUTED_LINE.finditer(output)}
        executed = list(per_post)
        if len(executed) != int(summary.group(1)):
            raise SystemExit(
                f"bench: executor output lists {len(executed)} posts, summary says {summary.group(1)}"
            )
        return seconds, executed, per_post

    def mkdocs(self) -> float:
        strict = ["--strict"] if self.strict else []
        seconds, _ = run([MKDOCS, "build", *strict, "--quiet", "--site-dir", "site"], self.root)
        return seconds

    def build(self) -> Run:
        posts_seconds, executed, per_post = self.posts()
        mkdocs_seconds = self.mkdocs()
        parts = {"posts": posts_seconds, "mkdocs": mkdocs_seconds}
        return Run(posts_seconds + mkdocs_seconds, executed, parts, per_post)

    def floor(self) -> Run:
        return Run(self.mkdocs())

    def dependents(self) -> list[str]:
        """Posts whose code imports the helper, transitively (those a helper edit must re-execute)."""
        src = self.root / "posts_src"
        found = []
        for slug in self.slugs:
            post = read_post(src / f"{slug}.md")
            code = "\n".join(cell.source for cell in post.code_cells)
            if src / HELPER in local_imports(code, src):
                found.append(slug)
        return found


# --------------------------------------------------------------------------- the usual way

BASELINE_CONFIG = """\
site_name: Baseline (mkdocs-jupyter, execute true)
theme:
  name: material
  font: false
plugins:
  - search
  - mkdocs-jupyter:
      include: ["notebooks/*.ipynb"]
      execute: true
      allow_errors: false
      include_source: true
      ignore_h1_titles: true
      cache: true
      cache_dir: .cache/mkdocs-jupyter
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - pymdownx.arithmatex:
      generic: true
  - pymdownx.superfences
"""


class Baseline:
    """The same posts as .ipynb (jupytext) in a plain MkDocs project built by mkdocs-jupyter."""

    def __init__(self, root: Path, slugs: list[str]):
        self.root = root
        self.notebooks = root / "docs" / "notebooks"
        self.notebooks.mkdir(parents=True)
        self.sources = root / "sources"  # the posts' Markdown, edited here, then converted
        self.sources.mkdir()
        (root / "mkdocs.yml").write_text(BASELINE_CONFIG)
        (root / "docs" / "index.md").write_text("# Baseline\n\nThe posts, executed by mkdocs-jupyter.\n")
        for extra in (ROOT / "posts_src").iterdir():
            if extra.suffix != ".md" and extra.is_file():
                shutil.copy2(extra, self.notebooks)
        for slug in slugs:
            shutil.copy2(ROOT / "posts_src" / f"{slug}.md", self.sources)
            self.convert(slug)
        self.cache = root / ".cache" / "mkdocs-jupyter"

    def convert(self, slug: str) -> None:
        import jupytext

        source = self.sources / f"{slug}.md"
        notebook = jupytext.read(source, fmt="md")
        notebook.metadata["kernelspec"] = {
            "display_name": "Python 3",
            "language": "python",
            "name": "python3",
        }
        jupytext.write(notebook, self.notebooks / f"{source.stem}.ipynb", fmt="ipynb")

    def clean(self) -> None:
        for path in (".cache", "site"):
            shutil.rmtree(self.root / path, ignore_errors=True)

    def build(self) -> Run:
        before = {p.name for p in self.cache.glob("*.json")} if self.cache.is_dir() else set()
        seconds, _ = run(
            [MKDOCS, "build", "--quiet", "--site-dir", "site"], self.root, environment(threads_pinned=False)
        )
        after = {p.name for p in self.cache.glob("*.json")}
        # A cache miss writes a new entry: count them as executed notebooks.
        return Run(seconds, sorted(after - before))


# --------------------------------------------------------------------------- edits


def edit_prose(post: Path, number: int) -> None:
    """Add a sentence after the post's `<!-- more -->` line (prose, outside any code cell)."""
    text = post.read_text(encoding="utf-8")
    marker = "<!-- more -->\n"
    if marker not in text:
        raise SystemExit(f"bench: {post} has no '<!-- more -->' line to edit after")
    post.write_text(
        text.replace(marker, f"{marker}\nA prose edit made by the benchmark (run {number}).\n", 1),
        encoding="utf-8",
    )


def edit_helper(helper: Path, number: int) -> None:
    with helper.open("a", encoding="utf-8") as file:
        file.write(f"# edited by the benchmark (run {number})\n")


# --------------------------------------------------------------------------- reader

MAX_POST_KB = 250.0  # budget: heaviest post page, first visit, gzip transfer (issue 12)
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "390 px": {"width": 390, "height": 844}}

# Before the page's own scripts: layout shifts, first paint, and the moment every formula
# is typeset (an <mjx-container> in each arithmatex element) and the fonts are loaded.
READER_PROBE = """
(() => {
  const m = window.__reader = {cls: 0, clsContent: 0, fcp: null, mathVisible: null, formulas: 0};
  m.pendingAtLoad = null;
  // clsContent: shifts that move anything in the page's content (where the math is); Material's
  // post sidebar sometimes collapses on phones after first paint, a shift of its own.
  const inContent = e => e.sources.some(s => s.node && (s.node.nodeType === 1 ? s.node : s.node.parentElement)
    ?.closest(".md-content"));
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) {
      m.cls += e.value;
      if (inContent(e)) m.clsContent += e.value;
    }
  }).observe({type: "layout-shift", buffered: true});
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (e.name === "first-contentful-paint") m.fcp = e.startTime;
  }).observe({type: "paint", buffered: true});
  const pending = () =>
    [...document.querySelectorAll(".arithmatex")].filter(e => !e.querySelector("mjx-container"));
  addEventListener("load", () => { m.pendingAtLoad = pending().length; });
  const check = () => {
    if (document.readyState !== "loading" && !pending().length && document.fonts.status === "loaded") {
      m.mathVisible = performance.now();
      m.formulas = document.querySelectorAll(".arithmatex").length;
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
"""


@dataclass
class Visit:
    kb: float
    math_ms: float | None
    cls: float
    cls_content: float
    late: int  # formulas not typeset when the load event fired
    formulas: int
    load_ms: float
    overflow: list[str] = field(default_factory=list)


def _harness():
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import harness  # noqa: PLC0415

    return harness


async def _visit(harness, browser, base: str, path: str, viewport: dict) -> Visit:
    context, traffic = await harness.new_context(browser, base.rstrip("/"), viewport=viewport)
    try:
        await context.add_init_script(READER_PROBE)
        page = await context.new_page()
        await page.goto(base + path, wait_until="load")
        await page.wait_for_function("() => window.__reader.mathVisible !== null", timeout=30000)
        await page.wait_for_timeout(500)
        probe = await page.evaluate("() => window.__reader")
        load_ms = await page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
        # Every figure of the page, not only those a lazy loader fetched yet (the palette's own).
        await page.evaluate(
            "() => Promise.all([...document.querySelectorAll('img')].filter(i => i.checkVisibility())"
            ".map(i => { i.loading = 'eager'; return i.decode().catch(() => null); }))"
        )
        await traffic.settle()
        weight = await traffic.weight()
        overflow = []
        if viewport["width"] < 500:
            result = await page.evaluate(harness.OVERFLOW, viewport["width"])
            if result["scrollWidth"] > viewport["width"]:
                overflow.append(f"page {result['scrollWidth']} px wide: {result['wide']}")
            overflow += await page.evaluate(harness.TAGS_OFF_SCREEN, viewport["width"])
        math_ms = max(probe["mathVisible"], probe["fcp"] or 0) if probe["formulas"] else probe["fcp"]
        return Visit(
            kb=sum(weight.values()) / 1000,
            math_ms=math_ms,
            cls=probe["cls"],
            cls_content=probe["clsContent"],
            late=probe["pendingAtLoad"] or 0,
            formulas=probe["formulas"],
            load_ms=load_ms,
            overflow=overflow,
        )
    finally:
        await context.close()


def heaviest_posts(site: Path, count: int = 3) -> list[str]:
    """The posts whose HTML and (light) figures weigh most, gzipped (as a static host sends them)."""
    import gzip

    sizes = {}
    for page in (site / "blog").glob("*/index.html"):
        if page.parent.name in ("archive", "category", "page", "tag", "posts"):
            continue
        files = [page, *(f for f in page.parent.glob("*.svg") if not f.stem.endswith("-dark"))]
        sizes[f"blog/{page.parent.name}/"] = sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)
    return sorted(sizes, key=lambda path: -sizes[path])[:count]


def reader(temp: Path, runs: int) -> tuple[list[str], list[tuple[str, bool, str]], dict]:
    """Build ours and today's site, visit the pages in Chromium; (table lines, checks, raw)."""
    import asyncio

    project = Ours(temp / "reader", sorted(p.stem for p in (ROOT / "posts_src").glob("*.md")))
    if (ROOT / ".cache").is_dir():  # the working tree's execution cache: nothing re-executes
        shutil.copytree(ROOT / ".cache", project.root / ".cache", ignore=shutil.ignore_patterns("mathjax"))
    log("reader: executing the posts (cached) and building both sites")
    project.posts()
    sites = {}
    for column, mode in (("today", "client"), ("ours", "build")):
        env = {**environment(), "SITE_MATH": mode}
        seconds, _ = run(
            [MKDOCS, "build", "--strict", "--quiet", "--site-dir", f"site-{column}"], project.root, env
        )
        log(f"  built {column} (SITE_MATH={mode}) in {seconds:.1f} s")
        sites[column] = project.root / f"site-{column}"
    # The three heaviest of today's site, and of ours if it ranks them differently.
    pages = [""]
    for path in heaviest_posts(sites["today"]) + heaviest_posts(sites["ours"]):
        if path not in pages:
            pages.append(path)
    harness = _harness()

    async def measure() -> dict:
        from playwright.async_api import async_playwright

        servers = {column: harness.Server(site) for column, site in sites.items()}
        results: dict = {}
        try:
            async with async_playwright() as playwright:
                browser = await harness.launch(playwright)
                for number in range(runs):
                    for path in pages:
                        for view, viewport in VIEWPORTS.items():
                            for column, server in servers.items():
                                visit = await _visit(harness, browser, server.base, path, viewport)
                                results.setdefault((path, view, column), []).append(visit)
                    log(f"  reader run {number + 1}/{runs} done")
                await browser.close()
        finally:
            for server in servers.values():
                server.close()
        return results

    results = asyncio.run(measure())

    def median(path, view, column, attribute):
        values = [getattr(v, attribute) for v in results[(path, view, column)]]
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else float("nan")

    header = (
        "page",
        "viewport",
        "today KB",
        "ours KB",
        "today math visible ms",
        "ours math visible ms",
        "today CLS (content)",
        "ours CLS (content)",
        "typeset after load (today / ours)",
    )
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    checks = []
    for path in pages:
        for view in VIEWPORTS:
            row = [f"/{path}" if path else "/ (home)", view]
            row += [f"{median(path, view, c, 'kb'):.0f}" for c in ("today", "ours")]
            row += [f"{median(path, view, c, 'math_ms'):.0f}" for c in ("today", "ours")]
            row += [
                f"{median(path, view, c, 'cls'):.3f} ({median(path, view, c, 'cls_content'):.3f})"
                for c in ("today", "ours")
            ]
            late = [max(v.late for v in results[(path, view, c)]) for c in ("today", "ours")]
            formulas = results[(path, view, "ours")][0].formulas
            row.append(f"{late[0]} / {late[1]} of {formulas}")
            lines.append("| " + " | ".join(row) + " |")
    post_kb = max(
        (max(v.kb for v in results[(p, view, "ours")]), p, view) for p in pages if p for view in VIEWPORTS
    )
    checks.append(
        (
            f"heaviest post page <= {MAX_POST_KB:.0f} KB transferred (ours, first visit)",
            post_kb[0] <= MAX_POST_KB,
            f"{post_kb[0]:.0f} KB (/{post_kb[1]}, {post_kb[2]})",
        )
    )
    late = sum(v.late for (p, view, c), visits in results.items() if c == "ours" for v in visits)
    checks.append(("no formula typeset after load (ours)", late == 0, f"{late} formula(s)"))
    cls = max(v.cls_content for (p, view, c), visits in results.items() if c == "ours" for v in visits)
    total = max(v.cls for (p, view, c), visits in results.items() if c == "ours" for v in visits)
    checks.append(
        (
            "layout shift of the content (CLS) = 0 (ours, every visit)",
            cls < 0.0005,
            f"max {cls:.4f} (whole page, Material's sidebar included: max {total:.4f})",
        )
    )
    narrow = sorted(
        {
            f"/{p} {problem}"
            for (p, view, c), visits in results.items()
            if c == "ours"
            for v in visits
            for problem in v.overflow
        }
    )
    checks.append(
        (
            "390 px: nothing wider than the viewport, no equation number off-screen (ours)",
            not narrow,
            "; ".join(narrow[:4]) or "none",
        )
    )
    raw = {f"{c} {view} /{p}": [vars(v) for v in visits] for (p, view, c), visits in results.items()}
    return lines, checks, raw


# --------------------------------------------------------------------------- edit loop (issue 14)

WARM_SITE_SECONDS = 3.0  # warm `make site`, nothing changed, today's blog
PROSE_EDIT_SECONDS = 3.0  # prose edit visible in `make serve`, today's blog
PROSE_EDIT_SECONDS_LARGE = 5.0  # the same on the synthetic blog
CODE_EDIT_OVER = 3.0  # code edit visible within the post's execution time + this
SYNTHETIC_POSTS = 100
FIRST_COPY_DATE = "2020-01-01"  # copies are dated from here, one day apart, before every real post
EXECUTED_IN_LOG = re.compile(r"executed\s+\S*?([^/\s]+)\.md\s+\(([\d.]+) s\)")
LIVERELOAD = re.compile(r"<script>\nvar livereload = function.*?</script>", re.S)


def synthesize(project: Ours, total: int) -> list[str]:
    """Copies of the posts (slug `<slug>-copy-<k>`, title "... (copy k)", distinct dates) until the
    blog has `total` posts, with their execution cache entries copied: nothing executes."""
    import datetime as dt

    src = project.root / "posts_src"
    cache = project.root / ".cache" / "posts"
    originals = sorted(project.slugs)
    day = dt.date.fromisoformat(FIRST_COPY_DATE)
    made: list[str] = []
    number = 0
    while len(originals) + len(made) < total:
        slug = originals[number % len(originals)]
        copy = number // len(originals) + 1
        new = f"{slug}-copy-{copy}"
        text = (src / f"{slug}.md").read_text(encoding="utf-8")
        end = text.index("\n---\n", 4)
        lines = text[:end].split("\n")
        for index, line in enumerate(lines):
            if line.startswith("title:"):
                import yaml

                title = yaml.safe_load(line[len("title:") :])
                lines[index] = "title: " + json.dumps(f"{title} (copy {copy})")
            elif line.startswith("date:"):
                lines[index] = f"date: {day + dt.timedelta(days=number)}"
        (src / f"{new}.md").write_text("\n".join(lines) + text[end:], encoding="utf-8")
        if (cache / slug).is_dir():
            shutil.copytree(cache / slug, cache / new)
        made.append(new)
        number += 1
    project.slugs = originals + made
    return made


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """`make serve` in a copy of the project, as a contributor starts it (the Makefile's command)."""

    def __init__(self, root: Path):
        import signal  # noqa: F401

        self.root = root
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.log_path = root / "serve.log"
        self.log_file = self.log_path.open("w")
        # -o: the copy's setup stamps count as up to date (it never installs anything)
        self.process = subprocess.Popen(
            [
                "make",
                "-o",
                ".venv/.installed",
                "-o",
                "node_modules/.installed",
                "serve",
                f"HOST=127.0.0.1:{self.port}",
            ],
            cwd=root,
            env=environment(),
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str) -> str | None:
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return response.read().decode("utf-8", errors="replace")
        except (urllib.error.URLError, OSError):
            return None

    def wait_ready(self, path: str, timeout: float = 1800) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"bench: `make serve` exited ({self.process.returncode}):\n{self.log()[-4000:]}"
                )
            if "Serving on" in self.log() and self.get(path) is not None:
                return time.perf_counter() - started
            time.sleep(0.2)
        raise SystemExit(f"bench: `make serve` not ready after {timeout:.0f} s:\n{self.log()[-4000:]}")

    def settle(self, timeout: float = 600) -> None:
        """Wait until no build is running or due (every "Detected file changes" has finished)."""
        started = time.perf_counter()
        last, quiet_since = None, time.perf_counter()
        while time.perf_counter() - started < timeout:
            text = self.log()
            begun = text.count("Detected file changes")
            ended = text.count("Reloading browsers") + text.count("An error happened during the rebuild")
            if text != last:
                last, quiet_since = text, time.perf_counter()
            elif begun <= ended and time.perf_counter() - quiet_since > 1.5:
                return
            time.sleep(0.2)
        raise SystemExit(f"bench: `make serve` still building after {timeout:.0f} s")

    def time_edit(self, post: Path, path: str, edit, marker: str, timeout: float = 900) -> float:
        """Apply `edit` to the post's source and time until the served page contains `marker`."""
        text = post.read_text(encoding="utf-8")
        post.write_text(edit(text), encoding="utf-8")
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            page = self.get(path)
            if page is not None and marker in page:
                return time.perf_counter() - started
            time.sleep(0.05)
        raise SystemExit(
            f"bench: {marker!r} not on {self.base}{path} after {timeout:.0f} s:\n{self.log()[-4000:]}"
        )

    def close(self) -> None:
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()


def _token() -> str:
    """A marker the build's number lint accepts in prose (letters only) and no page contains."""
    import random
    import string

    return "".join(random.choice(string.ascii_lowercase) for _ in range(12))


def prose_edit(token: str):
    def edit(text: str) -> str:
        marker = "<!-- more -->\n"
        if marker not in text:
            raise SystemExit("bench: the post has no '<!-- more -->' line to edit after")
        return text.replace(marker, f"{marker}\nA prose edit made by the benchmark, mark {token}.\n", 1)

    return edit


def code_edit(token: str):
    """A new code cell at the end whose output (not its source) is the marker."""

    def edit(text: str) -> str:
        return text.rstrip("\n") + f'\n\n```python\nprint("{token[::-1]}"[::-1])\n```\n'

    return edit


def fastest_post(project: Ours, candidates: list[str]) -> str:
    """The post whose cached execution took least (the code edit re-executes it)."""
    cache = project.root / ".cache" / "posts"
    times = {}
    for slug in candidates:
        good = cache / slug / "good"
        if good.is_file():
            entry = cache / slug / f"{good.read_text().strip()}.json"
            if entry.is_file():
                times[slug] = json.loads(entry.read_text()).get("seconds", float("inf"))
    return min(times, key=times.get) if times else candidates[0]


@dataclass
class LoopResult:
    blog: str
    posts: int
    warm_site: list[float]
    floor: list[float]
    prose: list[float]
    code: list[tuple[float, float]]  # (visible after, execution seconds)
    same_as_full: bool | None
    ready: float


def edit_loop_blog(project: Ours, label: str, runs: int, code_runs: int, prose_slug: str) -> LoopResult:
    log(f"edit loop, {label}: {len(project.slugs)} posts in {project.root}")
    project.posts()  # everything from the copied cache
    warm = []
    for number in range(runs if label == "today's blog" else 0):  # the target is today's blog's
        seconds, _ = run([PYTHON, "scripts/build_site.py"], project.root)
        warm.append(seconds)
        log(f"  warm `make site` run {number + 1}/{runs}: {seconds:.1f} s")
    floor = []
    for number in range(runs):
        floor.append(project.mkdocs())
        log(f"  bare `mkdocs build` run {number + 1}/{runs}: {floor[-1]:.1f} s")
    served = Served(project.root)
    prose, code = [], []
    same = None
    try:
        path = f"blog/{prose_slug}/"
        ready = served.wait_ready(path)
        log(f"  `make serve` ready in {ready:.1f} s")
        served.settle()
        post = project.root / "posts_src" / f"{prose_slug}.md"
        for number in range(runs):
            token = _token()
            seconds = served.time_edit(post, path, prose_edit(token), token)
            prose.append(seconds)
            log(f"  prose edit run {number + 1}/{runs}: visible after {seconds:.2f} s")
            served.settle()
        code_slug = fastest_post(project, [s for s in project.slugs if "-copy-" not in s])
        for number in range(code_runs):
            token = _token()
            before = len(EXECUTED_IN_LOG.findall(served.log()))
            code_post = project.root / "posts_src" / f"{code_slug}.md"
            seconds = served.time_edit(code_post, f"blog/{code_slug}/", code_edit(token), token)
            executed = EXECUTED_IN_LOG.findall(served.log())[before:]
            execution = sum(float(s) for slug, s in executed if slug == code_slug)
            code.append((seconds, execution))
            log(
                f"  code edit run {number + 1}/{code_runs} ({code_slug}): "
                f"visible after {seconds:.1f} s, executing {execution:.1f} s"
            )
            served.settle()
        # What the server shows now, against a full build of the same sources.
        compared = [path, "blog/", "search/search_index.json"] + ([f"blog/{code_slug}/"] if code else [])
        shown = {page: served.get(page) for page in compared}
    finally:
        served.close()
    env = {**environment(), "SITE_URL": served.base}
    run([MKDOCS, "build", "--strict", "--quiet", "--site-dir", "site-full"], project.root, env)
    differ = []
    for page, text in shown.items():
        target = project.root / "site-full" / page
        target = target / "index.html" if page.endswith("/") else target
        if text is None or LIVERELOAD.sub("", text) != target.read_text(encoding="utf-8"):
            differ.append(page)
            served_copy = project.root / "served" / (page + "index.html" if page.endswith("/") else page)
            served_copy.parent.mkdir(parents=True, exist_ok=True)
            served_copy.write_text(LIVERELOAD.sub("", text or ""), encoding="utf-8")
    same = not differ
    if differ:
        log(
            f"  served pages that differ from a full build's: {differ} (see {project.root}/served, site-full)"
        )
    return LoopResult(label, len(project.slugs), warm, floor, prose, code, same, ready)


def edit_loop(args) -> tuple[list[str], list[tuple[str, bool, str]], list[LoopResult]]:
    """Today's blog and a synthetic one (copies up to --synthetic-posts): the edit loop's timings."""
    runs = max(1, args.runs)
    temp = Path(tempfile.mkdtemp(prefix="bench-loop-"))
    slugs = sorted(p.stem for p in (ROOT / "posts_src").glob("*.md"))
    prose_slug = args.prose_post or slugs[0]
    results = []
    try:
        for label, total in (("today's blog", 0), ("synthetic blog", args.synthetic_posts)):
            if label != "today's blog" and total <= len(slugs):
                continue
            project = Ours(temp / ("today" if not total else "synthetic"), slugs)
            if (ROOT / ".cache").is_dir():  # the working tree's caches: nothing executes, no cold typesetting
                shutil.copytree(
                    ROOT / ".cache", project.root / ".cache", ignore=shutil.ignore_patterns("jinja")
                )
            if total:
                synthesize(project, total)
            code_runs = args.code_runs if not total else 0
            results.append(edit_loop_blog(project, label, runs, code_runs, prose_slug))
    finally:
        if args.keep:
            log(f"bench: kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)

    def spread(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})" if values else "-"

    header = (
        "blog",
        "posts",
        "warm `make site` s",
        "bare `mkdocs build` s",
        "prose edit in `make serve` s",
        "code edit s (executing s)",
        "served page = full build's",
    )
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    checks = []
    for result in results:
        code = (
            f"{statistics.median(c[0] for c in result.code):.1f} "
            f"({statistics.median(c[1] for c in result.code):.1f})"
            if result.code
            else "-"
        )
        same = {None: "-", True: "yes", False: "**no**"}[result.same_as_full]
        lines.append(
            f"| {result.blog} | {result.posts} | {spread(result.warm_site)} | {spread(result.floor)} | "
            f"{spread(result.prose)} | {code} | {same} |"
        )
        large = result.blog != "today's blog"
        limit = PROSE_EDIT_SECONDS_LARGE if large else PROSE_EDIT_SECONDS
        prose = statistics.median(result.prose)
        checks.append(
            (
                f"prose edit visible in `make serve` <= {limit:.0f} s ({result.posts} posts)",
                prose <= limit,
                f"{prose:.2f} s, median of {len(result.prose)} "
                f"(bare `mkdocs build`: {statistics.median(result.floor):.1f} s)",
            )
        )
        checks.append(
            (
                f"served page after the edits = a full build's ({result.posts} posts)",
                bool(result.same_as_full),
                "identical" if result.same_as_full else "differs",
            )
        )
        if not large:
            warm = statistics.median(result.warm_site)
            checks.append(
                (
                    f"warm `make site`, nothing changed, <= {WARM_SITE_SECONDS:.0f} s ({result.posts} posts)",
                    warm <= WARM_SITE_SECONDS,
                    f"{warm:.2f} s, median of {len(result.warm_site)}",
                )
            )
            for seconds, execution in result.code:
                checks.append(
                    (
                        f"code edit visible <= execution + {CODE_EDIT_OVER:.0f} s",
                        seconds <= execution + CODE_EDIT_OVER,
                        f"{seconds:.1f} s, of which executing {execution:.1f} s",
                    )
                )
    return lines, checks, results


def edit_loop_report(args) -> list[tuple[str, bool, str]]:
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    load_before = load_average()
    lines, checks, results = edit_loop(args)
    print(
        "Edit loop: warm `make site` (build_site.py, nothing changed) and bare `mkdocs build --strict`, "
        f"medians of {max(1, args.runs)} (min-max); a prose edit (a sentence after `<!-- more -->`) in "
        "`make serve`, seconds from saving posts_src/<slug>.md until the served page contains it; "
        "a code edit (a new code cell) until its output is served"
    )
    print(f"Date: {started}; load average (1/5/15 min) before {load_before}, after {load_average()}")
    print()
    print("\n".join(lines))
    print()
    print_checks(checks)
    if args.json:
        path = args.json.with_name(args.json.stem + "-edit-loop.json")
        path.write_text(
            json.dumps(
                {
                    "date": started,
                    "load_before": load_before,
                    "results": [vars(r) for r in results],
                    "checks": checks,
                },
                indent=1,
            )
        )
    return [check for check in checks if not check[1]]


def part_main(report, args, argv) -> int:
    """One part of the bench alone (`--reader-only`, `--edit-loop-only`): `report(args)` prints
    it and returns its failed checks."""
    print(f"Machine: {machine()}")
    arguments = " ".join(argv if argv is not None else sys.argv[1:])
    print(f"Command: .venv/bin/python scripts/bench.py {arguments}".rstrip())
    failed = report(args)
    if failed and not args.no_check:
        print(f"bench: {len(failed)} target(s) failed", file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------- main


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    ram = ""
    try:
        kb = int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        ram = f", {kb / 1024**2:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} CPUs ({cpu}){ram}, {system}"


def print_checks(checks: list[tuple[str, bool, str]]) -> None:
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def repeat(runs: int, label: str, before, action) -> Result:
    results = []
    for number in range(1, runs + 1):
        before(number)
        result = action()
        log(f"  {label} run {number}/{runs}: {result.seconds:.1f} s, {len(result.executed)} executed")
        results.append(result)
    return Result(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per situation (median; default 3)")
    parser.add_argument(
        "--cold-runs",
        type=int,
        default=1,
        help="runs of the situations that execute every post, ours and mkdocs-jupyter's (cold, helper edit); "
        "default 1, as each takes minutes",
    )
    parser.add_argument("--posts", default="", help="comma-separated slugs (default: every post)")
    parser.add_argument(
        "--prose-post", default="", help="the post whose prose is edited (default: the first)"
    )
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip mkdocs-jupyter (no cold ratio check)"
    )
    parser.add_argument("--no-check", action="store_true", help="exit 0 even if a target fails")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--reader-only", action="store_true", help="only the reader part (Chromium)")
    parser.add_argument("--no-reader", action="store_true", help="skip the reader part")
    parser.add_argument("--reader-runs", type=int, default=3, help="visits per page, viewport and site")
    parser.add_argument(
        "--edit-loop-only",
        action="store_true",
        help="only the edit-loop part (warm make site, bare mkdocs build, edits in make serve)",
    )
    parser.add_argument("--no-edit-loop", action="store_true", help="skip the edit-loop part")
    parser.add_argument(
        "--synthetic-posts",
        type=int,
        default=SYNTHETIC_POSTS,
        help=f"posts in the edit loop's synthetic blog (copies; default {SYNTHETIC_POSTS}; 0: none)",
    )
    parser.add_argument(
        "--code-runs", type=int, default=1, help="code edits timed in the edit loop (each executes a post)"
    )
    args = parser.parse_args(argv)
    runs = max(1, args.runs)
    cold_runs = max(1, args.cold_runs)
    if args.reader_only:
        return part_main(reader_report, args, argv)
    if args.edit_loop_only:
        return part_main(edit_loop_report, args, argv)

    all_slugs = sorted(p.stem for p in (ROOT / "posts_src").glob("*.md"))
    slugs = [s for s in args.posts.split(",") if s] or all_slugs
    unknown = sorted(set(slugs) - set(all_slugs))
    if unknown:
        parser.error(f"no such post: {', '.join(unknown)}")
    prose_slug = args.prose_post or slugs[0]
    if prose_slug not in slugs:
        parser.error(f"--prose-post {prose_slug} is not among the benchmarked posts")

    temp = Path(tempfile.mkdtemp(prefix="bench-"))
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    load_before = load_average()
    log(f"bench: {len(slugs)} post(s), {runs} run(s) per situation, {cold_runs} for cold/helper; in {temp}")
    log(f"bench: load average {load_before}")
    try:
        ours = Ours(temp / "ours", slugs)
        base = None if args.no_baseline else Baseline(temp / "baseline", slugs)
        nothing = lambda number: None  # noqa: E731
        res: dict[str, Result] = {}

        log("(1) cold: empty cache")
        res["cold"] = repeat(cold_runs, "ours cold", lambda n: ours.clean(), ours.build)
        if base:
            res["base cold"] = repeat(cold_runs, "mkdocs-jupyter cold", lambda n: base.clean(), base.build)
        log("floor: bare mkdocs build of the generated Markdown")
        res["floor"] = repeat(runs, "floor", nothing, ours.floor)
        log("(2) warm: nothing changed")
        res["warm"] = repeat(runs, "ours warm", nothing, ours.build)
        if base:
            res["base warm"] = repeat(runs, "mkdocs-jupyter warm", nothing, base.build)
        log(f"(3) prose edit in {prose_slug}")
        post = ours.root / "posts_src" / f"{prose_slug}.md"
        res["prose"] = repeat(runs, "ours prose", lambda n: edit_prose(post, n), ours.build)
        if base:

            def edit_base(number: int) -> None:
                edit_prose(base.sources / f"{prose_slug}.md", number)
                base.convert(prose_slug)

            res["base prose"] = repeat(runs, "mkdocs-jupyter prose", edit_base, base.build)
        log(f"(4) helper edit: posts_src/{HELPER}")
        res["helper"] = repeat(
            cold_runs, "ours helper", lambda n: edit_helper(ours.root / "posts_src" / HELPER, n), ours.build
        )
        if base:
            res["base helper"] = repeat(
                cold_runs,
                "mkdocs-jupyter helper",
                lambda n: edit_helper(base.notebooks / HELPER, n),
                base.build,
            )
        dependents = ours.dependents()
    finally:
        if args.keep:
            log(f"bench: kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)
    load_after = load_average()

    floor = res["floor"].median
    n = len(slugs)
    rows = [
        ("(1) cold: empty cache", "cold"),
        ("(2) warm: nothing changed", "warm"),
        (f"(3) prose edit ({prose_slug})", "prose"),
        (f"(4) helper edit ({HELPER})", "helper"),
    ]
    header = (
        "situation",
        "ours s",
        "executor s",
        "mkdocs s",
        "executed",
        "mkdocs-jupyter s",
        "executed",
        "ratio",
    )
    table = [header, tuple("---" for _ in header)]
    for title, key in rows:
        ours_result = res[key]
        base_result = res.get(f"base {key}")
        table.append(
            (
                title,
                f"{ours_result.median:.1f}",
                f"{ours_result.part('posts'):.1f}",
                f"{ours_result.part('mkdocs'):.1f}",
                f"{len(ours_result.executed)}/{n}",
                f"{base_result.median:.1f}" if base_result else "-",
                f"{len(base_result.executed)}/{n}" if base_result else "-",
                f"{ours_result.median / base_result.median:.2f}x" if base_result else "-",
            )
        )
    table.append(("floor: bare `mkdocs build`", f"{floor:.1f}", "-", f"{floor:.1f}", "-", "-", "-", "-"))
    lines = ["| " + " | ".join(row) + " |" for row in table]

    checks = []
    warm = res["warm"].median
    checks.append(
        (
            f"warm rebuild <= {WARM_OVER_FLOOR}x bare mkdocs floor",
            warm <= WARM_OVER_FLOOR * floor,
            f"{warm:.1f} s = {warm / floor:.2f}x of {floor:.1f} s",
        )
    )
    checks.append(
        ("warm rebuild executes 0 posts", not res["warm"].executed, f"{len(res['warm'].executed)} executed")
    )
    prose_executed = {slug for r in res["prose"].runs for slug in r.executed}
    checks.append(
        (
            "prose edit executes 0 posts",
            not prose_executed,
            f"{len(prose_executed)} executed {sorted(prose_executed) or ''}".strip(),
        )
    )
    helper_ok = all(sorted(r.executed) == sorted(dependents) for r in res["helper"].runs)
    checks.append(
        (
            "helper edit executes exactly the posts importing it",
            helper_ok,
            f"{len(res['helper'].executed)} executed, {len(dependents)}/{n} posts import {HELPER}",
        )
    )
    cold = res["cold"].median
    if "base cold" in res:
        base_cold = res["base cold"].median
        checks.append(
            (
                f"cold <= {COLD_OVER_BASELINE}x mkdocs-jupyter cold",
                cold <= COLD_OVER_BASELINE * base_cold,
                f"{cold:.1f} s = {cold / base_cold:.2f}x of {base_cold:.1f} s",
            )
        )
    checks.append((f"whole cold site < {COLD_SECONDS:.0f} s", cold < COLD_SECONDS, f"{cold:.1f} s"))

    print(f"Machine: {machine()}")
    print(f"Date: {started}; load average (1/5/15 min) before {load_before}, after {load_after}")
    arguments = " ".join(argv if argv is not None else sys.argv[1:])
    print(f"Command: .venv/bin/python scripts/bench.py {arguments}".rstrip())
    print(
        f"Posts: {n}; runs per situation: {runs} (cold and helper edit: {cold_runs}); times are medians, "
        "wall clock, in seconds"
    )
    print()
    print("\n".join(lines))
    cold_posts = res["cold"].runs[-1].post_seconds
    if cold_posts:
        slowest = sorted(cold_posts.items(), key=lambda item: -item[1])
        print()
        print(
            f"Cold, seconds per post (kernel start to last cell; {os.cpu_count()} at a time, 1 thread each): "
            + ", ".join(f"{slug} {seconds:.1f}" for slug, seconds in slowest)
        )
    print()
    print(
        f"Ours = scripts/build_posts.py (executor s) + mkdocs build{' --strict' if ours.strict else ''} "
        "(mkdocs s). Ratio = ours / "
        "mkdocs-jupyter in the same situation. mkdocs-jupyter's executed count = its cache misses; its cache "
        "keys on the notebook's bytes only, so a helper edit re-executes nothing there (stale outputs)."
    )
    print()
    print_checks(checks)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "date": started,
                    "load_before": load_before,
                    "load_after": load_after,
                    "runs": runs,
                    "cold_runs": cold_runs,
                    "posts": slugs,
                    "results": {
                        key: [
                            {
                                "seconds": r.seconds,
                                "executed": r.executed,
                                "parts": r.parts,
                                "per_post": r.post_seconds,
                            }
                            for r in value.runs
                        ]
                        for key, value in res.items()
                    },
                    "checks": [{"name": name, "ok": ok, "detail": detail} for name, ok, detail in checks],
                },
                indent=1,
            )
        )
    failed = [name for name, ok, _ in checks if not ok]
    if not args.no_edit_loop:
        print()
        failed += [name for name, ok, _ in edit_loop_report(args)]
    if not args.no_reader:
        print()
        failed += [name for name, ok, _ in reader_report(args)]
    if failed and not args.no_check:
        print(f"bench: {len(failed)} target(s) failed", file=sys.stderr)
        return 1
    return 0


def reader_report(args) -> list[tuple[str, bool, str]]:
    """Run the reader part and print its table and checks; return the failed checks."""
    temp = Path(tempfile.mkdtemp(prefix="bench-reader-"))
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    load_before = load_average()
    try:
        lines, checks, raw = reader(temp, max(1, args.reader_runs))
    finally:
        if args.keep:
            log(f"bench: kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)
    print(
        "Reader: headless Chromium, cold cache per visit, gzip as a static host serves it; medians of "
        f"{max(1, args.reader_runs)} visits"
    )
    print(f"Date: {started}; load average before {load_before}, after {load_average()}")
    print()
    print("\n".join(lines))
    print()
    print_checks(checks)
    if args.json:
        path = args.json.with_name(args.json.stem + "-reader.json")
        path.write_text(json.dumps({"date": started, "visits": raw, "checks": checks}, indent=1))
    return [check for check in checks if not check[1]]


if __name__ == "__main__":
    sys.exit(main())
