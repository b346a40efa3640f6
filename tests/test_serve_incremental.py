"""`make serve` rebuilds only what a save changed (mkdocs serve --dirty + hooks/serve_incremental.py),
and what it serves is what a full `mkdocs build` writes: every file of the site, byte for byte."""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_site import POST, SECOND, make_site

URL = "http://127.0.0.1:8000/"

# Builds as `mkdocs serve --dirty` does (the config loaded again for every build, the plugins'
# startup once, serve_url), applying an edit between builds; a full build the hook asks for
# follows, as the server runs it.
DRIVER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from mkdocs.config import load_config
    from mkdocs.commands.build import build

    site, edits = sys.argv[1], json.loads(sys.argv[2])

    def config():
        loaded = load_config("mkdocs.yml", site_dir=site, strict=True)
        loaded.site_url = "URL"
        return loaded

    first = config()
    first.plugins.on_startup(command="serve", dirty=True)
    sys.modules["hooks/execute_on_serve.py"]._root = Path(".")  # the test built the posts already
    build(first, serve_url="URL", dirty=True)
    hook = sys.modules["hooks/serve_incremental.py"]
    report = []
    for step in edits:  # each step: the edits of one save, then a build
        time.sleep(0.05)
        for path, old, new in step:
            source = Path(path)
            text = source.read_text()
            assert old in text, (path, old)
            source.write_text(text.replace(old, new, 1))
        build(config(), serve_url="URL", dirty=True)
        step = {"full_next": hook._state["full_next"], "rebuilt": sorted(hook._build.get("rebuilt", ()))}
        if hook._state["full_next"]:
            build(config(), serve_url="URL", dirty=True)
            step["follow_up_full"] = hook._build["full"]
        report.append(step)
    print("REPORT " + json.dumps(report))
    """
).replace("URL", URL)


@pytest.fixture(scope="module")
def served_project(tmp_path_factory):
    return make_site(tmp_path_factory.mktemp("serve"), {"first": POST, "second": SECOND})


def serve_builds(project, edits: list[list[tuple[str, str, str]]], site: Path) -> list[dict]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, str(site), json.dumps(edits)],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "A 'dirty' build" not in result.stderr  # dropped: --strict would fail on it
    line = next(line for line in result.stdout.splitlines() if line.startswith("REPORT "))
    return json.loads(line[len("REPORT ") :])


def full_build(project, site: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": URL}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)]
    result = subprocess.run(command, cwd=project.root, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr


def differences(served: Path, full: Path) -> list[str]:
    found = []
    for path in sorted(full.rglob("*")):
        if path.is_file():
            relative = path.relative_to(full)
            other = served / relative
            if not other.is_file() or not filecmp.cmp(path, other, shallow=False):
                found.append(str(relative))
    return found


def test_prose_edit_rebuilds_the_post_alone_and_serves_what_a_full_build_writes(served_project, tmp_path):
    project = served_project
    post = ("docs/blog/posts/first.md", "## Setup\n", "A sentence added below the summary.\n\n## Setup\n")
    page = (
        "docs/about.md",
        "## What is checked\n",
        "An edit of a hand-written page.\n\n## What is checked\n",
    )
    served = tmp_path / "served"
    again = (
        "docs/blog/posts/first.md",
        "A sentence added below",
        "A sentence written below",
    )  # as many words
    first, second = serve_builds(project, [[post], [again, page]], served)
    # Incremental: the edited post (and nothing that lists it) was rendered again ...
    assert first["rebuilt"] == ["blog/posts/first.md"] and not first["full_next"]
    # ... and two pages saved at once (search entries, feed and tags merged page by page)
    assert second["rebuilt"] == ["about.md", "blog/posts/first.md"] and not second["full_next"]
    assert "A sentence written below the summary." in (served / "blog/first/index.html").read_text()
    assert "An edit of a hand-written page." in (served / "about/index.html").read_text()
    # ... and every file of the served site is the file a full build writes: the post, the
    # blog's index, archive and category pages, the navigation on every page, search, feed.
    full_build(project, tmp_path / "full")
    assert differences(served, tmp_path / "full") == []


def test_summary_edit_is_followed_by_a_full_build_for_the_index_pages(served_project, tmp_path):
    project = served_project
    edit = ("docs/blog/posts/second.md", "**Second.**", "**Second, with its summary edited.**")
    served = tmp_path / "served"
    (step,) = serve_builds(project, [[edit]], served)
    assert step["rebuilt"] == ["blog/posts/second.md"] and step["full_next"] and step["follow_up_full"]
    assert "with its summary edited" in (served / "blog/index.html").read_text()
    full_build(project, tmp_path / "full")
    assert differences(served, tmp_path / "full") == []
