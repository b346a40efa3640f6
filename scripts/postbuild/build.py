"""Build the posts: validate, execute what the cache lacks (in parallel), render, check, then sync.

1. Every post is read and validated (front matter, cell options, a summary line); a post
   that fails here is reported and never starts a kernel.
2. Posts without a cache entry for their key (code, helpers, limits, requirements: see
   cache.py) are executed in worker processes, one kernel per post; each result is cached
   the moment it finishes, also when another post fails or the build is interrupted.
3. Each post is rendered from its entry and checked: output limits, claims, `{{ }}`
   values, figures' alt text, then every formula with MathJax.
4. The output folders are synced, rewriting only files whose bytes changed: posts that
   passed every step get their new output, a post that failed keeps its previous output
   (and its last good cache entry), and outputs of deleted posts are removed with their
   cache entries. An interrupted build (Ctrl-C) writes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

import yaml

from . import render as render_module
from .cache import Cache, cache_key
from .errors import BuildError
from .execute import check_limits, execute_post, worker_init
from .frontmatter import Allowed, limits_of, repo_url_of, timeout_of, validate
from .lock import run_locked
from .render import EXCERPT_MARK, Renderer, checks_page
from .source import Post, locate_line, post_paths, read_post
from .tex import check_tex

# Each post should execute within this on a 2-core machine (reported, not enforced:
# a loaded machine can exceed it; the per-cell timeout is the hard limit).
POST_BUDGET_SECONDS = 30
STOP_SECONDS = 1.5  # after Ctrl-C, how long workers get to kill their kernels before being killed


@dataclass
class Settings:
    src: Path  # posts_src/
    docs: Path  # docs/ of the site
    cache: Path
    requirements: Path
    allowed: Allowed
    jobs: int = os.cpu_count() or 1
    posts_dir: str = "blog/posts"  # where posts go, inside docs
    notebooks_dir: str = "notebooks"  # where executed notebooks go, inside docs
    repo_url: str | None = None  # GitHub repository the site deploys from: "Open in Colab" links
    tex_config: Path | None = None  # MathJax config whose macros the TeX check uses (None: no check)
    mathjax: Path = Path("node_modules/mathjax")


@dataclass
class Report:
    executed: list[str]
    cached: list[str]
    errors: list[BuildError]
    interrupted: bool = False
    stopped: list[str] = field(default_factory=list)  # posts whose execution an interrupt stopped
    pruned: list[str] = field(default_factory=list)  # deleted posts whose cache entries were removed

    @property
    def ok(self) -> bool:
        return not self.errors and not self.interrupted


def display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def check_body(post: Post, name: str) -> None:
    """What can be checked before executing: a post has a body with a summary line."""
    if any(EXCERPT_MARK in cell.source for cell in post.cells if cell.kind == "markdown"):
        return
    if post.path.suffix == ".md":
        line = _body_line(post.path)
    else:  # a notebook: the first cell after its front matter
        line = post.cells[0].line if post.cells else None
    if not post.cells:
        raise BuildError(
            name, line, "the post has no body: write its summary, a '<!-- more -->' line, then the post"
        )
    raise BuildError(name, line, "the post has no '<!-- more -->' line after its summary")


def _body_line(path: Path) -> int:
    """The first line after the front matter."""
    lines = path.read_bytes().split(b"\n")
    return next((i + 2 for i in range(1, len(lines)) if lines[i].strip() == b"---"), 1)


def build(settings: Settings, only: list[str] | None = None, log=print) -> Report:
    """Build the posts (or `only` those slugs); a failed post's previous output is kept."""
    report = Report([], [], [])
    posts: list[tuple[Post, str, str]] = []  # post, display name, cache key
    all_paths = post_paths(settings.src)
    paths = all_paths
    if only:
        unknown = sorted(set(only) - {path.stem for path in paths})
        if unknown:
            known = [path.stem for path in paths]
            hints = [
                f"{slug} (did you mean {', '.join(close)}?)"
                if (close := get_close_matches(slug, known, 2))
                else slug
                for slug in unknown
            ]
            message = (
                f"no such post: {'; '.join(hints)}. A post is posts_src/<slug>.md or posts_src/<slug>.ipynb; "
                f"give slugs without the extension ({len(known)} posts: {', '.join(known)})"
            )
            report.errors.append(BuildError(settings.src, None, message))
            return report
        paths = [path for path in paths if path.stem in only]
    read: dict[str, Post] = {}  # display name -> post, for notebook posts' error locations
    for path in paths:
        name = display_name(path)
        try:
            post = read[name] = read_post(path, name)
            validate(post, settings.allowed, name)
            check_body(post, name)
            key, _ = cache_key(post, timeout_of(post), settings.requirements)
            posts.append((post, name, key))
        except BuildError as error:
            report.errors += error.errors

    cache = Cache(settings.cache)
    if not only:
        report.pruned = cache.prune_posts({path.stem for path in all_paths})
    entries: dict[str, dict] = {}
    pending = []
    for post, name, key in posts:
        entry = cache.load(post.slug, key)
        if entry is None:
            pending.append((post, name, key))
        else:
            entries[post.slug] = entry
            report.cached.append(post.slug)
    if pending:
        log(f"executing {len(pending)} post(s) on {min(settings.jobs, len(pending))} worker(s) ...")
        _execute(pending, settings.jobs, cache, entries, report, log)
        if report.interrupted:
            return report

    rendered: dict[str, dict[str, bytes]] = {}  # slug -> output files
    math: dict[str, list] = {}  # display name -> formulas
    render_module.CHART_CACHE = settings.cache  # compiled charts, next to the entries (files, not folders)
    for post, name, _ in posts:
        if post.slug in entries:
            try:
                limit_errors = check_limits(entries[post.slug]["cells"], post, name, limits_of(post))
                if limit_errors:
                    report.errors += limit_errors
                    continue
                renderer = Renderer(
                    post,
                    entries[post.slug],
                    name,
                    settings.posts_dir,
                    settings.notebooks_dir,
                    settings.repo_url,
                )
                rendered[post.slug] = renderer.render()
                math[name] = renderer.math
            except BuildError as error:
                report.errors += error.errors
    if settings.tex_config is not None and math:
        tex_errors = check_tex(math, settings.tex_config, settings.mathjax, cache=settings.cache)
        report.errors += tex_errors
        failed = {error.path for error in tex_errors}
        rendered = {
            post.slug: rendered[post.slug]
            for post, name, _ in posts
            if post.slug in rendered and name not in failed
        }
    for post, _, key in posts:
        if post.slug in rendered:
            cache.mark_good(post.slug, key)
    if not only and not report.errors:  # every post rendered: compiled charts no post uses go
        for old in settings.cache.glob("chart-*.json"):
            if old.name not in render_module.charts_used:
                old.unlink(missing_ok=True)
    files = {path: data for outputs in rendered.values() for path, data in outputs.items()}
    # Posts that failed (or were not selected) keep whatever output they had.
    built = set(rendered)
    kept = {path.stem for path in all_paths} - built
    if kept:
        # Helper modules published next to the notebooks (notebooks/<module>.py) may be needed
        # by a kept post's notebook: only a build of every post decides which are unused.
        kept |= {path.stem for path in settings.src.glob("*.py")}
    with _signals_deferred():  # an interrupt now would leave half the files written
        for folder in (settings.posts_dir, settings.notebooks_dir):
            prefix = folder + "/"
            sync_folder(
                settings.docs / folder,
                {path[len(prefix) :]: data for path, data in files.items() if path.startswith(prefix)},
                kept,
            )
        write_checks_page(settings)
    _locate_in_notebooks(report, read)
    return report


