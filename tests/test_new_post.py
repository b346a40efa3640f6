"""`make new-post` scaffolds a post that is valid and builds as it is."""

import json
import re
import shutil
import subprocess
import sys

from conftest import ROOT

from postbuild.build import build
from postbuild.frontmatter import Allowed, validate
from postbuild.source import read_post

NEW_POST = ROOT / "scripts" / "new_post.py"


def new_post(src, *args):
    return subprocess.run(
        [sys.executable, str(NEW_POST), *args, "--src", str(src)], capture_output=True, text=True, cwd=ROOT
    )


def test_scaffold_builds_as_it_is(project):
    for helper in ("initlab.py", "claims.py"):
        shutil.copy(ROOT / "posts_src" / helper, project.src / helper)
    project.settings.repo_url = "https://github.com/owner/repo"
    result = new_post(project.src, "Why Var[y] = 1, measured")
    assert result.returncode == 0, result.stderr
    report = build(project.settings, log=lambda message: None)
    assert report.ok, report.errors
    assert report.executed == ["why-var-y-1-measured"]
    text = project.output("why-var-y-1-measured")
    assert "title: Why Var[y] = 1, measured" in text
    assert re.search(r"The measured output variance is [01]\.\d{3} over 8 seeds, against", text)  # computed
    assert "{{" not in text.replace("`{{ 2010 }}`", "")  # the one literal shows how to mark a constant
    assert "![Histogram of the layer's outputs" in text
    assert (project.docs / "blog/posts/why-var-y-1-measured/fig-1.svg").is_file()
    assert (project.docs / "notebooks/why-var-y-1-measured.ipynb").is_file()
    # Links under the summary: the notebook page, and Colab on the deployed gh-pages branch.
    assert "[executed notebook](../../notebooks/why-var-y-1-measured.ipynb)" in text
    assert (
        "[open it in Colab](https://colab.research.google.com/github/owner/repo/blob/gh-pages/"
        "notebooks/why-var-y-1-measured/why-var-y-1-measured.ipynb)"
    ) in text
    # The notebook fetches the helper it imports, published next to it, when it runs elsewhere.
    assert (project.docs / "notebooks/initlab.py").read_bytes() == (project.src / "initlab.py").read_bytes()
    notebook = json.loads((project.docs / "notebooks/why-var-y-1-measured.ipynb").read_text())
    setup = "".join(notebook["cells"][1]["source"])
    assert "https://raw.githubusercontent.com/owner/repo/gh-pages/notebooks/{module}.py" in setup
    assert "['claims', 'initlab']" in setup and not notebook["cells"][1]["outputs"]
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code[0] == notebook["cells"][1] and code[1]["outputs"] == []  # seeding cell: no output
    assert "".join(code[1]["source"]).endswith("gen = initlab.seed_everything(0)")


def test_scaffold_refuses_to_overwrite(tmp_path):
    assert new_post(tmp_path, "Same title").returncode == 0
    (tmp_path / "same-title.md").write_text("my work")
    result = new_post(tmp_path, "Same title")
    assert result.returncode == 1 and "not overwriting" in result.stderr
    assert (tmp_path / "same-title.md").read_text() == "my work"


def test_scaffold_category_and_author_are_valid_for_the_real_site(tmp_path):
    """The defaults (Foundations, editors) exist in mkdocs.yml and .authors.yml."""
    assert new_post(tmp_path, "Valid front matter").returncode == 0
    allowed = Allowed.from_files(ROOT / "docs/blog/.authors.yml", ROOT / "mkdocs.yml")
    path = tmp_path / "valid-front-matter.md"
    post = read_post(path)
    validate(post, allowed, str(path))  # raises BuildError naming file:line:field
    assert post.front["jupyter"]["kernelspec"]["name"] == "python3"
    assert post.code_cells[0].source.splitlines()[-1] == "gen = initlab.seed_everything(0)"


def test_unknown_category_is_refused_and_nothing_is_left(tmp_path):
    result = new_post(tmp_path, "Bad category", "--category", "Foundatoins")
    assert result.returncode == 1 and "categories" in result.stderr
    assert not list(tmp_path.iterdir())


def test_any_title_gives_valid_front_matter(tmp_path):
    title = 'Why $\\Var[y]$ "stays" at 1: it\'s fan-in — é'
    assert new_post(tmp_path, title).returncode == 0
    post = read_post(tmp_path / "why-var-y-stays-at-1-it-s-fan-in-e.md")
    assert post.front["title"] == title


def test_scaffold_links_the_primer_when_there_is_one(tmp_path):
    (tmp_path / "expectation-and-variance.md").write_text("")
    assert new_post(tmp_path, "With a link").returncode == 0
    assert "[the primer](expectation-and-variance.md)" in (tmp_path / "with-a-link.md").read_text()
    assert (ROOT / "posts_src" / "expectation-and-variance.md").is_file()  # the real site has it
