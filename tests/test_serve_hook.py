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
