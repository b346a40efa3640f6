"""Build every post: validate, execute what the cache lacks (in parallel), render, then sync.

Nothing in the output folders changes unless every post succeeded, and then
only files whose bytes changed are rewritten (so a live-reload server sees no
spurious changes, and a failed build leaves the last good output in place).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path

from .cache import Cache, cache_key
from .errors import BuildError
from .execute import execute_post
from .frontmatter import Allowed, repo_url_of, timeout_of, validate
from .render import Renderer, checks_page
from .source import Post, locate_line, post_paths, read_post
from .tex import check_tex

# Each post should execute within this on a 2-core machine (reported, not enforced:
# a loaded machine can exceed it; the per-cell timeout is the hard limit).
POST_BUDGET_SECONDS = 30


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

    @property
    def ok(self) -> bool:
        return not self.errors


def display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def build(settings: Settings, only: list[str] | None = None, log=print) -> Report:
    """Build the posts (or `only` those slugs); a failed post's previous output is kept."""
    report = Report([], [], [])
    posts: list[tuple[Post, str, str]] = []  # post, display name, cache key
    paths = post_paths(settings.src)
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
    for path in paths:
        name = display_name(path)
        try:
            post = read_post(path, name)
            validate(post, settings.allowed, name)
            key, _ = cache_key(post, timeout_of(post), settings.requirements)
            posts.append((post, name, key))
        except BuildError as error:
            report.errors.append(error)

    cache = Cache(settings.cache)
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
        with ProcessPoolExecutor(max_workers=max(1, min(settings.jobs, len(pending)))) as pool:
            futures = [
                (post, name, key, pool.submit(execute_post, post, name, timeout_of(post)))
                for post, name, key in pending
            ]
            for post, name, key, future in futures:
                try:
                    entry = future.result()
                except BuildError as error:
                    report.errors.append(error)
                    log(f"  FAILED    {name}")
                    continue
                cache.store(post.slug, key, entry)
                entries[post.slug] = entry
                report.executed.append(post.slug)
                over = "  over the 30 s budget per post" if entry["seconds"] > POST_BUDGET_SECONDS else ""
                log(f"  executed  {name}  ({entry['seconds']:.1f} s){over}")

    rendered: dict[str, dict[str, bytes]] = {}  # slug -> output files
    math: dict[str, list] = {}  # display name -> formulas
    for post, name, _ in posts:
        if post.slug in entries:
            try:
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
                report.errors.append(error)
    if settings.tex_config is not None and math:
        tex_errors = check_tex(math, settings.tex_config, settings.mathjax, cache=settings.cache)
        report.errors += tex_errors
        failed = {error.path for error in tex_errors}
        rendered = {
            post.slug: rendered[post.slug]
            for post, name, _ in posts
            if post.slug in rendered and name not in failed
        }
    files = {path: data for outputs in rendered.values() for path, data in outputs.items()}
    # Posts that failed (or were not selected) keep whatever output they had.
    built = set(rendered)
    kept = {path.stem for path in post_paths(settings.src)} - built
    for folder in (settings.posts_dir, settings.notebooks_dir):
        prefix = folder + "/"
        sync_folder(
            settings.docs / folder,
            {path[len(prefix) :]: data for path, data in files.items() if path.startswith(prefix)},
            kept,
        )
    write_checks_page(settings)
    by_name = {name: post for post, name, _ in posts}
    for error in report.errors:  # a notebook post's errors name its cell, not a line of its Markdown form
        post = by_name.get(error.path)
        error.where = error.where or locate_line(post and post.notebook_lines, error.line)
    return report


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
    parser.add_argument("only", nargs="*", metavar="SLUG", help="build only these posts (default: all)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    settings = Settings(
        src=args.src,
        docs=args.docs,
        cache=args.cache,
        requirements=args.requirements,
        allowed=Allowed.from_files(args.authors, args.site_config),
        jobs=args.jobs,
        repo_url=args.repo_url or repo_url_of(args.site_config),
        tex_config=args.tex_config,
        mathjax=args.mathjax,
    )
    report = build(settings, only=args.only)
    for error in report.errors:
        print(error, file=sys.stderr)
    elapsed = time.perf_counter() - started
    if not report.ok:
        print(
            f"posts: {len(report.errors)} error(s); the failed posts' previous output is left as it was",
            file=sys.stderr,
        )
        return 1
    print(f"posts: {len(report.executed)} executed, {len(report.cached)} from cache ({elapsed:.1f} s)")
    return 0
