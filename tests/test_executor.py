"""The executor end to end on small posts: cache, errors, tags, determinism.

Each test starts real Jupyter kernels, as the build does.
"""

import pytest

from postbuild.build import build

HELPER = "SCALE = 2\n\ndef double(x):\n    return SCALE * x\n"

USES_HELPER = """
    **Summary.**

    <!-- more -->

    ```python
    import helper
    value = helper.double(21)
    ```

    The answer is {{ value }}.
    """

NO_HELPER = """
    **Summary.**

    <!-- more -->

    ```python
    import math
    root = math.sqrt(2)
    ```

    Root two is {{ root:.3f }}.
    """


def run(project, **kwargs):
    messages = []
    report = build(project.settings, log=messages.append, **kwargs)
    return report


@pytest.fixture
def two_posts(project):
    project.write("helper.py", HELPER)
    project.post("uses-helper", USES_HELPER)
    project.post("no-helper", NO_HELPER)
    report = run(project)
    assert report.ok, report.errors
    assert sorted(report.executed) == ["no-helper", "uses-helper"]
    return project


def test_values_figures_and_notebook_are_written(two_posts):
    text = two_posts.output("uses-helper")
    assert "The answer is 42." in text
    assert text.startswith("---\ntitle: Fixture post\n")
    assert "slug: uses-helper" in text
    assert "```python\nimport helper" in text
    assert "Root two is 1.414." in two_posts.output("no-helper")
    assert (two_posts.docs / "notebooks" / "uses-helper.ipynb").is_file()


def test_unchanged_tree_executes_nothing(two_posts):
    before = two_posts.snapshot()
    report = run(two_posts)
    assert report.ok and report.executed == [] and sorted(report.cached) == ["no-helper", "uses-helper"]
    assert two_posts.snapshot() == before


def test_prose_edit_rerenders_without_executing(two_posts):
    path = two_posts.src / "no-helper.md"
    path.write_text(path.read_text().replace("Root two is", "The square root of two is"))
    report = run(two_posts)
    assert report.ok and report.executed == []
    assert "The square root of two is 1.414." in two_posts.output("no-helper")


def test_helper_edit_reexecutes_only_its_dependents(two_posts):
    (two_posts.src / "helper.py").write_text(HELPER.replace("SCALE = 2", "SCALE = 3"))
    report = run(two_posts)
    assert report.ok and report.executed == ["uses-helper"] and report.cached == ["no-helper"]
    assert "The answer is 63." in two_posts.output("uses-helper")


def test_requirements_change_reexecutes_everything(two_posts):
    two_posts.settings.requirements.write_text("torch==2.13.0\nnumpy==2.4.6\n")
    assert sorted(run(two_posts).executed) == ["no-helper", "uses-helper"]


def test_failing_cell_names_file_and_line_and_keeps_old_output(two_posts):
    before = two_posts.snapshot()
    path = two_posts.src / "no-helper.md"
    path.write_text(path.read_text().replace("root = math.sqrt(2)", "root = math.sqrt(2)\nratio = root / 0"))
    report = run(two_posts)
    assert not report.ok
    message = str(report.errors[0])
    line = path.read_text().split("\n").index("ratio = root / 0") + 1
    assert message.startswith(
        f"{path}:{line}: error: cell 1 raised ZeroDivisionError: float division by zero"
    )
    assert "Traceback" in message or "---->" in message
    assert two_posts.snapshot() == before  # the failed post's previous output is intact
    assert not list((two_posts.settings.cache / "no-helper").glob("*.json"))[1:]  # nothing new cached


def test_timeout_names_the_cell(project):
    project.post(
        "slow",
        """
        **Summary.**

        <!-- more -->

        ```python
        import time
        time.sleep(30)
        ```
        """,
        extra="execute: {timeout: 2}\n",
    )
    report = run(project)
    assert not report.ok
    assert "slow.md:15: error: cell 1 timed out after 2 s" in str(report.errors[0])


