"""Scaffold posts_src/<slug>.md: a new post that builds as it is (`make new-post TITLE="..."`).

The scaffold shows every convention a post follows (front matter, bold summary and
excerpt marker, seeding cell, a computed value in prose, a claim, a figure
with alt text and caption), so a contributor edits a working post instead of
starting from a blank page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from postbuild.errors import BuildError  # noqa: E402
from postbuild.frontmatter import Allowed, validate  # noqa: E402
from postbuild.source import read_post  # noqa: E402

DEFAULT_CATEGORY = "Foundations"
DEFAULT_AUTHOR = "editors"
PRIMER = "expectation-and-variance"  # linked from the scaffold, if it exists

TEMPLATE = """\
---
title: {title}
date: {date}
authors: [{author}]
categories: [{category}]
tags: [draft]
description: {description}
jupyter:
  kernelspec: {{display_name: Python 3, language: python, name: python3}}
---

**Replace this with the post's summary: one or two sentences saying what the reader
will know at the end. It is the excerpt shown in the list of posts.**

<!-- more -->

## The question

State the question the post answers, in the reader's words if it comes from the
forum thread. Notation (macros in docs/javascripts/mathjax-config.js): a layer has
$\\nin$ inputs and $\\nout$ outputs, it is layer $l$ of $L$; write $\\Var[\\cdot]$ and
$\\E[\\cdot]$.{primer}

The first code cell imports the shared helpers and seeds every random generator:

```python
import claims
import matplotlib.pyplot as plt
import torch

import initlab

gen = initlab.seed_everything(0)
```

## An experiment

A linear layer whose weights have variance $1/\\nin$ keeps the variance of its
input: $\\Var[y] = \\nin \\Var[w] \\Var[x] = 1$.
Measure it, over a few seeds:

```python
n_in, n_out, batch, n_seeds = 256, 256, 512, 8
output_vars = []
for seed in range(n_seeds):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, n_in, generator=g)
    weight = torch.randn(n_out, n_in, generator=g) / n_in**0.5
    y = x @ weight.T
    output_vars.append(y.var().item())
```

Every claim is a check (`claims.check`): the measurement, the prediction, and the
wrong answer it rules out; its tolerance comes from the spread over seeds. Here,
forgetting to scale the weights would give $\\Var[y] = \\nin$:

```python
var_claim = claims.check(
    "a layer with Var[w] = 1/n_in keeps the variance of its input",
    measured=output_vars,
    predicted=1.0,
    rules_out={{"unscaled weights (Var[w] = 1)": n_in, "half the fan-in": 2.0}},
)
mean_var, var_tol = var_claim.measured, var_claim.tol
```

The measured output variance is {{{{ mean_var:.3f }}}} over {{{{ n_seeds }}}} seeds, against
the predicted 1, within {{{{ var_tol:.2g }}}}. Numbers in the prose come from the code like
these; a number typed by hand is a build error, unless it is a constant written as
`\\{{{{ 2010 }}}}`.

## A figure

Figures go through `initlab.show`, with alt text saying what the figure shows
(computed numbers may go in it) and a caption:

```python
fig, ax = plt.subplots()
ax.hist(y.flatten().numpy(), bins=80, density=True)
ax.set_xlabel("output $y$")
ax.set_ylabel("density")
initlab.show(
    fig,
    alt=f"Histogram of the layer's outputs: a bell curve centred on 0 with variance {{output_vars[-1]:.2f}}.",
    caption="Outputs of one linear layer with $\\\\Var[w] = 1/\\\\nin$.",
)
```
"""


def slugify(title: str) -> str:
    """`Why Var[y] = 1?` -> `why-var-y-1`: ASCII letters and digits joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def scaffold(
    title: str,
    date: dt.date,
    category: str = DEFAULT_CATEGORY,
    author: str = DEFAULT_AUTHOR,
    primer: str | None = None,
) -> str:
    """The text of a new post titled `title`; `primer`: the slug of a post to link to, if any."""
    # JSON strings are YAML double-quoted scalars: any title survives, quotes and backslashes included.
    description = f"{title}: replace this with one sentence for search and link previews."
    return TEMPLATE.format(
        title=json.dumps(title, ensure_ascii=False),
        date=date.isoformat(),
        author=author,
        category=category,
        description=json.dumps(description, ensure_ascii=False),
        primer=f"\n\nLink the posts this one builds on, as a relative link to their source: the rules used\n"
        f"below are derived in [the primer]({primer}.md)."
        if primer
        else "",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="new_post", description=__doc__.split("\n", 1)[0])
    parser.add_argument("title", help='the post title, e.g. "Why LSUV works"')
    parser.add_argument("--slug", help="file name without .md (default: from the title)")
    parser.add_argument("--category", default=DEFAULT_CATEGORY)
    parser.add_argument("--author", default=DEFAULT_AUTHOR)
    parser.add_argument("--src", type=Path, default=ROOT / "posts_src")
    parser.add_argument("--authors-file", type=Path, default=ROOT / "docs/blog/.authors.yml")
    parser.add_argument("--site-config", type=Path, default=ROOT / "mkdocs.yml")
    args = parser.parse_args(argv)

    title = args.title.strip()
    slug = args.slug or slugify(title)
    if not title or not slug:
        parser.error('give a title with letters or digits: make new-post TITLE="Why LSUV works"')
    path = args.src / f"{slug}.md"
    if path.exists():
        print(
            f"new-post: {path} exists; not overwriting it (choose another TITLE or edit that file)",
            file=sys.stderr,
        )
        return 1
    primer = PRIMER if (args.src / f"{PRIMER}.md").is_file() else None
    text = scaffold(title, dt.date.today(), args.category, args.author, primer)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as file:  # "x": never overwrite, even in a race
        file.write(text)
    # Check the scaffold against the same rules as the build, so a bad --category fails here.
    try:
        validate(
            read_post(path, str(path)), Allowed.from_files(args.authors_file, args.site_config), str(path)
        )
    except BuildError as error:
        path.unlink()
        print(f"new-post: {error}", file=sys.stderr)
        return 1
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(
        f"new-post: wrote {shown}\n"
        f"  edit it, then `make serve` to preview (only this post re-executes on save)\n"
        f"  or `make posts POSTS={slug}` to execute just this post"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