def _locate_in_notebooks(report: Report, read: dict[str, Post]) -> None:
    """A notebook post's errors name its cell, not a line of its Markdown form."""
    for error in report.errors:
        post = read.get(error.path)
        error.where = error.where or locate_line(post and post.notebook_lines, error.line)


def _execute(pending, jobs: int, cache: Cache, entries: dict, report: Report, log) -> None:
    """Execute `pending` posts in worker processes; on Ctrl-C stop every kernel within seconds."""
    pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(pending))), initializer=worker_init)
    futures = {}
    try:
        # The workers are forked during the first submit: they start with Ctrl-C blocked, and
        # ignore it once their initializer runs (it is this process's to handle).
        with _signals_deferred():
            for post, name, key in pending:
                futures[pool.submit(execute_post, post, name, timeout_of(post))] = (post, name, key)
        for future in as_completed(futures):
            post, name, key = futures[future]
            try:
                entry = future.result()
            except BuildError as error:
                report.errors += error.errors
                log(f"  FAILED    {name}")
                continue
            cache.store(post.slug, key, entry)
            entries[post.slug] = entry
            report.executed.append(post.slug)
            over = "  over the 30 s budget per post" if entry["seconds"] > POST_BUDGET_SECONDS else ""
            log(f"  executed  {name}  ({entry['seconds']:.1f} s){over}")
    except KeyboardInterrupt:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop the cleanup
        _stop_pool(pool)
        signal.signal(signal.SIGINT, previous)
        report.interrupted = True
        report.stopped = sorted(post.slug for post, _, _ in pending if post.slug not in entries)
    else:
        pool.shutdown()


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel queued posts; SIGTERM makes each worker kill its kernel's process group and exit."""
    processes = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(0.5)


