"""`make serve` rebuilds only the pages a save changed (`mkdocs serve --dirty`), exactly.

A full rebuild per save costs the whole site (48 s with 100 posts on 2 cores). MkDocs'
dirty build reads and writes only pages whose source is newer than their output, which
for a post edit is the post, its notebook page and perhaps the checks page. On its own
it gets some things wrong; this hook makes every page it writes the page a full build
writes, and falls back to a full build when a save changes more than those pages:

- **--strict**: MkDocs warns on every dirty build ("A 'dirty' build is being performed"),
  which --strict would turn into a failed build. That one message is dropped.
- **What counts as changed.** Every input is compared with the start of the previous
  build. Only pages (Markdown or notebooks under docs/, not blog views) may change for a
  build to stay incremental; anything else (the config, overrides/, a page added or
  removed, the blog index's own source) makes the build full: every page is rebuilt.
- **Blog views** (index, archive, category pages) list every post's excerpt, which a
  dirty build renders only for the posts it rebuilds: Material's blog plugin would write
  them listing only the edited post. They are left as the last build wrote them. If a
  rebuilt post's part of them changed (its front matter, its text above `<!-- more -->`,
  its reading time), a full rebuild follows at once: the edited page shows after the fast
  build, the views a full build later.
- **Pages not rebuilt** keep what their last render gave the others: their title (in the
  navigation, and on posts as their categories' names), table of contents, front matter
  and anchors, so a rebuilt page's links into other posts are checked as a full build
  checks them. (A page that links to an anchor the save removed is not re-checked:
  `make site` does.)
- **Caches**: mkdocs-jupyter deletes the cache entries a build did not use, which after a
  dirty build is every notebook but one: they are kept.
- **Search**: Material's plugin merges a dirty build's entries by its first page only
  (two rebuilt pages leave duplicates); here they are merged page by page, in a full
  build's order; the tags plugin's tags.json likewise. hooks/rss.py keeps the feed items
  of posts not rebuilt.

Told the build is dirty, Material's blog plugin also skips resolving anchors in a post's
`links:` front matter (on every build of the server, the first included). No post uses
`links:`; a post that did would be previewed with those links lacking their anchors.

`mkdocs build` (make site, CI) never runs dirty: this hook does nothing there.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from mkdocs.plugins import event_priority

EXCERPT_SEPARATOR = "<!-- more -->"

_dirty = False  # `mkdocs serve --dirty`
_server = None  # the LiveReloadServer, to ask for the follow-up full build
_state: dict = {
    "last_start": None,  # wall-clock start of the previous build (mtime comparisons)
    "pages": None,  # set of page sources in the previous build
    "rendered": {},  # src_uri -> what the last render of that page gave (RENDERED)
    "views": {},  # post src_uri -> what the blog views show of it
    "search": None,  # the previous build's search entries, in order
    "tags": None,  # the previous build's tag mappings (tags.json), page URL -> mapping
    "full_next": False,  # a full build was requested by the previous build
}
_build: dict = {}  # this build: "full", "start", "rebuilt"

# What reading and rendering a page give that other pages use: its title (navigation, the
# category links of posts; MkDocs gives no title to a page whose source it has not read),
# front matter, table of contents and anchors (the link check).
RENDERED = ("markdown", "meta", "_title_from_render", "toc", "present_anchor_ids")


class _DropDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


_filter = _DropDirtyWarning()


def on_startup(command: str, dirty: bool = False, **kwargs) -> None:
    global _dirty
    _dirty = command == "serve" and dirty
    if _dirty:
        logging.getLogger("mkdocs.commands.build").addFilter(_filter)


def on_serve(server, **kwargs):
    global _server
    _server = server
    return server


def on_pre_build(config, **kwargs) -> None:
    import time

    _build.clear()
    _build.update(full=not _dirty or _state["last_start"] is None or _state["full_next"], start=time.time())
    _state["full_next"] = False


def _changed_since(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since
    except OSError:
        return True


def _inputs_outside_pages(config) -> bool:
    """True if anything but a post's own files (its page, notebook, figures) or a hand-written
    page changed since the previous build started: the config, overrides/, stylesheets, scripts,
    the authors file ... (they shape every page)."""
    since = _state["last_start"]
    root = Path(config.config_file_path).parent
    if _changed_since(Path(config.config_file_path), since):
        return True
    docs = Path(config.docs_dir)
    own = [docs / "blog" / "posts", docs / "notebooks"]  # the executor's outputs, one slug each
    project = root.resolve()
    # The project's own template folders (overrides/), not the installed theme's (.venv may be a symlink).
    folders = [
        Path(folder)
        for folder in config.theme.dirs
        if project in Path(folder).resolve().parents and ".venv" not in Path(folder).resolve().parts
    ] + [docs]
    for folder in folders:
        for dirpath, dirnames, names in os.walk(folder):
            here = Path(dirpath)
            dirnames[:] = [name for name in dirnames if here / name not in own]
            for name in names:
                if folder == docs and name.endswith((".md", ".ipynb")):
                    continue  # pages: rebuilt one by one
                if _changed_since(here / name, since):
                    return True
    return False


def _is_view(page) -> bool:
    from material.plugins.blog.structure import View

    return isinstance(page, View)


def _post_view_part(page) -> tuple:
    """What the blog views show of a post: its front matter, excerpt text and reading time."""
    markdown = page.markdown or ""
    meta = repr(sorted(page.meta.items(), key=lambda item: item[0]))
    readtime = getattr(getattr(page, "config", None), "readtime", None)
    return meta, markdown.split(EXCERPT_SEPARATOR, 1)[0], readtime


@event_priority(-100)  # after the blog plugin made its views
def on_nav(nav, config, files, **kwargs):
    if not _dirty:
        return nav
    pages = {file.src_uri for file in files.documentation_pages()}
    if not _build["full"]:
        if pages != _state["pages"] or _inputs_outside_pages(config):
            _build["full"] = True
        else:
            for file in files.documentation_pages():
                if _is_view(file.page) and file.generated_by is None and file.is_modified():
                    _build["full"] = True  # the blog index's own source was edited
                    break
    _state["pages"] = pages
    for file in files.documentation_pages():
        if _build["full"]:
            file.is_modified = lambda: True  # noqa: B023 (same for every file)
        elif _is_view(file.page):
            file.is_modified = lambda: False  # noqa: B023
    if not _build["full"]:
        # Pages this build will not render: what their last render gave, as a full build has it.
        for file in files.documentation_pages():
            saved = _state["rendered"].get(file.src_uri)
            if file.page is None or saved is None or file.is_modified():
                continue
            for name, value in saved.items():
                if name in ("markdown", "meta") and getattr(file.page, name):
                    continue  # posts read their source before rendering: theirs is current
                setattr(file.page, name, value)
    return nav


@event_priority(-100)  # after the blog plugin computed the reading time
def on_page_content(html, page, **kwargs):
    if _dirty:
        _build.setdefault("rebuilt", set()).add(page.file.src_uri)
    return html


def _merge_tags(config, files) -> None:
    """The tags of pages not rendered in this build, from their last render, in a full build's order."""
    plugin = config.plugins.get("material/tags") or config.plugins.get("tags")
    mappings = getattr(plugin, "mappings", None)
    if mappings is None:
        return
    old = _state["tags"]
    if not _build["full"] and old is not None:
        pages = files.documentation_pages()
        rebuilt = {file.src_uri for file in pages if file.page and file.page.content is not None}
        merged = {}
        for file in files.documentation_pages():
            if file.page is None:
                continue
            url = file.page.url
            source = mappings.data if file.src_uri in rebuilt else old
            if url in source:
                merged[url] = source[url]
        mappings.data = merged
    _state["tags"] = dict(mappings.data)


