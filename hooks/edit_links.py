""" "Edit this page" on a generated page opens its source, posts_src/<slug>.md.

The executor writes docs/blog/posts/<slug>.md and docs/notebooks/<slug>.ipynb
from posts_src/<slug>.md; an edit to those would be overwritten by the next
build. Hand-written pages keep MkDocs' edit URL (edit_uri, under docs/).
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

SOURCES = "posts_src"  # relative to mkdocs.yml
# Pages the executor writes, relative to docs_dir (see scripts/postbuild/build.py Settings).
GENERATED = re.compile(r"(?:blog/posts/[^/]+\.md|notebooks/[^/]+\.ipynb)")


def source_of(src_uri: str, root: Path) -> Path | None:
    """The post source a generated page comes from, if it has one."""
    if not GENERATED.fullmatch(src_uri):
        return None
    stem = PurePosixPath(src_uri).stem
    sources = [root / SOURCES / f"{stem}{suffix}" for suffix in (".md", ".ipynb")]
    return next((source for source in sources if source.is_file()), None)


def on_page_context(context, page, config, **kwargs):
    if not page.edit_url or not config.repo_url:
        return context  # no repository configured, or edit links switched off
    root = Path(config.config_file_path).parent
    source = source_of(page.file.src_uri, root)
    if source is not None:
        # edit_uri points at docs_dir inside the repository; walk from there to the source.
        relative = os.path.relpath(source, config.docs_dir).replace(os.sep, "/")
        page.edit_url = urljoin(urljoin(config.repo_url.rstrip("/") + "/", config.edit_uri), relative)
    return context
