"""Broken links in posts are reported at their source: `posts_src/<slug>.md:<line>`.

MkDocs validates links and anchors (`validation:` in mkdocs.yml; with --strict a
warning fails the build), but it names the generated page, docs/blog/posts/<slug>.md,
which a contributor never edits. This hook rewrites those warnings to name the post's
source file and the line that holds the link. The level is kept, so --strict still counts them.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

SOURCES = "posts_src"  # relative to mkdocs.yml
GENERATED_POST = re.compile(
    r"^Doc file 'blog/posts/(?P<slug>[^/']+)\.md' contains (?:an? )?(?:\w+ )*?link '(?P<link>[^']*)'"
)


class SourceLines(logging.Filter):
    def __init__(self, root: Path):
        super().__init__()
        self.root = root

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        match = GENERATED_POST.match(message)
        if match and record.levelno >= logging.WARNING:
            source = self.root / SOURCES / f"{match['slug']}.md"
            if not source.is_file():
                source = source.with_suffix(".ipynb")  # a notebook post: named, without a line
            line = line_of_link(source, match["link"]) if source.suffix == ".md" else None
            where = f"{SOURCES}/{source.name}" + (f":{line}" if line else "")
            problem = message[match.end() :].lstrip(", ").removeprefix("but ")
            record.msg, record.args = f"{where}: broken link '{match['link']}': {problem}", None
        return True


def line_of_link(source: Path, link: str) -> int | None:
    """The first line of `source` whose Markdown or HTML link points at `link`."""
    if not source.is_file():
        return None
    lines = source.read_text(encoding="utf-8", errors="replace").split("\n")
    for pattern in (f"]({link})", f"]({link} ", f'href="{link}"', f"]: {link}", link):
        for number, text in enumerate(lines, start=1):
            if pattern in text:
                return number
    return None


_filter: SourceLines | None = None


def on_config(config, **kwargs):
    global _filter
    logger = logging.getLogger("mkdocs.structure.pages")
    if _filter is not None:
        logger.removeFilter(_filter)
    _filter = SourceLines(Path(config.config_file_path).parent)
    logger.addFilter(_filter)
    return config
