"""Shared fixtures: a tiny project (posts, helper module, authors, categories) in a temp dir."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from postbuild.build import Settings  # noqa: E402
from postbuild.frontmatter import Allowed  # noqa: E402

FRONT = """\
---
title: {title}
date: 2026-11-20
authors: [editors]
categories: [Foundations]
tags: [test]
description: A fixture post used by the executor tests.
{extra}---
"""


def post_text(body: str, title: str = "Fixture post", extra: str = "") -> str:
    """A post source: valid front matter, then `body` (dedented)."""
    return FRONT.format(title=title, extra=extra) + textwrap.dedent(body).lstrip("\n")


class Project:
    """A throwaway project: posts_src/, docs/, cache, requirements.txt."""

    def __init__(self, root: Path):
        self.root = root
        self.src = root / "posts_src"
        self.docs = root / "docs"
        self.src.mkdir(parents=True)
        self.docs.mkdir()
        (root / "requirements.txt").write_text("torch==2.13.0\n")
        self.settings = Settings(
            src=self.src,
            docs=self.docs,
            cache=root / ".cache",
            requirements=root / "requirements.txt",
            allowed=Allowed(frozenset({"editors"}), frozenset({"Foundations", "Derivations"})),
            jobs=2,
        )

    def write(self, name: str, text: str) -> Path:
        path = self.src / name
        path.write_text(text)
        return path

    def post(self, slug: str, body: str, **kwargs) -> Path:
        return self.write(f"{slug}.md", post_text(body, **kwargs))

    def output(self, slug: str) -> str:
        return (self.docs / "blog" / "posts" / f"{slug}.md").read_text()

    def snapshot(self) -> dict[str, bytes]:
        """Every generated file, by path."""
        return {
            str(p.relative_to(self.docs)): p.read_bytes() for p in sorted(self.docs.rglob("*")) if p.is_file()
        }


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)
