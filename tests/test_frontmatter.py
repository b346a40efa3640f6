"""Front matter validation: messages name the file, the line and the field."""

import pytest
from conftest import FRONT

from postbuild.errors import BuildError
from postbuild.frontmatter import Allowed, validate
from postbuild.source import read_post

ALLOWED = Allowed(frozenset({"editors"}), frozenset({"Foundations"}))


def check(tmp_path, front: str):
    path = tmp_path / "p.md"
    path.write_text(front + "\nBody.\n")
    validate(read_post(path, "posts_src/p.md"), ALLOWED, "posts_src/p.md")


def valid(**changes) -> str:
    text = FRONT.format(title="T", extra="")
    for old, new in changes.items():
        text = text.replace(old, new)
    return text


def test_valid_front_matter_passes(tmp_path):
    check(tmp_path, valid())


@pytest.mark.parametrize(
    "front, expected",
    [
        (valid(**{"date: 2026-11-20\n": ""}), r"p.md:1: error: front matter field 'date' is missing"),
        (valid(**{"2026-11-20": "'20 Nov'"}), r"p.md:3: error: front matter field 'date': must be a date"),
        (
            valid(**{"[Foundations]": "[Foundatoins]"}),
            r"p.md:5: error: .*'categories': unknown category 'Foundatoins'",
        ),
        (valid(**{"[editors]": "[somebody]"}), r"p.md:4: error: .*'authors': unknown author 'somebody'"),
        (valid(**{"tags: [test]": "tags: test"}), r"p.md:6: error: .*'tags': must be a list"),
        (valid(**{"tags: [test]": "tags: [test]\nsummary: x"}), r"p.md:7: error: .*'summary': unknown field"),
        (valid(**{"A fixture post used by the executor tests.": "short"}), r"p.md:7: error: .*'description'"),
        (
            valid(**{"tags: [test]": "tags: [test]\nexecute: {timeout: -1}"}),
            r"p.md:7: error: .*'execute': timeout",
        ),
    ],
)
def test_bad_front_matter_names_file_line_and_field(tmp_path, front, expected):
    with pytest.raises(BuildError, match=expected):
        check(tmp_path, front)


def test_allowed_lists_come_from_the_site_files(tmp_path):
    (tmp_path / ".authors.yml").write_text("authors:\n  editors:\n    name: E\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - search\n  - blog:\n      categories_allowed: [A, B]\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "site_url: !ENV [SITE_URL, 'http://x/']\n"
    )
    allowed = Allowed.from_files(tmp_path / ".authors.yml", tmp_path / "mkdocs.yml")
    assert allowed == Allowed(frozenset({"editors"}), frozenset({"A", "B"}))
