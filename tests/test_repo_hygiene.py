"""What the repository must hold: no executed notebooks, valid workflows, working pre-commit hooks."""

import json
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
SCRIPTS = ROOT / "scripts"


def run(*args, **kwargs):
    return subprocess.run(
        [sys.executable, *map(str, args)], capture_output=True, text=True, cwd=ROOT, **kwargs
    )


def notebook(outputs, execution_count=None):
    cell = {
        "cell_type": "code",
        "id": "a",
        "metadata": {},
        "source": "1 + 1",
        "execution_count": execution_count,
        "outputs": outputs,
    }
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


# --- no executed notebooks -------------------------------------------------------------------------


def test_no_tracked_notebook_has_outputs():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "*.ipynb"], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.split("\0")
    tracked = [name for name in tracked if name]
    if tracked:
        result = run(SCRIPTS / "check_notebooks.py", *tracked)
        assert result.returncode == 0, result.stdout


def test_notebook_check_rejects_outputs_and_accepts_clean(tmp_path):
    (tmp_path / "clean.ipynb").write_text(notebook([]))
    (tmp_path / "run.ipynb").write_text(
        notebook([{"output_type": "stream", "name": "stdout", "text": "2"}], 1)
    )
    assert run(SCRIPTS / "check_notebooks.py", tmp_path / "clean.ipynb").returncode == 0
    result = run(SCRIPTS / "check_notebooks.py", tmp_path / "clean.ipynb", tmp_path / "run.ipynb")
    assert result.returncode == 1 and "run.ipynb: cell 1 has outputs" in result.stdout


# --- GitHub workflows ------------------------------------------------------------------------------


def test_workflows_match_the_github_schema():
    pytest.importorskip("check_jsonschema")
    assert WORKFLOWS
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, WORKFLOWS),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_is_safe_for_forks_and_runs_the_readme_command():
    ci = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    triggers = ci[True]  # YAML 1.1 reads the key `on` as True
    assert "pull_request" in triggers and "pull_request_target" not in triggers
    assert triggers["push"]["branches"] == ["main"]
    assert ci["permissions"] == {}  # each job asks for its own
    text = (ROOT / ".github/workflows/ci.yml").read_text()
    assert "secrets." not in text
    test_steps = ci["jobs"]["test"]["steps"]
    assert any(step.get("run") == "make test" for step in test_steps)
    assert "make test" in (ROOT / "README.md").read_text()
    cache = next(step for step in test_steps if step.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"] == ".cache/posts" and "requirements.txt" in cache["with"]["key"]
    python = next(step for step in test_steps if step.get("uses", "").startswith("actions/setup-python"))
    assert python["with"] == {
        "python-version": "3.11",
        "cache": "pip",
        "cache-dependency-path": "requirements.txt",
    }


def test_ci_runs_post_code_only_without_write_access():
    """Least privilege: jobs that execute posts can write nothing; jobs that publish run no code."""
    ci = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    jobs = ci["jobs"]
    for name, job in jobs.items():
        runs = " ".join(step.get("run", "") for step in job["steps"])
        checkouts = [step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout")]
        for checkout in checkouts:
            assert checkout["with"]["persist-credentials"] is False, name
        if "make " in runs or checkouts:  # executes repository code, posts included
            assert job["permissions"] == {"contents": "read"}, name
        else:
            assert not checkouts and "make" not in runs and ".venv" not in runs, name
    build, deploy = jobs["build"], jobs["deploy"]
    assert build["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert build["needs"] == "test"
    assert any(step.get("uses", "").startswith("actions/upload-pages-artifact") for step in build["steps"])
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]
    assert jobs["notebooks"]["needs"] == "build"
    for job in ci["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert "@" in step["uses"], f"unpinned action {step['uses']}"


def test_pull_request_template_asks_for_figures_and_make_test():
    text = (ROOT / ".github/pull_request_template.md").read_text()
    assert "screenshot" in text and "`make test` passed" in text


# --- pre-commit hooks ------------------------------------------------------------------------------


def test_pre_commit_hooks_are_local_and_their_tools_are_installed():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert all(repo["repo"] == "local" for repo in config["repos"])  # nothing fetched from GitHub
    assert {
        "ruff-check",
        "ruff-format",
        "ruff-posts",
        "no-notebook-outputs",
        "trailing-whitespace",
        "end-of-file-fixer",
        "check-yaml",
    } <= {hook["id"] for hook in hooks}
    venv_bin = ROOT / ".venv" / "bin"
    if not venv_bin.is_dir():
        pytest.skip("no .venv: run `make setup`")
    for hook in hooks:
        tool = hook["entry"].split()[0]
        assert (ROOT / tool).is_file(), f"hook {hook['id']}: {tool} is missing (pin it in requirements.txt)"


def test_a_new_post_passes_the_post_lint_and_a_bad_cell_is_reported_at_its_line(tmp_path):
    if shutil.which("ruff") is None and not (ROOT / ".venv/bin/ruff").is_file():
        pytest.skip("ruff is not installed")
    assert run(SCRIPTS / "new_post.py", "Lint me", "--src", tmp_path).returncode == 0
    post = tmp_path / "lint-me.md"
    result = run(SCRIPTS / "lint_posts.py", post)
    assert result.returncode == 0, result.stdout
    text = post.read_text()
    post.write_text(
        text.replace("gen = initlab.seed_everything(0)", "gen = initlab.seed_everything(0)\nimport os")
    )
    line = text[: text.index("gen = initlab")].count("\n") + 2
    result = run(SCRIPTS / "lint_posts.py", post)
    assert result.returncode == 1
    assert f"{post}:{line}: F401" in result.stdout
    assert run(SCRIPTS / "lint_posts.py", "--fix", post).returncode == 1  # F401 is reported, not removed
    result = run(SCRIPTS / "lint_posts.py", post)
    assert "not formatted" not in result.stdout


# --- the CPU build of torch, everywhere --------------------------------------------------------------


def test_torch_is_the_pinned_cpu_build():
    import torch

    pins = [
        line for line in (ROOT / "requirements.txt").read_text().split("\n") if line.startswith("torch==")
    ]
    assert pins == ["torch==2.13.0+cpu"], "pin the CPU build exactly (PyPI's torch is the CUDA build)"
    assert torch.__version__ == "2.13.0+cpu" and torch.version.cuda is None
    pulled_by_cuda = [
        line
        for line in (ROOT / "requirements.txt").read_text().split("\n")
        if line.startswith(("nvidia-", "triton"))
    ]
    assert not pulled_by_cuda, f"CUDA packages in requirements.txt: {pulled_by_cuda}"


def test_make_adds_the_cpu_index_only_where_the_wheel_is_not_local():
    makefile = (ROOT / "Makefile").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in makefile
    assert "$(TORCH_INDEX)" in makefile.split("$(PY_STAMP): requirements.txt", 1)[1].split("\n\n", 1)[0]
