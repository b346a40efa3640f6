"""During `mkdocs serve`, re-run the post executor before each rebuild.

Only posts whose code (or imported helpers) changed execute; the rest come from
the cache. A failing post is reported and the last good page stays served.
`mkdocs build` does not run it: the Makefile runs the executor first.
"""

from __future__ import annotations

import sys
from pathlib import Path

_serving = False


def on_startup(command: str, **kwargs) -> None:
    global _serving
    _serving = command == "serve"


def on_pre_build(config, **kwargs) -> None:
    if not _serving:
        return
    root = Path(config["config_file_path"]).parent
    sys.path.insert(0, str(root / "scripts"))
    from postbuild.build import main

    if main([]) != 0:
        print("posts: build failed (see above); serving the last good output", file=sys.stderr)
