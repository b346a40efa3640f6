"""Serve Vega from the site itself: copy the pinned npm build into the built site.

Pages with an interactive chart (initlab.show_chart) load it on demand from
docs/javascripts/charts.js; the build compiles Vega-Lite to Vega, so only Vega is needed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

SOURCE = Path("node_modules/vega")
FILES = ["build/vega.min.js", "LICENSE"]


def on_post_build(config, **kwargs) -> None:
    source = Path(config["config_file_path"]).parent / SOURCE
    if not (source / FILES[0]).is_file():
        raise PluginError(f"Vega is not installed at {source}: run `make setup` (npm ci)")
    target = Path(config["site_dir"]) / "assets" / "vega"
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copy2(source / name, target / Path(name).name)
