"""Read a post source into front matter and cells.

A post is `posts_src/<slug>.md` (a jupytext Markdown notebook) or `posts_src/<slug>.ipynb`
(a Jupyter notebook whose first cell is a raw cell holding the same front matter, as
jupytext writes it). A notebook is read as the Markdown it is equivalent to, so both
kinds are validated, executed and rendered by the same code; its stored outputs are
ignored. Every cell remembers the line it starts on, so that any later error can name
`posts_src/<slug>.md:<line>`, or `posts_src/<slug>.ipynb:cell <n>, line <m>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from jupytext.cell_metadata import text_to_metadata

from .errors import BuildError

FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>.*)$")

# Cell tags the build knows; any other tag, and any other word or option after
# ```python, is an error (a typo would otherwise be ignored silently).
KNOWN_TAGS = {
    "remove-input": "show the output, hide the code",
    "code-fold": "show the code folded under a one-line summary (its first comment), and the output",
    "code-show": "show the code and the output (the default)",
    "remove-output": "show the code, hide the output",
    "remove-cell": "run the cell, show nothing",
    "raises-exception": "the cell must raise; the exception is shown",
    "expect-warning": "the cell may write warnings to stderr; they are shown",
}
KNOWN_OPTIONS = {"tags"}


@dataclass
class Cell:
    kind: str  # "code" or "markdown"
    source: str
    line: int  # 1-based line of the first source line (for code: the line after the fence)
    tags: list[str] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)


@dataclass
class Post:
    path: Path
    slug: str
    front: dict
    field_lines: dict[str, int]  # front matter field -> line in the file
    cells: list[Cell]
    # For a notebook: line of its Markdown equivalent -> (cell number, line in that cell)
    notebook_lines: dict[int, tuple[int, int]] | None = None

    @property
    def code_cells(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.kind == "code"]


SUFFIXES = (".md", ".ipynb")


def post_paths(src: Path) -> list[Path]:
    """Every post source in `src`, by slug: `<slug>.md` or `<slug>.ipynb`."""
    return sorted(path for suffix in SUFFIXES for path in src.glob(f"*{suffix}"))


def read_post(path: Path, display_path: str | None = None) -> Post:
    """Parse `path`; raise BuildError naming the file and line on malformed input."""
    name = display_path or str(path)
    notebook_lines = None
    if path.suffix == ".ipynb":
        text, notebook_lines = notebook_as_markdown(path, name)
    else:
        text = decode(path.read_bytes(), name)
    twin = path.with_suffix(".md" if path.suffix == ".ipynb" else ".ipynb")
    if twin.is_file():
        raise BuildError(name, None, f"{twin.name} is the same post: keep one of the two files")
    lines = text.split("\n")
    try:
        front, field_lines, body_start = _read_front_matter(lines, name)
        cells = _read_cells(lines, body_start, name)
    except BuildError as error:
        if notebook_lines is not None:
            error.where = locate_line(notebook_lines, error.line)
        raise
    return Post(path, path.stem, front, field_lines, cells, notebook_lines)


def notebook_as_markdown(path: Path, name: str) -> tuple[str, dict[int, tuple[int, int]]]:
    """The jupytext Markdown a notebook is equivalent to, and where each of its lines comes from.

    Only sources and tags are read: outputs stored in the notebook are ignored.
    """
    import json

    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError) as error:
        raise BuildError(name, None, f"not a readable Jupyter notebook: {error}") from None
    lines: list[str] = []
    origin: dict[int, tuple[int, int]] = {}

    def add(text: str, cell: int, first: int) -> None:
        for offset, row in enumerate(text.split("\n")):
            lines.append(row)
            origin[len(lines)] = (cell, first + offset)

    for number, cell in enumerate(cells, start=1):
        source = "".join(cell.get("source", ""))
        kind = cell.get("cell_type")
        if kind == "code":
            tags = cell.get("metadata", {}).get("tags", [])
            option = " tags=" + json.dumps(tags) if tags else ""
            longest = max((len(run) for run in re.findall(r"`{3,}", source)), default=0)
            fence = "`" * max(3, longest + 1)
            add(f"{fence}python{option}", number, 0)
            add(source, number, 1)
            add(fence, number, 0)
        elif kind == "raw" and number == 1 and source.lstrip().startswith("---"):
            add(source.strip(), number, 1)  # the front matter
        elif kind in ("markdown", "raw"):
            add(source, number, 1)
        add("", number, 0)
    return "\n".join(lines), origin


def locate_line(notebook_lines: dict[int, tuple[int, int]] | None, line: int | None) -> str | None:
    """`cell <n>, line <m>` for a line of a notebook post's Markdown equivalent (None for .md posts)."""
    if notebook_lines is None or line is None or line not in notebook_lines:
        return None
    cell, row = notebook_lines[line]
    return f"cell {cell}, line {row}" if row else f"cell {cell}"


