"""Two cold builds of the real posts give byte-identical output.

`make test` has just built every post (docs/blog/posts, docs/notebooks); this test
executes them all again from an empty cache into a temporary folder and compares
every generated file byte for byte: figures, notebooks, pages, ledgers.
"""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT

from postbuild.build import Settings, build
from postbuild.frontmatter import Allowed, repo_url_of


def generated(docs: Path) -> dict[str, bytes]:
    files = {}
    for folder in ("blog/posts", "notebooks"):
        for path in sorted((docs / folder).rglob("*")):
            if path.is_file():
                files[str(path.relative_to(docs))] = path.read_bytes()
    return files


def test_a_second_cold_build_is_byte_identical(tmp_path):
    built = generated(ROOT / "docs")
    assert built, "docs/blog/posts is empty: run `make test` (it builds the site first)"
    settings = Settings(
        src=ROOT / "posts_src",
        docs=tmp_path / "docs",
        cache=tmp_path / "cache",
        requirements=ROOT / "requirements.txt",
        allowed=Allowed.from_files(ROOT / "docs/blog/.authors.yml", ROOT / "mkdocs.yml"),
        repo_url=repo_url_of(ROOT / "mkdocs.yml"),
    )
    report = build(settings, log=lambda _: None)
    assert report.ok, "\n".join(map(str, report.errors))
    assert len(report.executed) == len(list((ROOT / "posts_src").glob("*.md")))  # all cold
    again = generated(tmp_path / "docs")
    assert sorted(again) == sorted(built)
    differ = [name for name in built if built[name] != again[name]]
    assert not differ, f"differ between two cold builds: {differ}"
