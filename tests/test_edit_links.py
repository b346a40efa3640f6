"""hooks/edit_links.py: "edit this page" on a generated page opens posts_src/<slug>.md."""

import importlib.util
from types import SimpleNamespace

from conftest import ROOT

spec = importlib.util.spec_from_file_location("edit_links", ROOT / "hooks" / "edit_links.py")
edit_links = importlib.util.module_from_spec(spec)
spec.loader.exec_module(edit_links)

REPO = "https://github.com/owner/repo"


def edit_url_of(tmp_path, src_uri, repo_url=REPO):
    (tmp_path / "posts_src").mkdir(exist_ok=True)
    (tmp_path / "posts_src" / "a-post.md").write_text("---\n---\n")
    config = SimpleNamespace(
        repo_url=repo_url,
        edit_uri="edit/main/docs/",
        docs_dir=str(tmp_path / "docs"),
        config_file_path=str(tmp_path / "mkdocs.yml"),
    )
    page = SimpleNamespace(file=SimpleNamespace(src_uri=src_uri), edit_url=f"{REPO}/edit/main/docs/{src_uri}")
    edit_links.on_page_context({}, page=page, config=config, nav=None)
    return page.edit_url


def test_generated_post_and_notebook_pages_edit_their_source(tmp_path):
    assert edit_url_of(tmp_path, "blog/posts/a-post.md") == f"{REPO}/edit/main/posts_src/a-post.md"
    assert edit_url_of(tmp_path, "notebooks/a-post.ipynb") == f"{REPO}/edit/main/posts_src/a-post.md"
    assert (
        edit_url_of(tmp_path, "blog/posts/a-post.md", REPO + "/") == f"{REPO}/edit/main/posts_src/a-post.md"
    )


def test_hand_written_pages_keep_their_edit_url(tmp_path):
    assert edit_url_of(tmp_path, "about.md") == f"{REPO}/edit/main/docs/about.md"
    assert edit_url_of(tmp_path, "blog/index.md") == f"{REPO}/edit/main/docs/blog/index.md"
    # A page under blog/posts/ without a source in posts_src/ is hand-written.
    assert edit_url_of(tmp_path, "blog/posts/other.md") == f"{REPO}/edit/main/docs/blog/posts/other.md"