def decode(data: bytes, name: str) -> str:
    """The text of a source file, or a BuildError naming the line of its first non-UTF-8 byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise BuildError(
            name,
            line,
            f"byte 0x{data[error.start]:02x} at column {column} is not UTF-8: save the file as UTF-8",
        ) from None


class InvalidDate(str):
    """A YAML date that does not exist (2026-13-45): kept as text for validation to report."""

    def __new__(cls, text: str, reason: str):
        value = super().__new__(cls, text)
        value.reason = reason
        return value


class FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader whose impossible dates become InvalidDate instead of a crash."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as error:
        return InvalidDate(node.value, str(error))


FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _yaml_error(error: yaml.YAMLError, name: str, first_line: int) -> BuildError:
    """A YAMLError as a BuildError at the file's line where the bad construct starts."""
    context, problem = getattr(error, "context", None), getattr(error, "problem", None)
    context_mark, problem_mark = getattr(error, "context_mark", None), getattr(error, "problem_mark", None)
    mark = context_mark or problem_mark
    line = mark.line + first_line if mark else first_line
    text = problem or str(error).split("\n", 1)[0]
    if context:
        text = f"{context}, {text}"
        if problem_mark and problem_mark.line + first_line != line:
            text += f" (at line {problem_mark.line + first_line})"
    return BuildError(name, line, f"front matter is not valid YAML: {text}")


def _read_front_matter(lines: list[str], name: str) -> tuple[dict, dict[str, int], int]:
    if not lines or lines[0].strip() != "---":
        raise BuildError(name, 1, "a post must start with YAML front matter between '---' lines")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise BuildError(name, 1, "front matter is not closed by a '---' line") from None
    text = "\n".join(lines[1:end])
    loader = FrontMatterLoader(text)
    try:
        node = loader.get_single_node()
        front = (loader.construct_document(node) if node is not None else None) or {}
    except yaml.YAMLError as error:
        raise _yaml_error(error, name, 2) from None
    finally:
        loader.dispose()
    if not isinstance(front, dict):
        raise BuildError(name, 2, "front matter must be a mapping of field: value")
    field_lines = {}
    if node is not None:
        for key_node, _ in node.value:
            field_lines[key_node.value] = key_node.start_mark.line + 2
    return front, field_lines, end + 1


def _read_cells(lines: list[str], start: int, name: str) -> list[Cell]:
    """Split the body into Markdown and code cells (```python fences at column 0)."""
    cells: list[Cell] = []
    prose: list[str] = []
    prose_start = start
    i = start
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            prose.append(lines[i])
            i += 1
            continue
        fence, info = match["fence"], match["info"].strip()
        close = next(
            (
                j
                for j in range(i + 1, len(lines))
                if lines[j].strip() == fence[0] * len(lines[j].strip())
                and len(lines[j].strip()) >= len(fence)
            ),
            None,
        )
        if close is None:
            raise BuildError(name, i + 1, f"code fence {fence} is never closed")
        language = info.split(None, 1)[0] if info else ""
        if language != "python":
            prose.extend(lines[i : close + 1])
            i = close + 1
            continue
        _flush_prose(cells, prose, prose_start)
        try:
            title, metadata = text_to_metadata(info[len(language) :].strip(), allow_title=True)
        except Exception as error:  # jupytext raises several types for bad metadata
            raise BuildError(name, i + 1, f"cannot read cell options '{info}': {error}") from None
        _check_options(info, title, metadata, name, i + 1)
        tags = metadata.get("tags", [])
        cells.append(Cell("code", "\n".join(lines[i + 1 : close]), i + 2, tags, metadata))
        prose, prose_start = [], close + 1
        i = close + 1
    _flush_prose(cells, prose, prose_start)
    return cells


def _check_options(info: str, title: str, metadata: dict, name: str, line: int) -> None:
    example = 'write them as ```python tags=["remove-input"]'
    if title:
        raise BuildError(
            name, line, f"unknown word(s) '{title}' after ```python: cell tags are options; {example}"
        )
    unknown = sorted(set(metadata) - KNOWN_OPTIONS)
    if unknown:
        raise BuildError(name, line, f"unknown cell option(s) {', '.join(unknown)} in '{info}'; {example}")
    tags = metadata.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise BuildError(name, line, f"cell tags must be a list of strings; {example}")
    for tag in tags:
        if tag not in KNOWN_TAGS:
            known = ", ".join(KNOWN_TAGS)
            raise BuildError(name, line, f"unknown cell tag '{tag}' (known tags: {known})")


def _flush_prose(cells: list[Cell], prose: list[str], start: int) -> None:
    # Trim blank lines at both ends, keeping the line number of the first kept line.
    while prose and not prose[0].strip():
        prose.pop(0)
        start += 1
    while prose and not prose[-1].strip():
        prose.pop()
    if prose:
        cells.append(Cell("markdown", "\n".join(prose), start + 1))
