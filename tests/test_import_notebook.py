"""`make import-notebook`: a real-world notebook (outputs, magics, a title cell, no front matter)
becomes a post that builds."""

from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat
from conftest import ROOT

from postbuild.build import build


def real_world_notebook(path):
    notebook = nbformat.v4.new_notebook()
    png = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    warning = nbformat.v4.new_output("stream", name="stderr", text="UserWarning: old API\n")
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Variance of a layer\n\nWe check that a layer keeps its variance."),
        nbformat.v4.new_code_cell(
            "%matplotlib inline\n!pip install torch\nimport torch\nimport matplotlib.pyplot as plt"
        ),
        nbformat.v4.new_markdown_cell("# Measure\n\nWith 0.5 of the inputs zeroed, about 256 units stay."),
        nbformat.v4.new_code_cell(
            "x = torch.randn(1000)\nplt.hist(x.numpy(), bins=30)\nplt.show()",
            outputs=[png],
            execution_count=3,
        ),
        nbformat.v4.new_code_cell("import warnings\nwarnings.warn('old API')", outputs=[warning]),
        nbformat.v4.new_code_cell("spread = x.std().item()", metadata={"tags": ["hide_input"]}),
    ]
    nbformat.write(notebook, path)


def test_a_real_world_notebook_becomes_a_post_that_builds(project, tmp_path):
    shutil.copy(ROOT / "posts_src" / "initlab.py", project.src / "initlab.py")
    source = tmp_path / "My Analysis.ipynb"
    real_world_notebook(source)
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "import_notebook.py"),
            str(source),
            "--src",
            str(project.src),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    report = result.stdout
    for todo in (
        "replace the description",
        "commented out '!pip install torch'",
        "'# ' headings became '## '",
        "marked as constants (0.5, 256)",
        "write its alt text",
        "tagged expect-warning",
        "dropped unknown tags ['hide_input']",
    ):
        assert todo in report, report
    assert (project.src / "variance-of-a-layer.ipynb").is_file()
    built = build(project.settings, log=lambda _: None)
    assert built.ok, built.errors
    page = project.output("variance-of-a-layer")
    assert "title: Variance of a layer" in page and "\n# Measure" not in page  # one H1: the title
    assert "**We check that a layer keeps its variance.**" in page and "## Measure" in page
    assert "With 0.5 of the inputs zeroed, about 256 units stay." in page
    assert "![TODO: describe what this figure shows](variance-of-a-layer/fig-1.svg#only-light)" in page
