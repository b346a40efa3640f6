"""Fault injection: every way a contributor can break a post ends in a clear message,
an intact site and a clean machine.

A small site (two posts, a helper module, the real TeX check, a minimal MkDocs config)
is built once; each case copies it, injects one fault, and runs the real commands
(`scripts/build_site.py` as `make site` does, `scripts/build_posts.py` as `make posts`
does) in a subprocess. Each case asserts:

- the exit code;
- a message of one or two lines naming `posts_src/<slug>.md:<line>`, and no Python
  traceback of the build tool itself;
- site/ and docs/ byte-identical to the last good build (and the other post's files not
  even rewritten);
- after the fault is reverted, the next build executes only what it must;
- no process (kernel or worker) left running in the project.

Cases run in separate folders, so `pytest -n 2` runs them side by side. With
FAULT_TABLE=<file>, each case appends its measurements (a JSON line) to that file:
CONTRIBUTING.md's RELIABILITY table is made from them.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, post_text

BUILD_POSTS = [sys.executable, str(ROOT / "scripts" / "build_posts.py")]
BUILD_SITE = [sys.executable, str(ROOT / "scripts" / "build_site.py")]
ENV = {
    **os.environ,
    "NO_MKDOCS_2_WARNING": "1",
    "JUPYTER_PLATFORM_DIRS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
ENV.pop("POSTBUILD_LOCK_HELD", None)  # `make test` holds the real checkout's lock, not these

HELPER = "def double(x):\n    return 2 * x\n"

ALPHA = """
    **Alpha: a post that uses the helper module.**

    <!-- more -->

    ## Setup

    ```python
    import helper

    value = helper.double(21)
    ```

    The answer is {{ value }}, and $x^2 \\geq 0$ is math.
    """

BETA = """
    **Beta: a post on its own.**

    <!-- more -->

    ```python
    import math

    root = math.sqrt(2)
    ```

    Root two is {{ root:.3f }}.
    """

# The real site's theme and blog plugin (categories_allowed is where the build reads the
# categories from), without the extras that make a build slow.
MKDOCS_YML = """\
site_name: Faults
site_url: http://localhost/
theme:
  name: material
plugins:
  - blog:
      post_url_format: "{slug}"
      categories_allowed: [Foundations]
markdown_extensions:
  - attr_list
  - md_in_html
  - pymdownx.superfences
  - pymdownx.arithmatex:
      generic: true
validation:
  links:
    not_found: warn
"""

TRACEBACK = re.compile(r"Traceback \(most recent call last\):|File \".*scripts/postbuild/")


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder`: its bytes and modification time."""
    if not folder.is_dir():
        return {}
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _bytes(snapshot: dict) -> dict[str, bytes]:
    return {path: data for path, (data, _) in snapshot.items()}


def processes_in(root: Path) -> list[str]:
    """Processes (kernels, workers, MkDocs) whose working directory is inside `root`."""
    found = []
    root = root.resolve()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cwd = Path(os.readlink(proc / "cwd"))
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().split(") ", 1)[1][0]
        except OSError:
            continue
        if state != "Z" and (cwd == root or root in cwd.parents):
            found.append(f"{proc.name}: {cmdline[:120]}")
    return found


