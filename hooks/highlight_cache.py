"""Highlight each code block once per process, not once per rendering of it.

Material's blog renders every post twice (the page and its excerpt on the index
pages), and `mkdocs serve` re-renders every page on each save: Pygments then spends
most of a warm build highlighting code it has highlighted before. The result of
pymdownx.highlight's `Highlight.highlight` depends only on its arguments and its
configuration, so it is memoized on both.
"""

from __future__ import annotations

import functools

from pymdownx.highlight import Highlight

_highlight = Highlight.highlight
_cache: dict[tuple, str] = {}


def _settings(highlighter: Highlight) -> str:
    return repr(sorted((k, v) for k, v in vars(highlighter).items() if k != "md"))


@functools.wraps(_highlight)
def _memoized(self, src, language, *args, **kwargs):
    key = (_settings(self), src, language, repr(args), repr(sorted(kwargs.items())))
    if key not in _cache:
        _cache[key] = _highlight(self, src, language, *args, **kwargs)
    return _cache[key]


def on_startup(**kwargs) -> None:
    Highlight.highlight = _memoized
