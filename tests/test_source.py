"""Reading post sources: cells, lines, tags, and errors that name the line."""

import pytest
from conftest import post_text

from postbuild.errors import BuildError
from postbuild.source import read_post


def test_cells_keep_their_lines_and_tags(tmp_path):
    path = tmp_path / "p.md"
    path.write_text(
        post_text("""
        Intro with `code` and math $x$.

        ```python
        a = 1
        ```

        ````markdown
        ```python
        not_a_cell = True
        ```
        ````

        ```python tags=["remove-input", "raises-exception"]
        raise ValueError
        ```
        """)
    )
    post = read_post(path)
    kinds = [(c.kind, c.line) for c in post.cells]
    # front matter is 8 lines; the body starts on line 9
    assert kinds == [("markdown", 9), ("code", 12), ("markdown", 15), ("code", 22)]
    assert post.code_cells[0].source == "a = 1"
    assert post.code_cells[1].tags == ["remove-input", "raises-exception"]
    assert "not_a_cell = True" in post.cells[2].source
    assert post.field_lines["date"] == 3


def test_unclosed_fence_names_its_line(tmp_path):
    path = tmp_path / "p.md"
    path.write_text(post_text("text\n\n```python\nx = 1\n"))
    with pytest.raises(BuildError) as error:
        read_post(path, "posts_src/p.md")
    assert str(error.value).startswith("posts_src/p.md:11: error: code fence ``` is never closed")


def test_missing_front_matter(tmp_path):
    path = tmp_path / "p.md"
    path.write_text("# no front matter\n")
    with pytest.raises(BuildError, match=r"p.md:1: error: a post must start with YAML front matter"):
        read_post(path, "p.md")


def test_invalid_yaml_names_its_line(tmp_path):
    path = tmp_path / "p.md"
    path.write_text("---\ntitle: x\ndate: [unclosed\n---\n")
    with pytest.raises(BuildError, match=r"p.md:\d+: error: front matter is not valid YAML"):
        read_post(path, "p.md")


def test_jupytext_reads_the_same_code_cells(tmp_path):
    """The file opens as a notebook in Jupyter with the cells the build runs."""
    import jupytext

    path = tmp_path / "p.md"
    path.write_text(
        post_text("""
        Prose.

        ```python tags=["remove-input"]
        x = 1
        ```

        More prose.

        ```python
        y = x + 1
        ```
        """)
    )
    notebook = jupytext.read(path)
    code = [(c.source, c.metadata.get("tags", [])) for c in notebook.cells if c.cell_type == "code"]
    assert code == [(c.source, c.tags) for c in read_post(path).code_cells]
