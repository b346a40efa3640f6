"""A post written as a Jupyter notebook is a post like any other: same front matter, execution, errors."""

from __future__ import annotations

import nbformat
import pytest

from postbuild.build import build

FRONT = """---
title: A notebook post
date: 2026-11-20
authors: [editors]
categories: [Foundations]
tags: [test]
description: A post written in Jupyter.
---"""


def notebook_post(project, slug: str, code: str, tags=None):
    notebook = nbformat.v4.new_notebook()
    stale = nbformat.v4.new_output("stream", name="stdout", text="STALE OUTPUT\n")
    notebook.cells = [
        nbformat.v4.new_raw_cell(FRONT),
        nbformat.v4.new_markdown_cell("**Summary.**\n\n<!-- more -->"),
        nbformat.v4.new_code_cell(code, outputs=[stale], metadata={"tags": tags} if tags else {}),
        nbformat.v4.new_markdown_cell("The answer is {{ answer }}."),
    ]
    path = project.src / f"{slug}.ipynb"
    path.write_text(nbformat.writes(notebook))
    return path


def test_notebook_post_builds_like_a_markdown_post(project):
    notebook_post(project, "from-jupyter", "%matplotlib inline\nanswer = 6 * 7\nprint('fresh')")
    report = build(project.settings, log=lambda _: None)
    assert report.ok, report.errors
    page = project.output("from-jupyter")
    assert "title: A notebook post" in page and "The answer is 42." in page
    assert "fresh" in page and "STALE OUTPUT" not in page  # stored outputs are ignored
    assert (project.docs / "notebooks" / "from-jupyter.ipynb").is_file()


def test_notebook_errors_name_the_cell_and_line(project):
    path = notebook_post(project, "broken", "answer = 1\nanswer = answer / 0", tags=["remove-input"])
    report = build(project.settings, log=lambda _: None)
    assert not report.ok
    assert str(report.errors[0]).startswith(f"{path}:cell 3, line 2: error: cell 1 raised ZeroDivisionError")


def test_a_slug_with_two_sources_is_an_error(project):
    notebook_post(project, "twice", "answer = 1")
    project.post("twice", "**Summary.**\n\n<!-- more -->\n")
    report = build(project.settings, log=lambda _: None)
    assert not report.ok and "is the same post: keep one of the two files" in str(report.errors[0])


@pytest.mark.parametrize("slug", ["from-jupyter.ipynb", "from-jupyte"])
def test_unknown_slug_gets_a_hint(project, slug):
    notebook_post(project, "from-jupyter", "answer = 1")
    report = build(project.settings, only=[slug], log=lambda _: None)
    message = str(report.errors[0])
    assert "no such post" in message and "from-jupyter" in message and "posts_src/<slug>.ipynb" in message