def test_expected_errors_need_the_tag_and_must_raise(project):
    project.post(
        "raises",
        """
        **Summary.**

        <!-- more -->

        ```python tags=["raises-exception"]
        int("not a number")
        ```

        ```python
        after = 1
        ```

        After the error, {{ after }}.
        """,
    )
    report = run(project)
    assert report.ok, report.errors
    text = project.output("raises")
    assert "ValueError: invalid literal for int()" in text and "After the error, 1." in text
    assert "Traceback" not in text and "<module>" not in text  # the exception, not its frames

    project.post(
        "raises", '**Summary.**\n\n<!-- more -->\n\n```python tags=["raises-exception"]\nx = 1\n```\n'
    )
    report = run(project)
    assert "cell 1 is tagged raises-exception but raised nothing" in str(report.errors[0])


def test_values_are_taken_where_the_prose_stands(project):
    project.post(
        "order",
        """
        **Summary.**

        <!-- more -->

        ```python
        x = 1
        ```

        First {{ x }}.

        ```python
        x = 2
        ```

        Then {{ x }}.
        """,
    )
    assert run(project).ok
    text = project.output("order")
    assert "First 1." in text and "Then 2." in text


def test_figures_need_alt_text(project):
    project.post(
        "figure",
        """
        **Summary.**

        <!-- more -->

        ```python
        import matplotlib.pyplot as plt
        plt.plot([1, 2])
        plt.show()
        ```
        """,
    )
    report = run(project)
    assert "figure.md:14: error: this cell shows a figure without alt text" in str(report.errors[0])


def test_two_cold_builds_are_byte_identical(tmp_path):
    """Same sources, empty caches, two builds: identical Markdown, figures and notebooks."""
    from conftest import ROOT, Project

    body = """
        **Summary.**

        <!-- more -->

        ```python
        import initlab
        import matplotlib.pyplot as plt
        import torch
        gen = initlab.seed_everything(0)
        x = torch.randn(10_000, generator=gen)
        std = x.std().item()
        fig, ax = plt.subplots()
        ax.hist(x.numpy(), bins=50)
        initlab.show(fig, alt="Histogram of 10,000 standard normal samples", caption="Samples.")
        ```

        The sample std is {{ std:.4f }}.
        """
    outputs = []
    for run_index in range(2):
        project = Project(tmp_path / f"run{run_index}")
        project.write("initlab.py", (ROOT / "posts_src" / "initlab.py").read_text())
        project.post("determinism", body)
        assert run(project).ok
        outputs.append(project.snapshot())
    assert outputs[0] == outputs[1]
    assert "blog/posts/determinism/fig-1.svg" in outputs[0]
    assert "notebooks/determinism.ipynb" in outputs[0]


def test_bad_front_matter_stops_the_build(project):
    project.write("bad.md", "---\ntitle: x\n---\nbody\n")
    report = run(project)
    assert "bad.md:1: error: front matter field 'date' is missing" in str(report.errors[0])


def test_missing_excerpt_marker_is_an_error(project):
    project.post("no-more", "Just text.\n\n```python\nx = 1\n```\n")
    report = run(project)
    assert "no-more.md:9: error: the post has no '<!-- more -->' line" in str(report.errors[0])
    assert report.executed == []  # found before starting a kernel


FOLDING = """
    **Summary.**

    <!-- more -->

    ```python
    # the sum of two numbers
    total = 1 + 2
    ```

    ```python tags=["code-show"]
    shown = total * 2
    ```

    ```python tags=["remove-input"]
    print(shown)
    ```

    Done: {{ shown }}.
    """


@pytest.mark.parametrize(
    "default, first_cell",
    [
        (None, "```python\n# the sum of two numbers"),
        ("show", "```python\n# the sum of two numbers"),
        ("fold", '<details class="code-fold" markdown="1">\n<summary>Code: the sum of two numbers</summary>'),
        ("hide", None),
    ],
)
def test_a_post_chooses_how_its_code_appears(project, default, first_cell):
    """`code:` in the front matter applies to cells without a display tag of their own."""
    project.post("folding", FOLDING, extra=f"code: {default}\n" if default else "")
    report = run(project)
    assert report.ok, report.errors
    page = project.output("folding")
    if first_cell is None:
        assert "total = 1 + 2" not in page
    else:
        assert first_cell in page
    assert "```python\nshown = total * 2\n```" in page  # its own tag wins
    assert "print(shown)" not in page and "Done: 6." in page
    assert '<details class="code-fold"' not in page.replace(first_cell or "", "")
