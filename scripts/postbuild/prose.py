"""Numbers typed into prose: the values a post states must come from its code.

A numeral in prose (outside math, code, `{{ }}`, links and HTML) that has a decimal
point or a percent sign, or two or more digits, is a build error: either it is
computed (`{{ name:.3f }}`), or the post marks it as a constant (a year, a paper's
figure number, a definition) by writing it as `{{ 2010 }}`. Single digits ("a factor
2", "layer 3") are words, not measurements. Ordered-list markers are not numbers.
"""

from __future__ import annotations

import re

from .tex import MATH, _blank, without_code

NOT_PROSE = re.compile(
    r"(?<!\\)\{\{.*?\}\}"  # inserted values and marked constants
    r"|<!--.*?-->"  # HTML comments
    r"|<[^>\n]+>"  # HTML tags and their attributes
    r"|\]\([^)\n]*\)"  # link targets
    r"|^\s*\[[^\]\n]+\]:.*$"  # reference-style link definitions
    r"|https?://\S+"  # bare URLs
    r"|\{\s*[#.:][^}\n]*\}"  # attribute lists
    r"|^\s*\d+[.)]\s",  # ordered-list markers
    re.S | re.M,
)
NUMBER = re.compile(r"(?<![\w.,/#^_\\-])\d+(?:[.,]\d+)*(?:\s?%)?(?![\w])")


def typed_numbers(text: str, first_line: int) -> list[tuple[int, str]]:
    """(line, numeral) for every number typed into the prose of `text` (see the module docstring)."""
    prose = NOT_PROSE.sub(_blank, MATH.sub(_blank, without_code(text)))
    found = []
    for match in NUMBER.finditer(prose):
        numeral = match.group(0)
        digits = re.sub(r"\D", "", numeral)
        if "." in numeral or "%" in numeral or len(digits) >= 2:
            found.append((first_line + prose.count("\n", 0, match.start()), numeral))
    return found
