"""TeX in prose: find the math the site will typeset, and check it before any page is built.

Math is found as pymdownx.arithmatex finds it ($...$, $$...$$, \\(...\\), \\[...\\],
\\begin{env}...\\end{env}) and checked with the site's own MathJax and macros
(scripts/check_tex.js), so broken TeX fails the build with its file and line
instead of showing red on the page.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError

MATH = re.compile(
    r"\$\$(?P<d1>.+?)\$\$"
    r"|(?P<env>\\begin\{(?P<name>\w+\*?)\}.+?\\end\{(?P=name)\})"
    r"|\\\[(?P<d2>.+?)\\\]"
    r"|\\\((?P<i1>.+?)\\\)"
    r"|(?<![\\$])\$(?!\s)(?P<i2>(?:\\.|[^\\$])+?)(?<!\s)\$",
    re.S,
)
REFERENCE = re.compile(r"\\(?:eq)?ref\{([^}]*)\}")
LABEL = re.compile(r"\\label\{([^}]*)\}")
CHECKER = Path(__file__).resolve().parent.parent / "check_tex.js"
TEX_PASSED = "tex-passed.json"  # in the execution cache: keys of the posts whose formulas passed


@dataclass(frozen=True)
class Math:
    line: int
    tex: str
    display: bool


def _blank(match: re.Match) -> str:
    """The matched text as spaces, line breaks kept: positions and line numbers stay valid."""
    return re.sub(r"[^\n]", " ", match.group(0))


def without_code(text: str) -> str:
    """Blank out fenced blocks and inline code."""
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1", _blank, text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", _blank, text)


def find_math(text: str, first_line: int) -> list[Math]:
    prose = without_code(text)
    found = []
    for match in MATH.finditer(prose):
        line = first_line + prose.count("\n", 0, match.start())
        display = match["i1"] is None and match["i2"] is None
        tex = next(match[g] for g in ("d1", "env", "d2", "i1", "i2") if match[g] is not None)
        found.append(Math(line, tex, display))
    return found


def wrap_references(text: str) -> str:
    """Put `\\eqref{...}` written in plain prose inside math, where MathJax typesets it."""
    prose = without_code(text)
    outside = MATH.sub(_blank, prose)
    for match in reversed(list(REFERENCE.finditer(outside))):
        text = f"{text[: match.start()]}${match.group(0)}${text[match.end() :]}"
    return text


def check_labels(math: list[Math], name: str) -> list[BuildError]:
    """Every \\eqref names a \\label of the same post (MathJax would show '(???)')."""
    labels = {label for item in math for label in LABEL.findall(item.tex)}
    return [
        BuildError(name, item.line, f"\\eqref{{{ref}}} refers to no \\label in this post")
        for item in math
        for ref in REFERENCE.findall(item.tex)
        if ref not in labels
    ]


def check_tex(
    posts: dict[str, list[Math]], config: Path, mathjax: Path, cache: Path | None = None
) -> list[BuildError]:
    """Typeset every formula with MathJax (in Node); return an error per bad formula.

    With a `cache` folder, posts whose formulas (with the same config, MathJax and
    checker) passed before are not checked again; Node runs only if some post's math changed.
    """
    errors = [error for name, math in posts.items() for error in check_labels(math, name)]
    node = shutil.which("node")
    if node is None or not (mathjax / "package.json").is_file():
        return errors + [
            BuildError(str(mathjax), None, "Node.js and MathJax are needed to check TeX: run `make setup`")
        ]
    passed_file = cache / TEX_PASSED if cache is not None else None
    passed = _read_passed(passed_file)
    keys = {name: _math_key(math, config, mathjax) for name, math in posts.items()}
    snippets, where = [], []
    for name, math in posts.items():
        if keys[name] in passed:
            continue
        for item in math:
            snippets.append({"tex": item.tex, "display": item.display, "group": name})
            where.append((name, item))
    if not snippets:
        _write_passed(passed_file, set(keys.values()))
        return errors
    result = subprocess.run(
        [node, str(CHECKER), str(config), str(mathjax)],
        input=json.dumps(snippets),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        return errors + [BuildError(str(CHECKER), None, f"TeX check failed to run: {result.stderr.strip()}")]
    failed = set()
    for problem in json.loads(result.stdout):
        name, item = where[problem["index"]]
        failed.add(name)
        shown = item.tex if len(item.tex) <= 80 else item.tex[:77] + "..."
        errors.append(BuildError(name, item.line, f"TeX error: {problem['error']} in: {shown.strip()}"))
    _write_passed(passed_file, {key for name, key in keys.items() if name not in failed})
    return errors


def _math_key(math: list[Math], config: Path, mathjax: Path) -> str:
    """What a post's check depends on: its formulas in order, the macros, MathJax and the checker."""
    digest = hashlib.sha256()
    for part in (
        CHECKER.read_bytes(),
        config.read_bytes(),
        (mathjax / "package.json").read_bytes(),
        json.dumps([[item.tex, item.display] for item in math]).encode(),
    ):
        digest.update(f"{len(part)}:".encode())
        digest.update(part)
    return digest.hexdigest()


def _read_passed(path: Path | None) -> set[str]:
    if path is None or not path.is_file():
        return set()
    try:
        return set(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return set()  # a damaged record means: check everything


def _write_passed(path: Path | None, keys: set[str]) -> None:
    """Record the keys of the posts that passed (only current posts: the file never grows)."""
    if path is None or _read_passed(path) == keys:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(sorted(keys), file)
    os.replace(temp, path)
