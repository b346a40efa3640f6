"""Fail if a notebook carries outputs: executed notebooks are build outputs, never committed.

    python scripts/check_notebooks.py a.ipynb ...   # (pre-commit passes the staged ones)

Posts are written as posts_src/<slug>.md; the build writes the executed notebook.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def problems(path: Path) -> list[str]:
    """What in `path` should not be committed, one message per cell."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"{path}: not a readable notebook: {error}"]
    found = []
    for number, cell in enumerate(notebook.get("cells", []), 1):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            found.append(f"{path}: cell {number} has outputs")
        elif cell.get("execution_count") is not None:
            found.append(f"{path}: cell {number} has an execution count")
    return found


def main(argv: list[str]) -> int:
    found = [message for name in argv for message in problems(Path(name))]
    for message in found:
        print(message)
    if found:
        print(
            "Clear them (Jupyter: Edit > Clear All Outputs), or better write the post as "
            "posts_src/<slug>.md: see CONTRIBUTING.md"
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
