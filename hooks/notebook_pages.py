"""Notebook pages rendered by mkdocs-jupyter: self-hosted math, no CDN, not in search.

nbconvert's template adds MathJax 2 and mermaid from a CDN (removed here), and
leaves Markdown-cell math as raw `$...$`, `$$...$$` and `\\begin{env}`. That math
is wrapped here as arithmatex does on the blog pages, so the site's one MathJax
configuration typesets both kinds of page. Search leaves these pages out: each
repeats its post (which search finds) with execution prompts around the code.
"""

from __future__ import annotations

import re

CDN_SCRIPT = re.compile(
    r"<script\b[^>]*>(?:(?!</script>).)*?(?:cdnjs|x-mathjax-config|init_mathjax)(?:(?!</script>).)*</script>"
    r"|<script\b[^>]*(?:src=\"https?://|x-mathjax-config)[^>]*>.*?</script>",
    re.S,
)
# Raw blocks whose text is never math, and tags; text between them is searched.
NOT_TEXT = re.compile(r"(<(pre|code|script|style)\b.*?</\2>|<[^>]+>)", re.S)
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


def on_page_content(html: str, page, **kwargs) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    page.meta.setdefault("search", {})["exclude"] = True
    html = CDN_SCRIPT.sub("", html)
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
