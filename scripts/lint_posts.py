"""Run ruff on the code cells of posts (ruff cannot read jupytext Markdown itself).

    python scripts/lint_posts.py posts_src/a.md ...          # lint + format check
    python scripts/lint_posts.py --fix posts_src/a.md ...    # also rewrite unformatted cells

Cells are read with postbuild.source, the parser the build uses. For the lint, a
post's cells are joined into one Python file, as the kernel runs them, so names
from earlier cells are known; each problem is reported at its line in the .md.
Each cell is format-checked on its own. Exit status 1 if anything was reported.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from postbuild.errors import BuildError  # noqa: E402
from postbuild.source import Cell, read_post  # noqa: E402


def ruff() -> str:
    """The ruff next to this Python (the .venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("ruff")
    return str(beside) if beside.is_file() else (shutil.which("ruff") or "ruff")


def ruff_args(command: str, path: Path) -> list[str]:
    # Settings from this project's pyproject.toml; the name makes its posts_src/*.md.py ignores apply.
    return [
        ruff(),
        command,
        "--config",
        str(ROOT / "pyproject.toml"),
        "--stdin-filename",
        f"posts_src/{path.name}.py",
    ]


def python_lines(cell: Cell) -> list[str]:
    # IPython magics and shell escapes are not Python: keep the line count, hide the text.
    return [
        "# " + line.lstrip() if line.lstrip().startswith(("%", "!")) else line
        for line in cell.source.split("\n")
    ]


def lint(path: Path, cells: list[Cell], name: str) -> list[str]:
    """ruff check on the cells joined in order; messages carry the .md line."""
    lines, origin = [], []  # origin[i]: the .md line of virtual line i + 1
    for cell in cells:
        for offset, line in enumerate(python_lines(cell)):
            lines.append(line)
            origin.append(cell.line + offset)
        lines.append("")  # cells end with a newline, like the kernel's input
        origin.append(cell.line + len(cell.source.split("\n")))
    result = subprocess.run(
        [*ruff_args("check", path), "--output-format", "json", "-"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if result.returncode not in (0, 1):
        return [f"{name}: ruff failed: {result.stderr.strip()}"]
    messages = []
    for problem in json.loads(result.stdout or "[]"):
        row = problem["location"]["row"]
        line = origin[min(row, len(origin)) - 1]
        messages.append(f"{name}:{line}: {problem['code']} {problem['message']}")
    return messages


def format_cells(path: Path, cells: list[Cell], name: str) -> tuple[list[str], dict[int, str]]:
    """ruff format each cell; return messages and {cell line: formatted source} for cells that change."""
    messages, changes = [], {}
    for cell in cells:
        if any(line.lstrip().startswith(("%", "!")) for line in cell.source.split("\n")):
            continue  # not Python; the formatter would reject it
        result = subprocess.run(
            [*ruff_args("format", path), "-"],
            input=cell.source + "\n",
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if result.returncode != 0:
            messages.append(
                f"{name}:{cell.line}: ruff format cannot parse this cell: {result.stderr.strip()}"
            )
            continue
        formatted = result.stdout.rstrip("\n")
        if formatted != cell.source:
            changes[cell.line] = formatted
            messages.append(f"{name}:{cell.line}: code cell is not formatted (ruff format)")
    return messages, changes


def rewrite(path: Path, changes: dict[int, str]) -> None:
    """Replace the source of each changed cell (the lines between its fences)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = {cell.line: cell for cell in read_post(path).code_cells}
    for line in sorted(changes, reverse=True):  # from the end: earlier line numbers stay valid
        start = line - 1
        old_length = len(cells[line].source.split("\n")) if cells[line].source else 0
        lines[start : start + old_length] = changes[line].split("\n")
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--fix", action="store_true", help="rewrite code cells that ruff format would change")
    parser.add_argument("posts", nargs="+", type=Path)
    args = parser.parse_args(argv)
    messages = []
    for path in args.posts:
        name = str(path)
        try:
            cells = read_post(path, name).code_cells
        except BuildError as error:
            messages.append(str(error))
            continue
        found, changes = format_cells(path, cells, name)
        if args.fix and changes:
            rewrite(path, changes)
            messages.append(f"{name}: reformatted {len(changes)} code cell(s)")
            cells = read_post(path, name).code_cells
        else:
            messages += found
        messages += lint(path, cells, name)
    for message in messages:
        print(message)
    return 1 if messages else 0


if __name__ == "__main__":
    sys.exit(main())
