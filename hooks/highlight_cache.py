"""Highlight each code block once per process, not once per rendering of it.

Material's blog renders every post several times (the page, and its excerpt on the
index, archive and category pages), and `mkdocs serve` re-renders pages on each save:
Pygments then spends most of a warm build highlighting code it has highlighted before.
The result of pymdownx.highlight's `Highlight.highlight` depends only on its arguments
and its configuration, so it is memoized on both.

One argument changes between renderings of the same block: `code_block_count`, the
block's number in its Markdown conversion, which names the line anchors
(`__codelineno-<count>-<line>`). An excerpt's converter keeps counting across the views
it is rendered in, so its blocks get a new number on each view. The block is therefore
highlighted once with a placeholder for the number, and the number is put in afterwards:
the HTML is the same as highlighting with that number.
"""

from __future__ import annotations

import functools

from pymdownx.highlight import Highlight

_highlight = Highlight.highlight
_cache: dict[tuple, str] = {}
COUNT = "\ue000count\ue000"  # a private-use character: never in the HTML Pygments writes


def _settings(highlighter: Highlight) -> str:
    return repr(sorted((k, v) for k, v in vars(highlighter).items() if k != "md"))


@functools.wraps(_highlight)
def _memoized(self, src, language, *args, **kwargs):
    count = kwargs.get("code_block_count")
    numbered = count is not None and COUNT not in src
    if numbered:
        kwargs = {**kwargs, "code_block_count": COUNT}
    key = (_settings(self), src, language, repr(args), repr(sorted(kwargs.items())))
    if key not in _cache:
        _cache[key] = _highlight(self, src, language, *args, **kwargs)
    return _cache[key].replace(COUNT, str(count)) if numbered else _cache[key]


def on_startup(**kwargs) -> None:
    Highlight.highlight = _memoized
