"""Compile the theme's Jinja templates once, not on every build.

MkDocs makes a new Jinja environment for every build (and `mkdocs serve` for every
rebuild), which compiles Material's ~60 templates from their source again: about a
second of a build on this machine. Jinja's bytecode cache keeps the compiled templates
in .cache/jinja/, keyed by each template's name and source checksum (and Python's
version), so a changed template is compiled again and an unchanged one is loaded.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

CACHE_DIR = Path(".cache/jinja")  # relative to mkdocs.yml


def on_env(env, config, **kwargs):
    if env.bytecode_cache is None:
        folder = Path(config.config_file_path).parent / CACHE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
    return env