class _signals_deferred:
    """Hold SIGINT and SIGTERM until the block ends (they are delivered then)."""

    def __enter__(self):
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})

    def __exit__(self, *exc):
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def write_checks_page(settings: Settings) -> None:
    """docs/checks.md: every post's claims, from the ledgers the posts' renders left."""
    folder = settings.docs / settings.posts_dir
    ledgers = {
        path.parent.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*/claims.json"))
    }
    text = checks_page(ledgers, settings.posts_dir).encode()
    target = settings.docs / "checks.md"
    if not target.is_file() or target.read_bytes() != text:
        target.write_bytes(text)


def _owner(relative: str) -> str:
    """The slug a generated file belongs to: `<slug>.md`, `<slug>.ipynb` or `<slug>/...`."""
    first = relative.split("/", 1)[0]
    return first.rsplit(".", 1)[0] if "/" not in relative else first


def sync_folder(folder: Path, files: dict[str, bytes], kept: set[str] = frozenset()) -> None:
    """Make `folder` hold exactly `files` (leaving the files of `kept` slugs), rewriting only what changed."""
    folder.mkdir(parents=True, exist_ok=True)
    for relative, data in files.items():
        target = folder / relative
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temp, target)
    for existing in sorted(folder.rglob("*"), reverse=True):
        relative = existing.relative_to(folder).as_posix()
        if existing.is_file() and relative not in files and _owner(relative) not in kept:
            existing.unlink()
        elif existing.is_dir() and not any(existing.iterdir()):
            existing.rmdir()


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="build_posts", description=__doc__)
    parser.add_argument("--src", type=Path, default=Path("posts_src"))
    parser.add_argument("--docs", type=Path, default=Path("docs"))
    parser.add_argument("--cache", type=Path, default=Path(".cache/posts"))
    parser.add_argument("--requirements", type=Path, default=Path("requirements.txt"))
    parser.add_argument("--authors", type=Path, default=Path("docs/blog/.authors.yml"))
    parser.add_argument("--site-config", type=Path, default=Path("mkdocs.yml"))
    parser.add_argument(
        "--repo-url",
        help="GitHub repository URL for Colab links (default: repo_url of "
        "--site-config, which reads $REPO_URL)",
    )
    parser.add_argument(
        "--tex-config",
        type=Path,
        default=Path("docs/javascripts/mathjax-config.js"),
        help="MathJax config whose TeX macros the formula check uses",
    )
    parser.add_argument("--mathjax", type=Path, default=Path("node_modules/mathjax"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--lock",
        type=Path,
        default=Path(".build/lock"),
        help="held while building: builds in one checkout wait for each other",
    )
    parser.add_argument("only", nargs="*", metavar="SLUG", help="build only these posts (default: all)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    with sigterm_interrupts():
        return run_locked(
            args.lock, "posts", "interrupted; no output was half-written", lambda: _main(args, started)
        )


@contextlib.contextmanager
def sigterm_interrupts():
    """SIGTERM (CI cancelling, `kill`) stops a build like Ctrl-C: kernels stopped, one line.

    Only in the main thread (`make serve` runs the build in its own threads too).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def exit_code(code: int) -> int:
    """For the command-line entry points: after an interrupt, exit at once, skipping the
    process pool's exit handlers (they wait seconds for the stopped workers' pipes)."""
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    return code


def _main(args, started: float) -> int:
    try:
        allowed = Allowed.from_files(args.authors, args.site_config)
    except (OSError, yaml.YAMLError) as error:
        print(f"posts: cannot read the site's authors and categories: {error}", file=sys.stderr)
        return 1
    settings = Settings(
        src=args.src,
        docs=args.docs,
        cache=args.cache,
        requirements=args.requirements,
        allowed=allowed,
        jobs=args.jobs,
        repo_url=args.repo_url or repo_url_of(args.site_config),
        tex_config=args.tex_config,
        mathjax=args.mathjax,
    )
    report = build(settings, only=args.only, log=lambda message: print(message, flush=True))
    elapsed = time.perf_counter() - started
    if report.interrupted:
        print(
            f"posts: interrupted after {elapsed:.1f} s: {len(report.executed)} post(s) finished and cached, "
            f"{len(report.stopped)} stopped; docs/ left as it was",
            file=sys.stderr,
        )
        return 130
    for error in report.errors:
        print(error, file=sys.stderr)
    if not report.ok:
        print(
            f"posts: {len(report.errors)} error(s); the failed posts' previous output is left as it was",
            file=sys.stderr,
        )
        return 1
    print(f"posts: {len(report.executed)} executed, {len(report.cached)} from cache ({elapsed:.1f} s)")
    return 0
