"""Write site/feed.xml: an RSS 2.0 feed of the blog posts, with each post's full content.

Each item has the post's summary (`description`) and its whole article
(`content:encoded`) as a feed reader can show it without the site's CSS or JavaScript:
math as MathML (the assistive MathML of the SVG that hooks/mathjax.py typeset at build),
figures and links by absolute URL, the light figure only, no permalink marks.

A hook rather than mkdocs-rss-plugin: that plugin pulls in a second MkDocs
distribution, GitPython and an HTTP cache, and dates pages from git history,
while our posts are generated (untracked) files whose date is in the front matter.
It also reads a page's content before hooks/mathjax.py typesets it (`on_page_content`),
so its full-content feed would carry raw TeX and relative image paths.
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree as ET

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
ET.register_namespace("content", CONTENT_NS)

_posts: dict[str, dict] = {}  # page URL -> the item's fields
_content: dict[str, str] = {}  # page URL -> the article, for feed readers
_dirty = False  # `mkdocs serve --dirty` (hooks/serve_incremental.py): keep the posts not rebuilt

ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)
GLYPHS = re.compile(r'<svg[^>]*id="MJX-SVG-global-cache".*?</svg>', re.S)
CONTAINER = re.compile(r"<mjx-container\b(?P<attrs>[^>]*)>(?P<body>.*?)</mjx-container>", re.S)
MATHML = re.compile(r"<math\b[^>]*>.*?</math>", re.S)
HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
CODE_ANCHOR = re.compile(r'<a id="__codelineno-[^"]*"[^>]*></a>')
PAGE_CHROME = re.compile(
    r'<nav class="md-tags"[^>]*>.*?</nav>|<a\b[^>]*class="md-content__button[^"]*"[^>]*>.*?</a>', re.S
)
DARK_IMAGE = re.compile(r'<img\b[^>]*src="[^"]*#only-dark"[^>]*>')
URL_ATTR = re.compile(r'\b(href|src)="(?![a-z][a-z0-9+.-]*:|#)([^"]*)"')


def feed_html(article: str, page_url: str) -> str:
    """A post's article as a feed reader shows it: MathML math, absolute URLs."""

    def math(match: re.Match) -> str:
        if "mjx-narrow" in match["attrs"]:
            return ""  # the phone copy of a wide formula
        found = MATHML.search(match["body"])
        if not found:
            return ""
        mathml = found.group(0)
        if 'display="true"' in match["attrs"]:
            mathml = mathml.replace("<math ", '<math display="block" ', 1)
        return mathml

    text = GLYPHS.sub("", article)
    text = CONTAINER.sub(math, text)
    text = HEADERLINK.sub("", text)
    text = PAGE_CHROME.sub("", text)
    text = CODE_ANCHOR.sub("", text)
    text = DARK_IMAGE.sub("", text)
    text = text.replace("#only-light", "")
    text = URL_ATTR.sub(lambda m: f'{m[1]}="{urljoin(page_url, m[2])}"', text)
    return text.strip()


def _date(value) -> dt.datetime:
    if isinstance(value, dict):  # Material's blog: date: {created: ..., updated: ...}
        value = value.get("created")
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)


def on_startup(command: str, dirty: bool = False, **kwargs) -> None:
    global _dirty
    _dirty = command == "serve" and dirty


def on_pre_build(config, **kwargs) -> None:
    if not _dirty:
        _posts.clear()
        _content.clear()


def on_env(env, config, files, **kwargs):
    """A dirty build renders only some posts: keep the others' items, drop deleted posts'."""
    current = {f.page.canonical_url for f in files.documentation_pages() if f.page is not None}
    for store in (_posts, _content):
        for url in [url for url in store if url not in current]:
            del store[url]
    return env


def on_post_page(output: str, page, config, **kwargs) -> str:
    if page.file.src_uri.startswith("blog/posts/") and page.meta.get("date"):
        article = ARTICLE.search(output)
        if article:
            _content[page.canonical_url] = feed_html(article.group(1), page.canonical_url)
    return output


def on_page_context(context, page, config, **kwargs):
    if page.file.src_uri.startswith("blog/posts/") and page.meta.get("date"):
        _posts[page.canonical_url] = {
            "title": str(page.meta.get("title") or page.title),
            "link": page.canonical_url,
            "description": str(page.meta.get("description", "")),
            "date": _date(page.meta["date"]),
            "categories": [str(c) for c in page.meta.get("categories", [])],
        }
    return context


def on_post_build(config, **kwargs) -> None:
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    site_url = config.get("site_url") or ""
    ET.SubElement(channel, "title").text = config["site_name"]
    ET.SubElement(channel, "link").text = site_url
    ET.SubElement(channel, "description").text = " ".join((config.get("site_description") or "").split())
    ET.SubElement(channel, "language").text = "en"
    posts = sorted(_posts.values(), key=lambda post: (post["date"], post["title"]), reverse=True)
    if posts:
        ET.SubElement(channel, "lastBuildDate").text = format_datetime(posts[0]["date"])
    for post in posts:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = post["title"]
        ET.SubElement(item, "link").text = post["link"]
        ET.SubElement(item, "guid", isPermaLink="true").text = post["link"]
        ET.SubElement(item, "description").text = post["description"]
        if post["link"] in _content:
            ET.SubElement(item, f"{{{CONTENT_NS}}}encoded").text = _content[post["link"]]
        ET.SubElement(item, "pubDate").text = format_datetime(post["date"])
        for category in post["categories"]:
            ET.SubElement(item, "category").text = category
    ET.indent(rss)
    target = Path(config["site_dir"]) / "feed.xml"
    target.write_bytes(ET.tostring(rss, encoding="utf-8", xml_declaration=True) + b"\n")