@event_priority(150)  # before the tags plugin writes tags.json (its on_env, priority 100)
def on_env(env, config, files, **kwargs):
    """Remember what each rendered page gives the others (its title, anchors ...); tags.json."""
    if not _dirty:
        return env
    _merge_tags(config, files)
    _build["files"] = files.documentation_pages()  # in the order pages are built (and indexed)
    for file in files.documentation_pages():
        page = file.page
        if page is not None and page.content is not None:
            _state["rendered"][file.src_uri] = {name: getattr(page, name, None) for name in RENDERED}
    return env


@event_priority(100)  # before the search plugin writes its index
def on_post_build(config, **kwargs) -> None:
    if not _dirty:
        return
    files = _current_files(config)
    _merge_search(config, files)
    _keep_notebook_cache(config)
    follow_up = False
    views = _state["views"]
    for file in files:
        page = file.page
        if page is None or file.src_uri not in _build.get("rebuilt", ()) or not hasattr(page, "excerpt"):
            continue
        part = _post_view_part(page)
        if not _build["full"] and views.get(file.src_uri) != part:
            follow_up = True
        views[file.src_uri] = part
    _state["last_start"] = _build["start"]
    if follow_up:
        _request_full_build()


def _current_files(config):
    return [file for file in (_build.get("files") or []) if file.page is not None]


def _merge_search(config, files) -> None:
    """Entries of the rebuilt pages replace theirs in the previous index, page by page, in order."""
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    if plugin is None or not getattr(plugin, "search_index", None):
        return
    new = plugin.search_index.entries
    if _build["full"] or _state["search"] is None:
        _state["search"] = list(new)
        plugin.search_index_prev = None
        return

    def page_of(entry) -> str:
        return entry["location"].split("#", 1)[0]

    rebuilt_urls = {file.page.url for file in files if file.src_uri in _build.get("rebuilt", ())}
    old_by_page: dict[str, list] = {}
    for entry in _state["search"]:
        old_by_page.setdefault(page_of(entry), []).append(entry)
    new_by_page: dict[str, list] = {}
    for entry in new:
        new_by_page.setdefault(page_of(entry), []).append(entry)
    merged = []
    for file in files:
        url = file.page.url
        merged += new_by_page.get(url, []) if url in rebuilt_urls else old_by_page.get(url, [])
    plugin.search_index.entries = merged
    plugin.search_index_prev = None  # Material's own merge would add them again
    _state["search"] = list(merged)


def on_build_error(error, **kwargs) -> None:
    """A full build that failed part way leaves pages of the old site: the next build is full too."""
    if _dirty and _build.get("full"):
        _state["full_next"] = True


def _keep_notebook_cache(config) -> None:
    """mkdocs-jupyter deletes the cache entries a build did not use: after a dirty build, every
    notebook but the rebuilt ones', which the next full build would convert again."""
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None or _build["full"] or not hasattr(plugin, "_used_cache_paths"):
        return
    if plugin.config.get("cache"):
        plugin._used_cache_paths.update(Path(plugin.config["cache_dir"]).glob("*.json"))


def _request_full_build() -> None:
    """Ask the server for one more build, a full one (after this one is served)."""
    _state["full_next"] = True
    server = _server
    if server is None or not hasattr(server, "_rebuild_cond"):
        return
    logging.getLogger("mkdocs").info(
        "serve: a post's summary, front matter or reading time changed: "
        "rebuilding the blog's index pages (full build)"
    )

    def request() -> None:
        with server._rebuild_cond:
            server._want_rebuild = True
            server._rebuild_cond.notify_all()

    threading.Thread(target=request, daemon=True).start()
