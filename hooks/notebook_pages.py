"""Notebook pages rendered by mkdocs-jupyter: self-hosted math, no CDN, not in search.

nbconvert's template adds MathJax 2 and mermaid from a CDN (removed here), and
leaves Markdown-cell math as raw `$...$`, `$$...$$` and `\\begin{env}`. That math
is wrapped here as arithmatex does on the blog pages, so the site's one MathJax
configuration typesets both kinds of page. Search leaves these pages out: each
repeats its post (which search finds) with execution prompts around the code.
"""

from __future__ import annotations

import posixpath
import re

from mkdocs.utils import get_relative_url

CDN_SCRIPT = re.compile(
    r"<script\b[^>]*>(?:(?!</script>).)*?(?:cdnjs|x-mathjax-config|init_mathjax)(?:(?!</script>).)*</script>"
    r"|<script\b[^>]*(?:src=\"https?://|x-mathjax-config)[^>]*>.*?</script>",
    re.S,
)
# Raw blocks whose text is never math, and tags; text between them is searched.
# (The clipboard-copy-txt div holds each code cell's plain text for the copy button.)
NOT_TEXT = re.compile(
    r"(<(pre|code|script|style)\b.*?</\2>|<div class=\"clipboard-copy-txt\"[^>]*>.*?</div>|<[^>]+>)", re.S
)
MATH = re.compile(
    r"\$\$(?P<display>.+?)\$\$"
    r"|(?P<env>\\begin\{(?P<name>[a-z]+\*?)\}.+?\\end\{(?P=name)\})"
    r"|(?<![\\$])\$(?P<inline>[^$\n]+?)(?<!\\)\$",
    re.S,
)


def wrap_math(text: str) -> str:
    def span(match: re.Match) -> str:
        if match["display"] is not None:
            return f'<span class="arithmatex">\\[{match["display"]}\\]</span>'
        if match["env"] is not None:
            return f'<span class="arithmatex">{match["env"]}</span>'
        return f'<span class="arithmatex">\\({match["inline"]}\\)</span>'

    return MATH.sub(span, text)


# The notebooks' Markdown cells come from the posts, whose links are relative to them.
POSTS_DIR = "blog/posts"
MD_LINK = re.compile(r'href="(?![a-z]+:|#|/)([^"#]+\.md)(#[^"]*)?"')


def link_posts(html: str, page, files) -> str:
    """Point a notebook's `other-post.md` links at the post pages, as MkDocs does for Markdown."""

    def replace(match: re.Match) -> str:
        target = files.get_file_from_path(posixpath.normpath(f"{POSTS_DIR}/{match[1]}"))
        if target is None:
            return match[0]  # left for the link check to report
        return f'href="{get_relative_url(target.url, page.url)}{match[2] or ""}"'

    return MD_LINK.sub(replace, html)


def on_page_content(html: str, page, files, **kwargs) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    page.meta.setdefault("search", {})["exclude"] = True
    html = link_posts(CDN_SCRIPT.sub("", html), page, files)
    parts = NOT_TEXT.split(html)
    # re.split with two groups yields [text, match, group2, text, ...]
    out = []
    for index, part in enumerate(parts):
        if part is None:
            continue
        kind = index % 3
        if kind == 0:
            out.append(wrap_math(part))
        elif kind == 1:
            out.append(part)
    return "".join(out)
