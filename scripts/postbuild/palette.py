"""A figure for the dark palette: the same SVG with its colours remapped.

Matplotlib writes every colour as `#rrggbb`. Greys are mirrored between the dark page's
background and its text colour (white paper becomes the page, black ink becomes light
text, light grid lines become dark ones); other colours keep their hue and are lightened
until they stand out on the dark background (WCAG contrast >= 3:1 for lines and marks).
The light SVG is the one printed (docs/stylesheets/extra.css).
"""

from __future__ import annotations

import colorsys
import re

# Material's slate palette: background hsl(232, 15%, 14%) and its text, about 82 % white.
DARK_BACKGROUND = (0x1E, 0x20, 0x29)
DARK_TEXT = (0xE2, 0xE4, 0xE9)
MIN_CONTRAST = 3.0
HEX = re.compile(r"#([0-9a-fA-F]{6})\b")


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def dark_colour(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    r, g, b = rgb
    if max(rgb) - min(rgb) <= 8:  # grey: mirror between the dark page and its text
        ink = 1 - (r + g + b) / 3 / 255  # 0 for white paper, 1 for black ink
        return tuple(round(bg + (fg - bg) * ink) for bg, fg in zip(DARK_BACKGROUND, DARK_TEXT, strict=True))
    hue, lightness, saturation = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
    while lightness < 0.95:
        candidate = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, lightness, saturation))
        if contrast(candidate, DARK_BACKGROUND) >= MIN_CONTRAST + 1.5:
            return candidate
        lightness += 0.02
    return tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, lightness, saturation))


def dark_svg(svg: str) -> str:
    """`svg` with every `#rrggbb` colour remapped for the dark palette."""
    memo: dict[str, str] = {}

    def replace(match: re.Match) -> str:
        key = match.group(1).lower()
        if key not in memo:
            rgb = tuple(int(key[i : i + 2], 16) for i in (0, 2, 4))
            memo[key] = "#{:02x}{:02x}{:02x}".format(*dark_colour(rgb))
        return memo[key]

    dark = HEX.sub(replace, svg)
    # What matplotlib draws in black it often leaves unstyled (SVG's default fill is black):
    # the root's fill, inherited by every element without one, is the dark palette's text.
    text = "#{:02x}{:02x}{:02x}".format(*DARK_TEXT)
    return re.sub(r"<svg\b", f'<svg fill="{text}"', dark, count=1)


def svg_size(svg: str) -> str:
    """` width=W height=H` in CSS pixels from the root's width/height in pt (matplotlib), or ""."""
    root = re.search(r"<svg\b[^>]*>", svg)
    size = root and re.findall(r'\b(width|height)="([\d.]+)pt"', root.group(0))
    if not size or len(size) != 2:
        return ""
    return "".join(f" {name}={round(float(value) * 4 / 3)}" for name, value in size)
