"""Validate a post's front matter; every message names the file, line and field."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import BuildError
from .source import Post

REQUIRED = ("title", "date", "authors", "categories", "tags", "description")
OPTIONAL = ("execute", "jupyter", "draft")
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
    """Raise BuildError for the first problem in `post.front`."""
    front, lines = post.front, post.field_lines

    def fail(field: str, message: str) -> None:
        raise BuildError(name, lines.get(field, 1), f"front matter field '{field}': {message}")

    for field in front:
        if field not in REQUIRED + OPTIONAL:
            fail(field, f"unknown field (allowed: {', '.join(REQUIRED + OPTIONAL)})")
    for field in REQUIRED:
        if field not in front:
            raise BuildError(name, 1, f"front matter field '{field}' is missing")

    if not isinstance(front["title"], str) or not front["title"].strip():
        fail("title", "must be a non-empty string")
    if not isinstance(front["date"], dt.date) or isinstance(front["date"], dt.datetime):
        fail("date", f"must be a date written YYYY-MM-DD, not {front['date']!r}")
    for field, known in (("authors", allowed.authors), ("categories", allowed.categories)):
        values = front[field]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            fail(field, "must be a non-empty list of strings, e.g. [editors]")
        unknown = [v for v in values if v not in known]
        if unknown:
            fail(
                field,
                f"unknown {field[:-1] if field == 'authors' else 'category'} "
                f"{', '.join(map(repr, unknown))} (known: {', '.join(sorted(known))})",
            )
    tags = front["tags"]
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        fail("tags", "must be a list of non-empty strings")
    description = front["description"]
    if not isinstance(description, str) or not 20 <= len(description.strip()) <= 300:
        fail("description", "must be one sentence of 20 to 300 characters")
    if "draft" in front and not isinstance(front["draft"], bool):
        fail("draft", "must be true or false")
    execute = front.get("execute", {})
    if not isinstance(execute, dict) or set(execute) - {"timeout"}:
        fail("execute", "only 'timeout' may be set here, e.g. execute: {timeout: 300}")
    timeout = execute.get("timeout", DEFAULT_TIMEOUT)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
        fail("execute", f"timeout must be a positive number of seconds, not {timeout!r}")


def timeout_of(post: Post) -> int:
    """Per-cell timeout in seconds for `post`."""
    return (post.front.get("execute") or {}).get("timeout", DEFAULT_TIMEOUT)
