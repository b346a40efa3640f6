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

    .venv/bin/python scripts/bench.py [--runs 3] [--cold-runs 1] [--posts a,b] [--no-check]
                                      [--reader-only] [--no-reader] [--reader-runs 3]
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
        for name in ("mkdocs.yml", "requirements.txt", "package.json", "package-lock.json"):
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

# At 390 px: equation numbers outside the viewport (hidden in a scroll box or cut off).
TAGS_OFF_SCREEN = """
(width) => {
  const out = [];
  for (const c of document.querySelectorAll("mjx-container[display]")) {
    if (!c.checkVisibility()) continue;
    for (const tag of c.querySelectorAll("g[data-labels] > g, mjx-labels > mjx-mtd")) {
      const r = tag.getBoundingClientRect();
      if (r.width && (r.right > width + 0.5 || r.left < -0.5)) out.push(tag.textContent || "tag");
    }
  }
  return out;
}
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
            overflow += [
                f"equation number {tag} off-screen"
                for tag in await page.evaluate(TAGS_OFF_SCREEN, viewport["width"])
            ]
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
    args = parser.parse_args(argv)
    runs = max(1, args.runs)
    cold_runs = max(1, args.cold_runs)
    if args.reader_only:
        return reader_main(args, argv)

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
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
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
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
    if args.json:
        path = args.json.with_name(args.json.stem + "-reader.json")
        path.write_text(json.dumps({"date": started, "visits": raw, "checks": checks}, indent=1))
    return [check for check in checks if not check[1]]


def reader_main(args, argv) -> int:
    print(f"Machine: {machine()}")
    arguments = " ".join(argv if argv is not None else sys.argv[1:])
    print(f"Command: .venv/bin/python scripts/bench.py {arguments}".rstrip())
    failed = reader_report(args)
    if failed and not args.no_check:
        print(f"bench: {len(failed)} target(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
