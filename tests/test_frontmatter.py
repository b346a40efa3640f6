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
        (
            valid(**{"tags: [test]": "tags: [test]\ncode: folded"}),
            r"p.md:7: error: .*'code': must be one of show, fold, hide .*not 'folded'",
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


def test_every_problem_is_reported_at_once_with_its_line(tmp_path):
    front = valid(
        **{
            "date: 2026-11-20": "date: 2026-13-45",
            "[editors]": "[somebody]",
            "tags: [test]": "tags: [test]\nsummary: x\nexecute: {timeout: 0, max_output: 1 XB, memory: 2}",
        }
    )
    with pytest.raises(BuildError) as error:
        check(tmp_path, front.replace("title: T\n", ""))
    lines = [line.removeprefix("posts_src/p.md:") for line in str(error.value).split("\n")]
    field = "error: front matter field"
    assert lines == [
        f"1: {field} 'title' is missing",
        f"2: {field} 'date': 2026-13-45 is not a date (month must be in 1..12)",
        f"3: {field} 'authors': unknown author 'somebody' (known: editors)",
        f"6: {field} 'summary': unknown field (allowed: title, date, authors, "
        "categories, tags, description, execute, jupyter, draft, code)",
        f"7: {field} 'execute': timeout must be a positive number of seconds, e.g. timeout: 300; not 0",
        f"7: {field} 'execute': max_output must be a positive size (bytes, "
        "or '8 MB'), e.g. max_output: '8 MB'; not '1 XB'",
        f"7: {field} 'execute': unknown setting 'memory' (settings: timeout, "
        "max_output, max_figures, max_figure_size, max_memory)",
    ]
    assert [e.line for e in error.value.errors] == [1, 2, 3, 6, 7, 7, 7]


def test_yaml_errors_name_the_file_line_where_the_problem_starts(tmp_path):
    path = tmp_path / "p.md"
    path.write_text(valid(**{"title: T": 'title: "T'}))
    with pytest.raises(BuildError) as error:
        read_post(path, "posts_src/p.md")
    message = str(error.value)
    assert message.startswith(
        "posts_src/p.md:2: error: front matter is not valid YAML: while scanning a quoted scalar, "
        "found unexpected end of stream"
    )
    assert "\n" not in message and "<unicode string>" not in message and "column" not in message


def test_non_utf8_bytes_name_their_line(tmp_path):
    path = tmp_path / "p.md"
    path.write_bytes(valid().encode() + b"\nCaf\xe9 au lait.\n")
    with pytest.raises(BuildError, match=r"^posts_src/p.md:10: error: byte 0xe9 at column 4 is not UTF-8"):
        read_post(path, "posts_src/p.md")


def test_a_title_heading_in_the_body_is_an_error(tmp_path):
    body = "\n# My title\n\nText with a `# not a heading` and\n\n```text\n# not a heading\n```\n\n## Fine\n"
    with pytest.raises(BuildError, match=r"^posts_src/p.md:10: error: a '# ' heading in the body"):
        check(tmp_path, valid() + body)


def test_limits_have_defaults_and_take_sizes_with_units(tmp_path):
    from postbuild.frontmatter import limits_of

    path = tmp_path / "p.md"
    path.write_text(valid(**{"tags: [test]": "tags: [test]\nexecute: {max_output: 3 MB, max_memory: 1 GiB}"}))
    limits = limits_of(read_post(path))
    assert (limits.timeout, limits.max_output, limits.max_memory) == (120, 3_000_000, 2**30)
    assert (limits.max_figures, limits.max_figure_size) == (20, 2_000_000)