def wait_for_no_processes(root: Path, seconds: float = 3.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while True:
        left = processes_in(root)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


class Site:
    """A copy of the fixture site; `run` executes a build command in it."""

    def __init__(self, root: Path):
        self.root = root
        self.src = root / "posts_src"

    def path(self, slug: str) -> Path:
        return self.src / f"{slug}.md"

    def read(self, slug: str) -> str:
        return self.path(slug).read_text()

    def write(self, slug: str, text: str | bytes) -> None:
        data = text.encode() if isinstance(text, str) else text
        self.path(slug).write_bytes(data)

    def line_of(self, slug: str, needle: str) -> int:
        lines = self.path(slug).read_bytes().split(b"\n")
        return next(i + 1 for i, line in enumerate(lines) if needle.encode() in line)

    def run(self, command: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run(
            command, cwd=self.root, env=ENV, capture_output=True, text=True, timeout=timeout
        )
        result.output = result.stdout + result.stderr
        return result

    def state(self) -> dict:
        return {"site": _snapshot(self.root / "site"), "docs": _snapshot(self.root / "docs")}


def make_fixture(root: Path) -> Site:
    root.mkdir(parents=True)
    site = Site(root)
    site.src.mkdir()
    (root / "requirements.txt").write_text("torch==2.13.0\n")
    (root / "mkdocs.yml").write_text(MKDOCS_YML)
    (root / "docs" / "blog").mkdir(parents=True)
    (root / "docs" / "blog" / "index.md").write_text("# Posts\n")
    shutil.copy(ROOT / "docs/blog/.authors.yml", root / "docs/blog/.authors.yml")
    (root / "docs" / "index.md").write_text("# Faults\n\nSee [alpha](blog/posts/alpha.md).\n")
    (root / "docs" / "about.md").write_text("# About\n\n## What is checked\n\nClaims.\n")
    (root / "docs" / "javascripts").mkdir()
    shutil.copy(ROOT / "docs/javascripts/mathjax-config.js", root / "docs/javascripts/mathjax-config.js")
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    (site.src / "helper.py").write_text(HELPER)
    site.write("alpha", post_text(ALPHA, title="Alpha"))
    site.write("beta", post_text(BETA, title="Beta"))
    return site


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Site:
    """The last good build: posts executed and cached, site/ built."""
    site = make_fixture(tmp_path_factory.mktemp("faults") / "good")
    result = site.run(BUILD_SITE)
    assert result.returncode == 0, result.output
    assert (site.root / "site" / "index.html").is_file()
    assert wait_for_no_processes(site.root) == []
    return site


@pytest.fixture
def site(good, tmp_path) -> Site:
    """A fresh copy of the good build (sources, cache, docs/, site/)."""
    root = tmp_path / "site"
    shutil.copytree(good.root, root, symlinks=True)
    copy = Site(root)
    copy.good_state = good.state()
    return copy


def record(case: str, **measured) -> None:
    table = os.environ.get("FAULT_TABLE")
    if table:
        with open(table, "a") as file:
            file.write(json.dumps({"case": case, **measured}) + "\n")


def executed_count(result: subprocess.CompletedProcess) -> int:
    match = re.search(r"posts: (\d+) executed, (\d+) from cache", result.stdout)
    assert match, result.output
    return int(match[1])


def check_fault(
    site: Site,
    case: str,
    slug: str,
    message: str,
    line: int | None,
    revert,
    executes_after_revert: int = 0,
    command=BUILD_SITE,
    exit_code: int = 1,
) -> subprocess.CompletedProcess:
    """Run the build on the broken copy and check everything the suite promises."""
    started, cpu = time.perf_counter(), _children_cpu()
    result = site.run(command)
    seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
    assert result.returncode == exit_code, result.output
    where = f"posts_src/{slug}.md:{line}: error: " if line else f"posts_src/{slug}.md"
    first = next((row for row in result.stderr.splitlines() if row.startswith(where)), None)
    assert first is not None, f"no line starting {where!r} in:\n{result.output}"
    assert re.search(message, first), first
    assert not TRACEBACK.search(result.output), result.output
    left = wait_for_no_processes(site.root)
    assert left == [], left
    state = site.state()
    assert _bytes(state["site"]) == _bytes(site.good_state["site"]), "site/ changed"
    assert state["docs"] == site.good_state["docs"], "docs/ changed (bytes or rewritten files)"
    revert()
    after = site.run(BUILD_POSTS)
    assert after.returncode == 0, after.output
    executed = executed_count(after)
    assert executed == executes_after_revert, after.output
    assert wait_for_no_processes(site.root) == []
    record(
        case,
        exit=result.returncode,
        message=first,
        site_kept=True,
        executed_after_revert=executed,
        seconds=round(seconds, 1),
        cpu_seconds=round(cpu, 1),
    )
    return result


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (and theirs: kernels, workers) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def replace(site: Site, slug: str, old: str, new: str):
    """Edit a post; return the function that reverts the edit."""
    original = site.path(slug).read_bytes()
    text = original.decode()
    assert old in text
    site.write(slug, text.replace(old, new, 1))
    return lambda: site.write(slug, original)


# --- Faults in the code -------------------------------------------------------------------


def test_failing_cell(site):
    revert = replace(site, "beta", "root = math.sqrt(2)\n", "root = math.sqrt(2)\nratio = root / 0\n")
    check_fault(
        site,
        "failing cell",
        "beta",
        r"cell 1 raised ZeroDivisionError: float division by zero",
        site.line_of("beta", "ratio = root / 0"),
        revert,
    )


def test_timeout(site):
    revert = replace(
        site, "beta", "root = math.sqrt(2)\n", "root = math.sqrt(2)\nimport time\ntime.sleep(60)\n"
    )
    front = replace(site, "beta", "description:", "execute: {timeout: 2}\ndescription:")
    check_fault(
        site,
        "timeout",
        "beta",
        r"cell 1 timed out after 2 s \(raise it with `execute: \{timeout: N\}`",
        site.line_of("beta", "import math"),
        lambda: (front(), revert()),
    )


def test_kernel_death(site):
    revert = replace(
        site, "beta", "root = math.sqrt(2)\n", "root = math.sqrt(2)\nimport os\nos.kill(os.getpid(), 9)\n"
    )
    check_fault(
        site,
        "kernel death",
        "beta",
        r"the kernel died in cell 1: killed by SIGKILL",
        site.line_of("beta", "import math"),
        revert,
    )


def test_helper_edit_breaks_its_dependents_only(site):
    helper = site.src / "helper.py"
    helper.write_text(HELPER.replace("return 2 * x", "return 2 * undefined_name"))
    check_fault(
        site,
        "helper edit",
        "alpha",
        r"cell 1 raised NameError: name 'undefined_name' is not defined",
        site.line_of("alpha", "value = helper.double(21)"),
        lambda: helper.write_text(HELPER),
    )


# --- Faults in the source -----------------------------------------------------------------


def test_bad_yaml_names_the_line_of_the_quote(site):
    revert = replace(site, "beta", "title: Beta\n", 'title: "Beta\n')
    result = check_fault(
        site,
        "bad YAML",
        "beta",
        r"front matter is not valid YAML: while scanning a quoted scalar",
        2,
        revert,
    )
    assert "<unicode string>" not in result.output and "line 1, column" not in result.output


def test_all_front_matter_problems_at_once(site):
    revert = replace(site, "beta", "date: 2026-11-20\n", "summary: unknown field\n")
    result = check_fault(
        site, "missing and unknown fields", "beta", r"front matter field 'summary': unknown field", 3, revert
    )
    assert "posts_src/beta.md:1: error: front matter field 'date' is missing" in result.stderr


def test_impossible_date_and_non_utf8_are_reported_with_the_others(site):
    """A bad date in one post, a non-UTF-8 byte in another: both reported, no crash."""
    revert_date = replace(site, "alpha", "date: 2026-11-20", "date: 2026-13-45")
    original = site.path("beta").read_bytes()
    site.write("beta", original.replace(b"Root two is", b"Root two \xff is"))
    result = check_fault(
        site,
        "impossible date",
        "alpha",
        r"front matter field 'date': 2026-13-45 is not a date \(month must be in 1\.\.12\)",
        3,
        lambda: (revert_date(), site.write("beta", original)),
    )
    line = original.split(b"\n").index(next(r for r in original.split(b"\n") if b"Root two is" in r)) + 1
    assert f"posts_src/beta.md:{line}: error: byte 0xff at column 10 is not UTF-8" in result.stderr
    record(
        "non-UTF-8 byte",
        exit=1,
        message=f"posts_src/beta.md:{line}: error: byte 0xff at column 10 "
        "is not UTF-8: save the file as UTF-8",
        site_kept=True,
        executed_after_revert=0,
        seconds=None,
    )


def test_title_heading(site):
    revert = replace(site, "beta", "<!-- more -->\n", "<!-- more -->\n\n# Beta\n")
    check_fault(
        site, "# Title heading", "beta", r"a '# ' heading in the body", site.line_of("beta", "# Beta"), revert
    )


def test_empty_post_fails_before_any_kernel(site):
    site.write("empty", post_text("", title="Empty"))
    result = check_fault(
        site,
        "empty post",
        "empty",
        r"the post has no body",
        9,
        lambda: site.path("empty").unlink(),
    )
    assert "executing" not in result.stdout  # no kernel was started


def test_unknown_value(site):
    revert = replace(site, "beta", "Root two is", "Root {{ nope }} two is")
    check_fault(
        site,
        "unknown {{ }}",
        "beta",
        r"'\{\{ nope \}\}': no code cell above this line defines a scalar named 'nope'",
        site.line_of("beta", "{{ nope }}"),
        revert,
    )


def test_bad_tex(site):
    revert = replace(site, "alpha", "$x^2 \\geq 0$", "$\\frac{1}{$")
    check_fault(
        site, "bad TeX", "alpha", r"TeX|tex|formula|Missing", site.line_of("alpha", "\\frac{1}{"), revert
    )


def test_missing_alt_text_keeps_the_good_cache_entry(site):
    """The edit executes (its code changed) and fails at render; reverting executes nothing."""
    revert = replace(
        site,
        "beta",
        "root = math.sqrt(2)\n",
        "root = math.sqrt(2)\nfrom IPython.display import SVG, display\ndisplay(SVG(\"<svg xmlns='http://www.w3.org/2000/svg'/>\"))\n",
    )
    check_fault(
        site,
        "missing alt text",
        "beta",
        r"this cell shows a figure without alt text",
        site.line_of("beta", "import math"),
        revert,
    )


# --- Limits -------------------------------------------------------------------------------

SVG = "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><rect width='10' height='10'/></svg>"
SHOW = (
    "from IPython.display import display\n"
    "def show(svg):\n"
    "    display({'image/svg+xml': svg}, raw=True, metadata={'image/svg+xml': {'alt': 'A square'}})\n"
)


def test_huge_output(site):
    revert = replace(site, "beta", "root = math.sqrt(2)\n", "root = math.sqrt(2)\nprint('x' * 50_000_000)\n")
    check_fault(
        site,
        "huge output (50 MB)",
        "beta",
        r"cell 1 brings the post's text output to 50(\.0)? MB: over the limit of 1 MB per post",
        site.line_of("beta", "import math"),
        revert,
    )


def test_many_figures(site):
    revert = replace(
        site,
        "beta",
        "root = math.sqrt(2)\n",
        "root = math.sqrt(2)\n" + SHOW + "for _ in range(200):\n    show(SVG)\n",
    )
    site.write("beta", site.read("beta").replace("show(SVG)", f'show("{SVG}")'))
    check_fault(
        site,
        "many figures (200)",
        "beta",
        r"cell 1 brings the post to 200 figures: over the limit of 20 per post",
        site.line_of("beta", "import math"),
        revert,
    )


def test_huge_figure(site):
    big = "show(\"<svg xmlns='http://www.w3.org/2000/svg'>\" + '<rect/>' * 400_000 + '</svg>')\n"
    revert = replace(site, "beta", "root = math.sqrt(2)\n", "root = math.sqrt(2)\n" + SHOW + big)
    check_fault(
        site,
        "huge figure (2.8 MB)",
        "beta",
        r"cell 1 shows a figure of 2\.8 MB: over the limit of 2 MB per figure",
        site.line_of("beta", "import math"),
        revert,
    )


def test_memory(site):
    revert = replace(
        site, "beta", "root = math.sqrt(2)\n", "root = math.sqrt(2)\nhoard = bytearray(5 * 10**9)\n"
    )
    check_fault(
        site,
        "memory (5 GB)",
        "beta",
        r"cell 1 ran out of memory: the limit is 4 GB per post",
        site.line_of("beta", "hoard = bytearray"),
        revert,
    )


def test_limits_are_set_in_the_front_matter(site):
    replace(site, "beta", "root = math.sqrt(2)\n", "root = math.sqrt(2)\nprint('x' * 2_000_000)\n")
    replace(site, "beta", "description:", "execute: {max_output: 3 MB}\ndescription:")
    result = site.run(BUILD_POSTS)
    assert result.returncode == 0, result.output
    assert wait_for_no_processes(site.root) == []


# --- The site build -----------------------------------------------------------------------


def test_failed_mkdocs_build_keeps_the_site(site):
    revert = replace(site, "beta", "Root two is", "See [nothing](missing-post.md). Root two is")
    started = time.perf_counter()
    result = site.run(BUILD_SITE)
    assert result.returncode == 1, result.output
    assert "missing-post.md" in result.stdout and "site/ left as it was" in result.stderr
    assert not TRACEBACK.search(result.output), result.output
    assert _bytes(site.state()["site"]) == _bytes(site.good_state["site"])
    assert wait_for_no_processes(site.root) == []
    revert()
    after = site.run(BUILD_SITE)
    assert after.returncode == 0 and executed_count(after) == 0, after.output
    record(
        "broken link (mkdocs --strict)",
        exit=1,
        message=next(r for r in result.stdout.splitlines() if "missing-post.md" in r)[:160],
        site_kept=True,
        executed_after_revert=0,
        seconds=round(time.perf_counter() - started, 1),
    )


def test_deleted_post_is_pruned(site):
    site.path("beta").unlink()
    result = site.run(BUILD_SITE)
    assert result.returncode == 0, result.output
    assert not (site.root / ".cache" / "posts" / "beta").exists()
    assert not (site.root / "docs" / "blog" / "posts" / "beta.md").exists()
    assert not (site.root / "site" / "blog" / "beta").exists()
    assert (site.root / "site" / "blog" / "alpha" / "index.html").is_file()
    assert (site.root / ".cache" / "posts" / "alpha").is_dir()


def test_concurrent_site_builds_wait_for_each_other(site):
    """Two `make site` at once: the second waits; both succeed; site/ is whole."""
    replace(site, "beta", "root = math.sqrt(2)\n", "root = math.sqrt(2)\nimport time\ntime.sleep(1)\n")
    results = [None, None]

    def run(index):
        results[index] = site.run(BUILD_SITE)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
        time.sleep(0.3)
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    for result in results:
        assert result.returncode == 0, result.output
    waited = [r for r in results if "waiting for another build in this checkout to finish (pid" in r.stderr]
    assert len(waited) == 1, [r.output for r in results]
    assert executed_count(results[0]) + executed_count(results[1]) == 1  # the second found it cached
    files = {path.relative_to(site.root / "site") for path in (site.root / "site").rglob("*")}
    assert Path("index.html") in files and Path("blog/beta/index.html") in files
    assert not list((site.root / ".build").glob("site-*")), "a temporary site was left behind"
    assert wait_for_no_processes(site.root) == []
    record(
        "two `make site` at once",
        exit=0,
        message=next(r for r in waited[0].stderr.splitlines() if r.startswith("waiting")),
        site_kept=True,
        executed_after_revert=None,
        seconds=round(seconds, 1),
    )


def test_a_failed_swap_fails_the_build(site, monkeypatch):
    """If site/ cannot be replaced, the build says so and fails; site/ stays whole."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from postbuild import site as site_module

    def refuse(new, target):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(site_module, "swap_in", refuse)
    monkeypatch.chdir(site.root)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.delenv("POSTBUILD_LOCK_HELD", raising=False)
    handler = signal.getsignal(signal.SIGTERM)
    try:
        assert site_module.main(["--force"]) == 1  # nothing changed: only forced does it build
    finally:
        signal.signal(signal.SIGTERM, handler)  # main() makes SIGTERM an interrupt
    assert _bytes(site.state()["site"]) == _bytes(site.good_state["site"])
    assert not list((site.root / ".build").glob("site-*"))


def test_swap_replaces_the_folder_in_one_step(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    from postbuild.site import swap_in

    old, new = tmp_path / "site", tmp_path / "new"
    old.mkdir()
    (old / "a").write_text("old")
    new.mkdir()
    (new / "a").write_text("new")
    swap_in(new, old)
    assert (old / "a").read_text() == "new" and not new.exists()


# --- Interrupts ---------------------------------------------------------------------------


def test_ctrl_c_stops_kernels_and_keeps_finished_posts(site):
    """A cold build interrupted while one post runs: stops in < 2 s, keeps the finished one."""
    shutil.rmtree(site.root / ".cache")
    revert = replace(
        site,
        "alpha",
        "value = helper.double(21)\n",
        "value = helper.double(21)\nimport time\ntime.sleep(60)\n",
    )
    process = subprocess.Popen(
        [*BUILD_POSTS],
        cwd=site.root,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    # Wait until beta has finished (alpha sleeps), then press Ctrl-C: SIGINT to the group.
    for row in process.stdout:
        if "executed  posts_src/beta.md" in row:
            break
    time.sleep(0.5)
    kernels = [p for p in processes_in(site.root) if "ipykernel" in p]
    assert kernels, "alpha's kernel should be running"
    pressed = time.perf_counter()
    os.killpg(process.pid, signal.SIGINT)
    code = process.wait(timeout=10)
    stderr = process.stderr.read()
    left = wait_for_no_processes(site.root, seconds=0)
    stopped = time.perf_counter() - pressed
    assert code == 130, stderr
    assert stopped < 2, stopped
    assert left == [], left
    lines = [row for row in stderr.splitlines() if row.strip()]
    assert len(lines) == 1 and lines[0].startswith("posts: interrupted"), stderr
    assert "1 post(s) finished and cached, 1 stopped" in lines[0]
    assert site.state()["docs"] == site.good_state["docs"]
    revert()
    after = site.run(BUILD_POSTS)
    assert after.returncode == 0 and executed_count(after) == 1, after.output  # alpha only
    assert "executed  posts_src/alpha.md" in after.stdout
    record(
        "Ctrl-C during a cold build",
        exit=code,
        message=lines[0],
        site_kept=True,
        executed_after_revert=1,
        seconds=round(stopped, 2),
    )


def test_the_lock_names_its_holder(tmp_path):
    """A build that must not wait fails at once, saying which process holds the checkout."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from postbuild.lock import HELD, LockBusy, build_lock

    lock = tmp_path / ".build" / "lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; sys.path.insert(0, sys.argv[1]); from pathlib import Path; "
            "from postbuild.lock import build_lock\n"
            "with build_lock(Path(sys.argv[2])):\n    print('held', flush=True); time.sleep(30)",
            str(ROOT / "scripts"),
            str(lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={key: value for key, value in ENV.items() if key != HELD},
    )
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(
            LockBusy, match=rf"another build is running in this checkout \(pid {holder.pid}: "
        ):
            with build_lock(lock, wait=False):
                pass
    finally:
        holder.kill()
        holder.wait()
    with build_lock(lock, wait=False):  # a killed holder releases the lock
        assert os.environ[HELD] == str(lock.resolve())
    assert HELD not in os.environ or os.environ[HELD] != str(lock.resolve())


def test_an_unchanged_project_is_not_rebuilt_and_any_change_is(site, monkeypatch):
    """`make site` skips MkDocs only when nothing it reads, and nothing in site/, changed."""
    unchanged = site.run(BUILD_SITE)
    assert unchanged.returncode == 0, unchanged.output
    assert "site: site/ is up to date" in unchanged.stdout
    assert site.state()["site"] == site.good_state["site"]  # not even rewritten

    about = site.root / "docs" / "about.md"
    about.write_text(about.read_text().replace("Claims.", "Claims, and links."))
    edited = site.run(BUILD_SITE)
    assert "site: built into site/" in edited.stdout, edited.output
    assert "Claims, and links." in (site.root / "site" / "about" / "index.html").read_text()

    (site.root / "site" / "about" / "index.html").unlink()  # site/ touched by hand
    restored = site.run(BUILD_SITE)
    assert "site: built into site/" in restored.stdout, restored.output
    assert (site.root / "site" / "about" / "index.html").is_file()

    monkeypatch.setitem(ENV, "SITE_MATH", "client")  # an environment variable the build reads
    math_moved = site.run(BUILD_SITE)
    assert "site: built into site/" in math_moved.stdout, math_moved.output

    forced = site.run([*BUILD_SITE, "--force"])
    assert "site: built into site/" in forced.stdout, forced.output
