"""Import an existing Jupyter notebook as a post: `make import-notebook NB=path/to/any.ipynb`.

Writes posts_src/<slug>.ipynb, a post that builds as it is, and reports in one run
everything a contributor still has to do by hand:

- front matter (a first raw cell) from the `# Title` cell, today's date, the default
  author and category, tag `draft`, and a description to replace;
- the first paragraph becomes the bold summary, followed by `<!-- more -->`;
- stored outputs are dropped (the build executes the notebook itself);
- `%matplotlib inline` is dropped (the build's kernel shows figures inline); other
  magics and shell escapes (`!pip ...`) are commented out and reported;
- a cell that showed a figure gets `initlab.show(plt.gcf(), alt="TODO ...")`, since
  every figure needs alt text; a cell that printed to stderr is tagged `expect-warning`,
  one that raised is tagged `raises-exception`;
- further `# ` headings become `## ` (the page's only H1 is its title);
- numbers typed into the prose are marked as constants, `{{ 0.5 }}`: each one must be
  computed by the code (`{{ name }}`) unless it really is a constant.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from new_post import DEFAULT_AUTHOR, DEFAULT_CATEGORY, slugify  # noqa: E402

from postbuild.prose import typed_numbers  # noqa: E402
from postbuild.source import KNOWN_TAGS  # noqa: E402

MAGIC = re.compile(r"^\s*[%!]")


def first_sentence(text: str) -> str:
    plain = re.sub(r"[*_`#>\[\]]", "", text).strip().split("\n\n")[0].replace("\n", " ")
    sentence = re.split(r"(?<=[.!?])\s", plain, maxsplit=1)[0]
    return sentence[:160]


def mark_constants(text: str) -> tuple[str, list[str]]:
    """Wrap every number typed into prose in `{{ }}`; return the text and the numbers."""
    found = typed_numbers(text, 1)
    lines = text.split("\n")
    for line, numeral in sorted(found, reverse=True):
        row = lines[line - 1]
        position = row.rfind(numeral)
        lines[line - 1] = (
            f"{row[:position]}{{{{ {numeral.replace(' ', '')} }}}}{row[position + len(numeral) :]}"
        )
    return "\n".join(lines), [numeral for _, numeral in found]


def convert(notebook: nbformat.NotebookNode, name: str) -> tuple[nbformat.NotebookNode, str, list[str]]:
    """The post notebook, its slug, and the list of what is left to do."""
    todo: list[str] = []
    cells = list(notebook.cells)
    title = None
    for cell in cells:
        if cell.cell_type == "markdown":
            match = re.match(r"^\s*#\s+(.+?)\s*$", cell.source.split("\n", 1)[0])
            if match:
                title = match[1]
                cell.source = cell.source.split("\n", 1)[1] if "\n" in cell.source else ""
            break
    if title is None:
        title = Path(name).stem.replace("_", " ").replace("-", " ").strip().capitalize()
        todo.append(f"no '# Title' cell: the title is {title!r} (from the file name); edit the front matter")
    cells = [cell for cell in cells if cell.cell_type != "markdown" or cell.source.strip()]

    prose = next((cell for cell in cells if cell.cell_type == "markdown"), None)
    summary = first_sentence(prose.source) if prose else ""
    description = summary or f"{title}: replace this with one sentence for search and link previews."
    todo.append("replace the description in the front matter (one sentence for search and link previews)")
    if not summary:
        summary = "Replace this with the post's summary."
        todo.append("write the bold summary at the top (the excerpt in the list of posts)")

    new_cells = []
    for number, cell in enumerate(cells, start=1):
        if cell.cell_type == "markdown":
            source = re.sub(r"^# ", "## ", cell.source, flags=re.M)
            if source != cell.source:
                todo.append(f"cell {number}: '# ' headings became '## ' (the title is the page's only H1)")
            source, numbers = mark_constants(source)
            if numbers:
                todo.append(
                    f"cell {number}: numbers typed into prose marked as constants "
                    f"({', '.join(numbers)}): compute each with {{{{ name }}}} unless it is a constant"
                )
            new_cells.append(nbformat.v4.new_markdown_cell(source))
        elif cell.cell_type == "code":
            new_cells.append(convert_code(cell, number, todo))
        else:
            new_cells.append(nbformat.v4.new_raw_cell(cell.source))

    front = (
        "---\n"
        f"title: {json.dumps(title, ensure_ascii=False)}\n"
        f"date: {dt.date.today().isoformat()}\n"
        f"authors: [{DEFAULT_AUTHOR}]\n"
        f"categories: [{DEFAULT_CATEGORY}]\n"
        "tags: [draft]\n"
        f"description: {json.dumps(description, ensure_ascii=False)}\n"
        "---"
    )
    post = nbformat.v4.new_notebook()
    post.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    post.cells = [
        nbformat.v4.new_raw_cell(front),
        nbformat.v4.new_markdown_cell(f"**{summary}**\n\n<!-- more -->"),
        *new_cells,
    ]
    for index, cell in enumerate(post.cells):
        cell["id"] = f"cell-{index}"
    return post, slugify(title), todo


def convert_code(cell: nbformat.NotebookNode, number: int, todo: list[str]) -> nbformat.NotebookNode:
    lines = []
    for line in cell.source.split("\n"):
        if re.match(r"^\s*%matplotlib\b", line):
            continue
        if MAGIC.match(line):
            lines.append("# " + line.strip() + "  # TODO: not run by the build")
            todo.append(
                f"cell {number}: commented out {line.strip()!r} (magics and shell commands do not build)"
            )
        else:
            lines.append(line)
    tags = [tag for tag in cell.metadata.get("tags", []) if tag in KNOWN_TAGS]
    dropped = sorted(set(cell.metadata.get("tags", [])) - set(tags))
    if dropped:
        todo.append(f"cell {number}: dropped unknown tags {dropped} (known: {', '.join(KNOWN_TAGS)})")
    outputs = cell.get("outputs", [])
    if any(o.get("output_type") == "stream" and o.get("name") == "stderr" for o in outputs):
        tags.append("expect-warning")
        todo.append(f"cell {number}: it printed warnings: tagged expect-warning; better, remove their cause")
    if any(o.get("output_type") == "error" for o in outputs):
        tags.append("raises-exception")
        todo.append(f"cell {number}: it raised an error: tagged raises-exception; fix it unless meant")
    if any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {}) for o in outputs):
        lines = [line for line in lines if not re.match(r"^\s*plt\.show\(\)\s*$", line)]
        lines += [
            "import initlab  # noqa: E402",
            "import matplotlib.pyplot as plt  # noqa: E402",
            "",
            'initlab.show(plt.gcf(), alt="TODO: describe what this figure shows", caption=None)',
        ]
        todo.append(f"cell {number}: it showed a figure: write its alt text (and a caption) in initlab.show")
    source = "\n".join(lines).strip("\n")
    return nbformat.v4.new_code_cell(source, metadata={"tags": sorted(set(tags))} if tags else {})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="import_notebook", description=__doc__.split("\n", 1)[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--slug", help="file name without .ipynb (default: from the title)")
    parser.add_argument("--src", type=Path, default=ROOT / "posts_src")
    args = parser.parse_args(argv)
    try:
        notebook = nbformat.read(args.notebook, as_version=4)
    except (OSError, ValueError) as error:
        print(f"import-notebook: cannot read {args.notebook}: {error}", file=sys.stderr)
        return 1
    post, slug, todo = convert(notebook, args.notebook.name)
    slug = args.slug or slug
    target = args.src / f"{slug}.ipynb"
    if target.exists() or target.with_suffix(".md").exists():
        print(f"import-notebook: posts_src/{slug} exists; choose another --slug", file=sys.stderr)
        return 1
    target.write_text(nbformat.writes(post) + "\n", encoding="utf-8")
    print(f"import-notebook: wrote {target}; it builds as it is. Left to do by hand:")
    for item in todo:
        print(f"  - {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
