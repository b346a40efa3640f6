"""During `mkdocs serve`, execute the posts when posts_src/ changes; MkDocs then rebuilds once.

At startup the executor (scripts/build_posts.py) runs before the first build.
Afterwards this hook, not MkDocs, watches posts_src/: saving a post or a helper
runs the executor, which executes only the posts whose code or imported helpers
changed, re-renders a prose edit from the cache, and rewrites only the generated
files whose bytes changed. Those writes under docs/ trigger MkDocs' one rebuild
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


def run_executor(root: Path) -> None:
    """Run the executor, in this process when serving from the repository's root (the Makefile's
    way): no interpreter start and imports per save, about a second."""
    started = time.perf_counter()
    if Path.cwd().resolve() == root.resolve():
        scripts = str(root / "scripts")
        if scripts not in sys.path:
            sys.path.insert(0, scripts)
        from postbuild.build import main

        try:
            status = main([])
        except Exception as error:  # the server must outlive a broken executor
            print(
                f"posts: the executor crashed: {type(error).__name__}: {error}", file=sys.stderr, flush=True
            )
            status = 1
    else:
        status = subprocess.run([sys.executable, "scripts/build_posts.py"], cwd=root).returncode
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


class Executor(threading.Thread):
    """Runs the executor after changes, once per burst of changes, never two at a time."""

    def __init__(self, root: Path):
        super().__init__(name="execute-posts", daemon=True)
        self.root = root
        self.changed = threading.Condition()
        self.last_change: float | None = None

    def notify(self) -> None:
        with self.changed:
            self.last_change = time.monotonic()
            self.changed.notify()

    def run(self) -> None:
        while True:
            with self.changed:
                self.changed.wait_for(lambda: self.last_change is not None)
                while time.monotonic() - self.last_change < QUIET:
                    self.changed.wait(QUIET)
                self.last_change = None
            run_executor(self.root)


def on_serve(server, config, builder, **kwargs):
    if _root is None:
        return server
    executor = Executor(_root)
    executor.start()

    def on_any_event(event) -> None:
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if not event.is_directory and any(path and is_source(str(path)) for path in paths):
            executor.notify()

    handler = watchdog.events.FileSystemEventHandler()
    handler.on_any_event = on_any_event
    server.observer.schedule(handler, str(_root / SOURCES), recursive=True)
    return server
