"""A post as JupyterLab shows it (`make lab`): the site's macros, equation numbers and values.

Jupyter renders each Markdown cell on its own with its own MathJax: the site's macros
(`\\Var`, `\\nin`) are undefined there, `\\eqref` across cells shows `(???)`, and `{{ name }}`
stays literal. `add_preview` changes the notebook model that Lab opens: a first cell
defines the macros, each `\\label` becomes the page's equation number and each `\\eqref`
that number, and each `{{ name }}` the value the last build computed (or a placeholder
that says to run the build). `remove_preview` undoes exactly those changes before the
notebook is saved, so saving from Lab leaves the source as the contributor wrote it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .render import INLINE_VALUE, format_value
from .tex import LABEL, REFERENCE

MARK = "postbuild_preview"  # cell metadata key: the preamble cell, or a cell's replacements
MACRO = re.compile(r"^\s*(\w+):\s*\"((?:[^\"\\]|\\.)*)\",?\s*$", re.M)


def macros_of(config_js: Path) -> dict[str, str]:
    """The TeX macros of the site's MathJax configuration (its `macros: {...}` block)."""
    text = config_js.read_text(encoding="utf-8")
    block = re.search(r"macros:\s*\{\n(.*?)\n\s*\}", text, re.S)
    return {name: body.replace("\\\\", "\\") for name, body in MACRO.findall(block[1] if block else "")}


def preamble(macros: dict[str, str]) -> dict:
    definitions = "".join(f"\\newcommand{{\\{name}}}{{{body}}}" for name, body in macros.items())
    return {
        "cell_type": "markdown",
        "metadata": {MARK: "preamble", "editable": False, "deletable": False},
        "source": (
            f"${definitions}$*Preview by `make lab`: the site's macros, equation numbers and "
            "computed values are shown; this cell and those changes are not saved.*"
        ),
    }


# One pass over a cell, so the replacements are recorded in the order they appear in it.
PREVIEWED = re.compile(
    f"(?P<label>{LABEL.pattern})|(?P<ref>{REFERENCE.pattern})|(?P<value>{INLINE_VALUE.pattern})"
)


def add_preview(notebook: dict, macros: dict[str, str], values: list[dict] | None) -> dict:
    """Change `notebook` (an nbformat dict, in place) for display; `values`: per code cell, as built."""
    cells = notebook["cells"]
    numbers: dict[str, int] = {}
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for label in LABEL.findall(_text(cell)):
                numbers.setdefault(label, len(numbers) + 1)
    current: dict = {}
    code_index = 0
    for cell in cells:
        if cell["cell_type"] == "code":
            if values is not None and code_index < len(values):
                current = values[code_index]
            code_index += 1
            continue
        if cell["cell_type"] != "markdown":
            continue
        replacements: list[list[str]] = []

        def shown(match: re.Match, current=current) -> str:
            if match["label"] or match["ref"]:
                label = (LABEL if match["label"] else REFERENCE).match(match.group(0))[1]
                if label not in numbers:
                    return match.group(0)
                return f"\\tag{{{numbers[label]}}}" if match["label"] else f"({numbers[label]})"
            if match["constant"]:
                return match["constant"]
            if values is None:
                return f"⟨{match['name']}: run make posts⟩"
            if match["name"] not in current:
                return f"⟨{match['name']}: not defined above⟩"
            try:
                return format_value(current[match["name"]], match["spec"])
            except (TypeError, ValueError):
                return f"⟨{match['name']}: bad format⟩"

        def swap(match: re.Match, replacements=replacements) -> str:
            text = shown(match)
            if text != match.group(0):
                replacements.append([match.group(0), text])
            return text

        source = PREVIEWED.sub(swap, _text(cell))
        if replacements:
            cell["source"] = source
            cell.setdefault("metadata", {})[MARK] = replacements
    notebook["cells"] = [preamble(macros), *cells]
    return notebook


def remove_preview(notebook: dict) -> dict:
    """Undo `add_preview` (in place), keeping any edit the contributor made in Lab."""
    cells = [cell for cell in notebook["cells"] if cell.get("metadata", {}).get(MARK) != "preamble"]
    for cell in cells:
        replacements = cell.get("metadata", {}).pop(MARK, None)
        if not replacements:
            continue
        source, position, parts = _text(cell), 0, []
        for original, shown in replacements:
            found = source.find(shown, position)
            if found < 0:
                continue  # the contributor deleted or rewrote it: keep their text
            parts += [source[position:found], original]
            position = found + len(shown)
        cell["source"] = "".join(parts) + source[position:]
    notebook["cells"] = cells
    return notebook


def _text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source
