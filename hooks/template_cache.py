"""Compile the theme's Jinja templates once, not on every build; list the installed theme once.

MkDocs makes a new Jinja environment for every build (and `mkdocs serve` for every
rebuild; Material's plugins make more, to translate their labels), which compiles
Material's ~60 templates from their source again: about a second of a build on this
machine. Jinja's bytecode cache keeps the compiled templates in .cache/jinja/, keyed by
each template's name and source checksum (and Python's version), so a changed template
is compiled again and an unchanged one is loaded.

MkDocs also lists every file of the theme on each build (to copy its assets): Material's
folder holds ~14,000 icons, 0.3 s a listing. The installed theme's listing (a folder under
site-packages, which no edit changes) is kept for the life of the process, which matters
to `mkdocs serve`; the project's own overrides/ is listed afresh each time.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2
from mkdocs.theme import Theme

CACHE_DIR = Path(".cache/jinja")  # relative to mkdocs.yml

_folder: Path | None = None
_get_env = Theme.get_env
_list_templates = jinja2.FileSystemLoader.list_templates
_listed: dict[tuple, list[str]] = {}


@functools.wraps(_get_env)
def _get_env_cached(self, *args, **kwargs):
    env = _get_env(self, *args, **kwargs)
    if _folder is not None and env.bytecode_cache is None:
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(_folder))
    return env


@functools.wraps(_list_templates)
def _list_templates_kept(self):
    found: set[str] = set()
    for path in self.searchpath:
        if "site-packages" in Path(path).parts:
            key = (str(path), self.followlinks)
            if key not in _listed:
                _listed[key] = _list_templates(jinja2.FileSystemLoader(path, self.encoding, self.followlinks))
            found.update(_listed[key])
        else:
            found.update(_list_templates(jinja2.FileSystemLoader(path, self.encoding, self.followlinks)))
    return sorted(found)


def on_startup(**kwargs) -> None:
    Theme.get_env = _get_env_cached
    jinja2.FileSystemLoader.list_templates = _list_templates_kept


def on_config(config, **kwargs):
    global _folder
    _folder = Path(config.config_file_path).parent / CACHE_DIR
    _folder.mkdir(parents=True, exist_ok=True)
    return config
