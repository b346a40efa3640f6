"""Write site/feed.xml: an RSS 2.0 feed of the blog posts, from their front matter.

A hook rather than mkdocs-rss-plugin: that plugin pulls in a second MkDocs
distribution, GitPython and an HTTP cache, and dates pages from git history,
while our posts are generated (untracked) files whose date is in the front matter.
"""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime
from pathlib import Path
from xml.etree import ElementTree as ET

_posts: list[dict] = []


def _date(value) -> dt.datetime:
    if isinstance(value, dict):  # Material's blog: date: {created: ..., updated: ...}
        value = value.get("created")
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)


def on_pre_build(config, **kwargs) -> None:
    _posts.clear()


def on_page_context(context, page, config, **kwargs):
    if page.file.src_uri.startswith("blog/posts/") and page.meta.get("date"):
        _posts.append(
            {
                "title": str(page.meta.get("title") or page.title),
                "link": page.canonical_url,
                "description": str(page.meta.get("description", "")),
                "date": _date(page.meta["date"]),
                "categories": [str(c) for c in page.meta.get("categories", [])],
            }
        )
    return context


def on_post_build(config, **kwargs) -> None:
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    site_url = config.get("site_url") or ""
    ET.SubElement(channel, "title").text = config["site_name"]
    ET.SubElement(channel, "link").text = site_url
    ET.SubElement(channel, "description").text = " ".join((config.get("site_description") or "").split())
    ET.SubElement(channel, "language").text = "en"
    posts = sorted(_posts, key=lambda post: (post["date"], post["title"]), reverse=True)
    if posts:
        ET.SubElement(channel, "lastBuildDate").text = format_datetime(posts[0]["date"])
    for post in posts:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = post["title"]
        ET.SubElement(item, "link").text = post["link"]
        ET.SubElement(item, "guid", isPermaLink="true").text = post["link"]
        ET.SubElement(item, "description").text = post["description"]
        ET.SubElement(item, "pubDate").text = format_datetime(post["date"])
        for category in post["categories"]:
            ET.SubElement(item, "category").text = category
    ET.indent(rss)
    target = Path(config["site_dir"]) / "feed.xml"
    target.write_bytes(ET.tostring(rss, encoding="utf-8", xml_declaration=True) + b"\n")
