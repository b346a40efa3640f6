"""Computed values in prose, references and figures: rendering rules and their errors."""

import pytest

from postbuild.errors import BuildError
from postbuild.render import format_value, substitute_values
from postbuild.tex import wrap_references


@pytest.mark.parametrize(
    "value, spec, text",
    [
        (0.123456789, None, "0.1235"),
        (0.123456789, ".2f", "0.12"),
        (0.25, ".0%", "25%"),
        (12, None, "12"),
        (1234567, ",", "1,234,567"),
        (True, None, "True"),
        ("relu", None, "relu"),
    ],
)
def test_format_value(value, spec, text):
    assert format_value(value, spec) == text


def test_substitution_in_prose_and_math():
    values = {"std": 0.70710678, "n": 512}
    text = "With $n = {{ n }}$ the std is {{std:.3f}}; literal \\{{ n }} stays."
    assert (
        substitute_values(text, values, "p.md", 1)
        == "With $n = 512$ the std is 0.707; literal {{ n }} stays."
    )


def test_unknown_name_names_file_and_line():
    with pytest.raises(BuildError) as error:
        substitute_values("first line\nsecond {{ missing }}", {"x": 1}, "posts_src/p.md", 40)
    assert str(error.value).startswith("posts_src/p.md:41: error: '{{ missing }}': no code cell above")


def test_bad_format_spec_is_an_error():
    with pytest.raises(BuildError, match=r"p.md:3: error: cannot format n=3 with '.2q'"):
        substitute_values("{{ n:.2q }}", {"n": 3}, "p.md", 3)


def test_references_in_prose_are_put_in_math():
    equation = "\\begin{equation}x \\label{eq:a}\\end{equation}"
    text = f"see $\\eqref{{eq:a}}$, \\eqref{{eq:b}} and\n{equation}\n`\\eqref{{code}}`"
    assert (
        wrap_references(text)
        == f"see $\\eqref{{eq:a}}$, $\\eqref{{eq:b}}$ and\n{equation}\n`\\eqref{{code}}`"
    )
