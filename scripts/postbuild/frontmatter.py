"""Validate a post's front matter; every message names the file, line and field."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import BuildError, raise_all
from .source import InvalidDate, Post
from .tex import without_code

REQUIRED = ("title", "date", "authors", "categories", "tags", "description")
OPTIONAL = ("execute", "jupyter", "draft", "code")
# `code:` in the front matter: how a code cell without a display tag of its own appears.
CODE_DISPLAY = {"show": "code-show", "fold": "code-fold", "hide": "remove-input"}
DEFAULT_TIMEOUT = 120


@dataclass(frozen=True)
class Allowed:
    """What front matter may name: the site's authors and categories."""

    authors: frozenset[str]
    categories: frozenset[str]

    @classmethod
    def from_files(cls, authors_file: Path, site_config: Path) -> Allowed:
        """Read author keys from Material's .authors.yml and categories_allowed from mkdocs.yml."""
        authors = (yaml.safe_load(authors_file.read_text()) or {}).get("authors", {})
        config = yaml.load(site_config.read_text(), Loader=_TolerantLoader) or {}
        categories: list[str] = []
        for plugin in config.get("plugins", []):
            if isinstance(plugin, dict):
                for name, options in plugin.items():
                    if name in ("blog", "material/blog") and options:
                        categories = options.get("categories_allowed", [])
        return cls(frozenset(authors), frozenset(categories))


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that reads mkdocs.yml's !!python/name and !ENV tags as None."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


class _EnvLoader(_TolerantLoader):
    """Also resolves `!ENV VAR` and `!ENV [VAR, ..., default]` as MkDocs does."""


def _env(loader: yaml.SafeLoader, node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)
        names, default = (items[:-1], items[-1]) if len(items) > 1 else (items, None)
    return next((os.environ[name] for name in names if name in os.environ), default)


_EnvLoader.add_constructor("!ENV", _env)


def repo_url_of(site_config: Path) -> str | None:
    """The site's repo_url from mkdocs.yml ($REPO_URL when the file reads it with !ENV)."""
    if not site_config.is_file():
        return None
    config = yaml.load(site_config.read_text(), Loader=_EnvLoader) or {}
    return config.get("repo_url") or None


def validate(post: Post, allowed: Allowed, name: str) -> None:
    """Raise BuildError listing every problem of `post`'s front matter (and a `# Title` in its body)."""
    front, lines = post.front, post.field_lines
    errors: list[BuildError] = []

    def fail(field: str, message: str) -> None:
        errors.append(BuildError(name, lines.get(field, 1), f"front matter field '{field}': {message}"))

    for field in front:
        if field not in REQUIRED + OPTIONAL:
            fail(field, f"unknown field (allowed: {', '.join(REQUIRED + OPTIONAL)})")
    for field in REQUIRED:
        if field not in front:
            errors.append(BuildError(name, 1, f"front matter field '{field}' is missing"))

    if "title" in front and (not isinstance(front["title"], str) or not front["title"].strip()):
        fail("title", "must be a non-empty string")
    if "date" in front:
        date = front["date"]
        if isinstance(date, InvalidDate):
            fail("date", f"{date} is not a date ({date.reason})")
        elif not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            fail("date", f"must be a date written YYYY-MM-DD, not {date!r}")
    for field, known in (("authors", allowed.authors), ("categories", allowed.categories)):
        if field not in front:
            continue
        values = front[field]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            fail(field, "must be a non-empty list of strings, e.g. [editors]")
            continue
        unknown = [v for v in values if v not in known]
        if unknown:
            fail(
                field,
                f"unknown {field[:-1] if field == 'authors' else 'category'} "
                f"{', '.join(map(repr, unknown))} (known: {', '.join(sorted(known))})",
            )
    tags = front.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        fail("tags", "must be a list of non-empty strings")
    if "description" in front:
        description = front["description"]
        if not isinstance(description, str) or not 20 <= len(description.strip()) <= 300:
            fail("description", "must be one sentence of 20 to 300 characters")
    if "draft" in front and not isinstance(front["draft"], bool):
        fail("draft", "must be true or false")
    if "code" in front and front["code"] not in CODE_DISPLAY:
        fail(
            "code",
            f"must be one of {', '.join(CODE_DISPLAY)} (how code cells without a tag of their own "
            f"appear), not {front['code']!r}",
        )
    execute = front.get("execute", {})
    if not isinstance(execute, dict):
        fail("execute", f"must be a mapping, e.g. execute: {{timeout: 300}} (settings: {', '.join(EXECUTE)})")
    else:
        for key, value in execute.items():
            if key not in EXECUTE:
                fail("execute", f"unknown setting '{key}' (settings: {', '.join(EXECUTE)})")
                continue
            kind, _ = EXECUTE[key]
            if _parse(kind, value) is None:
                example = "300" if kind != "size" else "'8 MB'"
                fail(
                    "execute",
                    f"{key} must be a positive {_KIND_WORDS[kind]}, e.g. {key}: {example}; not {value!r}",
                )
    errors += title_headings(post, name)
    raise_all(errors)


def title_headings(post: Post, name: str) -> list[BuildError]:
    """A `# Title` in the body: the page already gets its title from the front matter."""
    errors = []
    for cell in post.cells:
        if cell.kind != "markdown":
            continue
        for offset, row in enumerate(without_code(cell.source).split("\n")):
            if H1.match(row):
                errors.append(
                    BuildError(
                        name,
                        cell.line + offset,
                        "a '# ' heading in the body: the page's title comes from the front matter's "
                        "'title' (a second <h1>); delete this line or make it '## ...'",
                    )
                )
    return errors


# Settings under `execute:` in the front matter: kind and default. Sizes are bytes or text like '8 MB'.
EXECUTE = {
    "timeout": ("seconds", DEFAULT_TIMEOUT),  # per cell
    "max_output": ("size", 1_000_000),  # text a post's cells print or display, in total
    "max_figures": ("count", 20),  # figures in a post
    "max_figure_size": ("size", 2_000_000),  # bytes of one figure (SVG text or PNG)
    "max_memory": ("size", 4_000_000_000),  # the kernel's address space (RLIMIT_AS)
}
_KIND_WORDS = {"seconds": "number of seconds", "count": "whole number", "size": "size (bytes, or '8 MB')"}
_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30}
H1 = re.compile(r"^ {0,3}#(?:[ \t]+|$)")


def _parse(kind: str, value: object) -> int | None:
    """A positive setting value as an int (bytes for sizes), or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if kind == "size" and isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", value)
        if match and match[2].upper() in _UNITS:
            number = int(float(match[1]) * _UNITS[match[2].upper()])
            return number if number > 0 else None
    return None


@dataclass(frozen=True)
class Limits:
    """What one post may use; the front matter's `execute:` overrides the defaults."""

    timeout: int
    max_output: int
    max_figures: int
    max_figure_size: int
    max_memory: int


def limits_of(post: Post) -> Limits:
    """The post's limits (its front matter validated)."""
    execute = post.front.get("execute") or {}
    return Limits(
        **{key: _parse(kind, execute.get(key, default)) for key, (kind, default) in EXECUTE.items()}
    )


def timeout_of(post: Post) -> int:
    """Per-cell timeout in seconds for `post`."""
    return limits_of(post).timeout


def human_size(size: float) -> str:
    """A byte count as text: 1.5 MB, 820 kB, 12 B."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{int(size)} B"
