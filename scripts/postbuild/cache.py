"""Execution cache: a post's outputs, keyed on everything its execution depends on.

The key covers the code cells and their tags, the per-cell timeout and memory limit,
every local module the code imports (transitively), requirements.txt, the Python version
and the kernel's setup code and environment. Prose is not in the key: editing prose
re-renders from the cache without running a cell.

An entry is an execution result only: an error found later (rendering, TeX, a limit)
does not touch it. Each post keeps the entry its last good output came from (`good`)
and the newest one, so reverting a change that failed to render executes nothing.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .execute import KERNEL_ENV, SETUP_CODE, memory_limit_code
from .frontmatter import limits_of
from .source import Post, decode

# Bump when the way cells are executed or values are captured changes.
EXECUTOR_VERSION = "1"


def local_imports(code: str, search_dir: Path) -> set[Path]:
    """Files of the modules in `search_dir` that `code` imports, transitively."""
    found: set[Path] = set()
    pending = [code]
    while pending:
        for name in _imported_names(pending.pop()):
            for path in _module_files(name, search_dir):
                if path not in found:
                    found.add(path)
                    pending.append(decode(path.read_bytes(), str(path)))  # BuildError if not UTF-8
    return found


@functools.lru_cache(maxsize=512)
def _imported_names(code: str) -> frozenset[str]:
    # Cached: every post's key (and its notebook) parses the shared helpers again.
    # IPython magics and shell escapes are not Python: blank them before parsing.
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in code.split("\n")]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return frozenset()  # the kernel will report it, with its line
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return frozenset(names)


def _module_files(name: str, search_dir: Path) -> list[Path]:
    module = search_dir / f"{name}.py"
    if module.is_file():
        return [module]
    package = search_dir / name
    if (package / "__init__.py").is_file():
        return sorted(package.rglob("*.py"))
    return []


def cache_key(post: Post, timeout: int, requirements: Path) -> tuple[str, list[Path]]:
    """Return the post's cache key and the local modules it depends on."""
    code = "\n".join(cell.source for cell in post.code_cells)
    modules = sorted(local_imports(code, post.path.parent))
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    add("executor", EXECUTOR_VERSION.encode())
    add("kernel", (SETUP_CODE + json.dumps(KERNEL_ENV, sort_keys=True)).encode())
    add("python", sys.version.encode())
    add("requirements", requirements.read_bytes() if requirements.is_file() else b"")
    add("timeout", str(timeout).encode())
    add("memory", memory_limit_code(limits_of(post).max_memory).encode())
    for cell in post.code_cells:
        add("cell", json.dumps([cell.source, sorted(cell.tags)]).encode())
    for module in modules:
        add("module", str(module.relative_to(post.path.parent)).encode() + b"\0" + module.read_bytes())
    return digest.hexdigest(), modules


class Cache:
    """One JSON file per execution: `<root>/<slug>/<key>.json`, plus `<root>/<slug>/good`."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, slug: str, key: str) -> Path:
        return self.root / slug / f"{key}.json"

    def load(self, slug: str, key: str) -> dict | None:
        path = self.path(slug, key)
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # a damaged entry is a miss, not an error

    def store(self, slug: str, key: str, entry: dict) -> None:
        """Write atomically; keep the last good entry, drop any other older one."""
        path = self.path(slug, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, json.dumps(entry, sort_keys=True))
        self._prune(slug, {key, self._good(slug)})

    def mark_good(self, slug: str, key: str) -> None:
        """The post built from this entry: it is the one to keep; every other entry goes."""
        if self.path(slug, key).is_file():
            if self._good(slug) != key:
                _write(self.root / slug / "good", key)
            self._prune(slug, {key})

    def prune_posts(self, slugs: set[str]) -> list[str]:
        """Remove the entries of posts not in `slugs` (deleted or renamed posts); return their slugs."""
        removed = []
        if self.root.is_dir():
            for folder in sorted(self.root.iterdir()):
                if folder.is_dir() and folder.name not in slugs:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed.append(folder.name)
        return removed

    def _good(self, slug: str) -> str | None:
        try:
            return (self.root / slug / "good").read_text().strip() or None
        except OSError:
            return None

    def _prune(self, slug: str, keep: set[str | None]) -> None:
        for old in (self.root / slug).glob("*.json"):
            if old.stem not in keep:
                old.unlink(missing_ok=True)


def _write(path: Path, text: str) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temp, path)
