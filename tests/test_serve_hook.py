"""hooks/execute_on_serve.py: one executor run per burst of saves, only for post sources."""

import importlib.util
import threading
import time

from conftest import ROOT

spec = importlib.util.spec_from_file_location("execute_on_serve", ROOT / "hooks" / "execute_on_serve.py")
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)


def test_only_posts_and_helpers_count_as_sources():
    assert hook.is_source("/p/posts_src/a-post.md") and hook.is_source("/p/posts_src/initlab.py")
    for path in (
        "/p/posts_src/.a-post.md.swp",
        "/p/posts_src/a-post.md~",
        "/p/posts_src/__pycache__/initlab.py",
        "/p/posts_src/.ipynb_checkpoints/a-post.md",
        "/p/posts_src/initlab.cpython-311.pyc",
    ):
        assert not hook.is_source(path), path


def test_a_burst_of_saves_runs_the_executor_once(monkeypatch, tmp_path):
    runs = []
    done = threading.Event()

    def fake_run(root, slugs=None):
        runs.append(root)
        done.set()

    monkeypatch.setattr(hook, "run_executor", fake_run)
    executor = hook.Executor(tmp_path)
    executor.start()
    for _ in range(5):  # an editor's save: write, rename, chmod ...
        executor.notify()
        time.sleep(0.02)
    assert done.wait(5)
    time.sleep(2 * hook.QUIET)
    assert runs == [tmp_path]
    done.clear()
    executor.notify()  # the next save runs it again
    assert done.wait(5) and len(runs) == 2


def test_a_saved_post_is_built_alone_a_helper_or_a_deletion_builds_all(tmp_path):
    src = tmp_path / hook.SOURCES
    src.mkdir()
    for name in ("a-post.md", "other.ipynb", "initlab.py"):
        (src / name).write_text("x")
    assert hook.changed_posts(tmp_path, {str(src / "a-post.md")}) == ["a-post"]
    assert hook.changed_posts(tmp_path, {str(src / "a-post.md"), str(src / "other.ipynb")}) == [
        "a-post",
        "other",
    ]
    assert hook.changed_posts(tmp_path, {str(src / "a-post.md"), str(src / "initlab.py")}) is None  # a helper
    assert hook.changed_posts(tmp_path, {str(src / "gone.md")}) is None  # deleted: its outputs must go
    assert hook.changed_posts(tmp_path, {""}) is None
    assert hook.post_files(tmp_path) == {"a-post.md", "other.ipynb"}


def test_the_executor_thread_passes_the_saved_posts_and_all_after_a_new_post(monkeypatch, tmp_path):
    src = tmp_path / hook.SOURCES
    src.mkdir()
    (src / "a-post.md").write_text("x")
    runs = []
    done = threading.Event()

    def fake_run(root, slugs=None):
        runs.append(slugs)
        done.set()

    monkeypatch.setattr(hook, "run_executor", fake_run)
    executor = hook.Executor(tmp_path)
    executor.start()
    executor.notify(str(src / "a-post.md"))
    assert done.wait(5) and runs == [["a-post"]]
    done.clear()
    (src / "new-post.md").write_text("x")  # a new post: the whole executor (checks page, ...)
    executor.notify(str(src / "new-post.md"))
    assert done.wait(5) and runs == [["a-post"], None]


def test_memoized_highlighting_gives_the_html_of_highlighting_each_block():
    """The blog's excerpts number their code blocks on: the memo must put each number back."""
    import markdown
    from pymdownx.highlight import Highlight

    spec = importlib.util.spec_from_file_location("highlight_cache", ROOT / "hooks" / "highlight_cache.py")
    memo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(memo)
    text = "```python\nx = 1\ny = 2\n```\n\nText.\n\n```python\nx = 1\ny = 2\n```\n"
    options = {"pymdownx.highlight": {"anchor_linenums": True}}

    def render() -> list[str]:
        md = markdown.Markdown(
            extensions=["pymdownx.highlight", "pymdownx.superfences"], extension_configs=options
        )
        return [md.convert(text), md.convert(text)]  # one converter, twice: the numbers go on

    original = Highlight.highlight
    plain = render()
    Highlight.highlight = memo._memoized
    try:
        memoized = render()
        assert len(memo._cache) == 1  # both blocks, both conversions: highlighted once
    finally:
        Highlight.highlight = original
    assert memoized == plain
    assert "__codelineno-0-1" in plain[0] and "__codelineno-1-1" in plain[0]


def test_make_serve_rebuilds_dirty_with_the_hook_that_makes_it_exact():
    import re

    recipe = re.search(r"^serve:.*\n\t(.*)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert "serve --strict --dirty" in recipe
    assert "hooks/serve_incremental.py" in (ROOT / "mkdocs.yml").read_text()
