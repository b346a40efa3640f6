"""During `mkdocs serve`, execute the posts when posts_src/ changes; MkDocs then rebuilds once.

At startup the executor (scripts/build_posts.py) runs before the first build.
Afterwards this hook, not MkDocs, watches posts_src/: saving a post or a helper
runs the executor, which executes only the posts whose code or imported helpers
changed, re-renders a prose edit from the cache, and rewrites only the generated
files whose bytes changed. When only posts were saved, only those posts are read
and rendered (`build_posts.py <slug> ...`): a save costs the same with 10 posts or
100; a helper saved, or a post added, deleted or renamed, runs the whole executor.
Those writes under docs/ trigger MkDocs' one rebuild
and the browser reload. (Were posts_src/ watched by MkDocs, each save would cost
two rebuilds: one before the executor's output, one after it.) A failing post is
reported with file:line and its last good page stays served.

`mkdocs build` does not run this hook: the Makefile runs the executor first.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import watchdog.events

SOURCES = "posts_src"  # relative to mkdocs.yml
QUIET = 0.3  # seconds without further changes before executing: editors save in several steps

_serving = False
_root: Path | None = None


def on_startup(command: str, **kwargs) -> None:
    global _serving
    _serving = command == "serve"


def run_executor(root: Path, slugs: list[str] | None = None) -> None:
    """Run the executor (on `slugs` only, if given), in this process when serving from the
    repository's root (the Makefile's way): no interpreter start and imports per save."""
    started = time.perf_counter()
    args = sorted(slugs or [])
    if Path.cwd().resolve() == root.resolve():
        scripts = str(root / "scripts")
        if scripts not in sys.path:
            sys.path.insert(0, scripts)
        from postbuild.build import main

        try:
            status = main(args)
        except Exception as error:  # the server must outlive a broken executor
            print(
                f"posts: the executor crashed: {type(error).__name__}: {error}", file=sys.stderr, flush=True
            )
            status = 1
    else:
        status = subprocess.run([sys.executable, "scripts/build_posts.py", *args], cwd=root).returncode
    if status != 0:
        print("posts: build failed (see above); serving the last good output", file=sys.stderr, flush=True)
    else:
        print(f"posts: ready in {time.perf_counter() - started:.1f} s", flush=True)


def on_pre_build(config, **kwargs) -> None:
    global _root
    if not _serving or _root is not None:
        return  # later builds: the watcher below has already run the executor
    _root = Path(config.config_file_path).parent
    run_executor(_root)


def is_source(path: str) -> bool:
    """A post or helper module; not editor backups, caches or checkpoints."""
    parts = Path(path).parts
    return path.endswith((".md", ".ipynb", ".py")) and not any(
        part.startswith(".") or part == "__pycache__" or part.endswith("~") for part in parts
    )


def post_files(root: Path) -> set[str]:
    return {
        path.name
        for path in (root / SOURCES).glob("*")
        if path.suffix in (".md", ".ipynb") and not path.name.startswith(".")
    }


def changed_posts(root: Path, paths: set[str]) -> list[str] | None:
    """The slugs of the saved posts, or None if the whole executor must run: a helper module
    changed (posts import it), or a post was deleted (its outputs must go). A post created or
    renamed changes `post_files`, which the caller compares."""
    sources = (root / SOURCES).resolve()
    slugs = set()
    for path in paths:
        path = Path(path)
        if path.suffix not in (".md", ".ipynb") or path.parent.resolve() != sources or not path.is_file():
            return None
        slugs.add(path.stem)
    return sorted(slugs) or None


class Executor(threading.Thread):
    """Runs the executor after changes, once per burst of changes, never two at a time."""

    def __init__(self, root: Path):
        super().__init__(name="execute-posts", daemon=True)
        self.root = root
        self.changed = threading.Condition()
        self.last_change: float | None = None
        self.paths: set[str] = set()  # what changed since the last run
        self.posts = post_files(root)  # the posts there were at the last run

    def notify(self, *paths: str) -> None:
        with self.changed:
            self.last_change = time.monotonic()
            self.paths.update(paths or [""])  # no path: run the whole executor
            self.changed.notify()

    def run(self) -> None:
        while True:
            with self.changed:
                self.changed.wait_for(lambda: self.last_change is not None)
                while time.monotonic() - self.last_change < QUIET:
                    self.changed.wait(QUIET)
                self.last_change = None
                paths, self.paths = self.paths, set()
            posts, self.posts = self.posts, post_files(self.root)
            slugs = changed_posts(self.root, paths) if posts == self.posts else None
            run_executor(self.root, slugs)


def on_serve(server, config, builder, **kwargs):
    if _root is None:
        return server
    executor = Executor(_root)
    executor.start()

    def on_any_event(event) -> None:
        paths = [str(path) for path in (event.src_path, getattr(event, "dest_path", "")) if path]
        sources = [path for path in paths if is_source(path)]
        if not event.is_directory and sources:
            executor.notify(*sources)

    handler = watchdog.events.FileSystemEventHandler()
    handler.on_any_event = on_any_event
    server.observer.schedule(handler, str(_root / SOURCES), recursive=True)
    return server
