"""Serve MathJax from the site itself: copy the pinned npm package into the built site."""

from __future__ import annotations

import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

SOURCE = Path("node_modules/mathjax/es5")
# The component the pages load, plus what it loads lazily (TeX extensions, fonts, menu).
PARTS = ["tex-chtml.js", "input", "output/chtml", "ui", "a11y", "sre", "adaptors"]


def on_post_build(config, **kwargs) -> None:
    source = Path(config["config_file_path"]).parent / SOURCE
    if not (source / "tex-chtml.js").is_file():
        raise PluginError(f"MathJax is not installed at {source}: run `make setup` (npm ci)")
    target = Path(config["site_dir"]) / "assets" / "mathjax"
    for part in PARTS:
        src, dst = source / part, target / part
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
