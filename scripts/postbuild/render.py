"""Turn a post source plus its executed outputs into plain Markdown, figures and a notebook."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import escape as html_escape
from pathlib import Path

import nbformat
import yaml

from .errors import BuildError
from .execute import ANSI
from .frontmatter import CODE_DISPLAY
from .palette import dark_svg, svg_size
from .prose import typed_numbers
from .source import Cell, Post
from .tex import Math, find_math, wrap_references

# `{{ name }}` or `{{ name:spec }}`; `\{{` is a literal `{{`.
# `{{ 2010 }}`: a number written as a constant (a year, a figure number, a definition), not computed.
INLINE_VALUE = re.compile(
    r"(?<!\\)\{\{\s*(?:(?P<constant>-?\d[\d.,]*%?)|(?P<name>[A-Za-z_]\w*)\s*(?::(?P<spec>[^{}]*?))?)\s*\}\}"
)
UNREADABLE_VALUE = re.compile(r"(?<!\\)\{\{.*?\}\}")  # what is left after inserting values
EXCERPT_MARK = "<!-- more -->"
# The file name ipykernel gives a cell's code in warnings: it changes with every kernel.
KERNEL_FILE = re.compile(r"\S*ipykernel_\d+[/\\][^\s:]+\.py(?::(?P<line>\d+))?")
CLAIM_MIME = "application/vnd.postbuild.claim+json"  # posts_src/claims.py displays claims as this
VEGALITE_MIME = re.compile(r"application/vnd\.vegalite\.v[56]\+json")  # initlab.show_chart (Altair 5 or 6)
HIDDEN_INPUT = {"remove-input", "remove-cell"}
# Tags that say how a cell's code appears; a cell with none gets the post's `code:` default.
CODE_DISPLAY_TAGS = {"remove-input", "remove-cell", "code-fold", "code-show"}
HIDDEN_OUTPUT = {"remove-output", "remove-cell"}
FRONT_MATTER_OUT = ("title", "date", "authors", "categories", "tags", "description", "draft")


def without_kernel_files(text: str) -> str:
    """Name a cell's line as "cell line 3" instead of ipykernel's temporary file (a new one per run)."""
    if "ipykernel_" not in text:  # KERNEL_FILE's leading \S* is quadratic on a long word (a big output)
        return text
    return KERNEL_FILE.sub(lambda m: f"cell line {m['line']}" if m["line"] else "cell", text)


def format_value(value: object, spec: str | None) -> str:
    """Format an inserted value: `spec` if given, else 4 significant digits for floats."""
    if spec:
        return format(value, spec)
    if isinstance(value, float):
        return format(value, ".4g")
    return str(value)


def substitute_values(text: str, values: dict, name: str, first_line: int) -> str:
    """Replace every `{{ name[:spec] }}` in `text`; unknown names are BuildErrors."""

    def replace(match: re.Match) -> str:
        line = first_line + text.count("\n", 0, match.start())
        if match["constant"]:
            return match["constant"]
        key, spec = match["name"], match["spec"]
        if key not in values:
            raise BuildError(
                name, line, f"'{{{{ {key} }}}}': no code cell above this line defines a scalar named '{key}'"
            )
        try:
            return format_value(values[key], spec)
        except (ValueError, TypeError) as error:
            raise BuildError(
                name, line, f"cannot format {key}={values[key]!r} with '{spec}': {error}"
            ) from None

    text = INLINE_VALUE.sub(replace, text)
    leftover = UNREADABLE_VALUE.search(text)
    if leftover:
        line = first_line + text.count("\n", 0, leftover.start())
        raise BuildError(
            name,
            line,
            f"cannot insert '{leftover.group(0)}': write {{{{ name }}}} or {{{{ name:spec }}}} with a plain "
            "variable name (assign an attribute or expression to a variable in a code cell first)",
        )
    return text.replace("\\{{", "{{")


class Renderer:
    """Render one post; `files` maps output paths (relative to the docs folder) to bytes."""

    def __init__(
        self,
        post: Post,
        entry: dict,
        name: str,
        posts_dir: str,
        notebooks_dir: str,
        repo_url: str | None = None,
    ):
        self.post, self.entry, self.name = post, entry, name
        self.repo_url = repo_url  # the GitHub repository the site deploys from (Colab links)
        self.posts_dir, self.notebooks_dir = posts_dir, notebooks_dir
        self.files: dict[str, bytes] = {}
        self.figure_count = 0
        self.math: list[Math] = []  # every formula of the post, for the TeX check
        self.claims: list[dict] = []  # every claim of the post, with the cell that makes it

    def render(self) -> dict[str, bytes]:
        slug, front = self.post.slug, self.post.front
        header = {key: front[key] for key in FRONT_MATTER_OUT if key in front}
        header["slug"] = slug
        parts = [
            "---\n" + yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=1000) + "---",
            f"# {front['title']}",
        ]
        notebook_cells = []
        values: dict = {}
        code_index = 0
        excerpt_seen = False
        typed: list[tuple[int, str]] = []
        for cell in self.post.cells:
            if cell.kind == "markdown":
                typed += typed_numbers(cell.source, cell.line)
                text = wrap_references(substitute_values(cell.source, values, self.name, cell.line))
                self.math += find_math(text, cell.line)
                notebook_cells.append(nbformat.v4.new_markdown_cell(text))
                if EXCERPT_MARK in text and not excerpt_seen:
                    excerpt_seen = True  # the links go right under the summary
                    text = text.replace(EXCERPT_MARK, f"{EXCERPT_MARK}\n\n{self._notebook_links()}", 1)
                parts.append(text)
                continue
            executed = self.entry["cells"][code_index]
            code_index += 1
            values = executed["values"]
            parts.append(f'<span id="cell-{code_index}"></span>')  # the ledger links here
            self._check_stderr(executed, cell)
            self._collect_claims(executed, cell, code_index)
            parts.extend(self._code_cell(cell, executed))
            notebook_cells.append(
                nbformat.v4.new_code_cell(
                    cell.source,
                    execution_count=executed["execution_count"],
                    outputs=[nbformat.from_dict(_static_chart(o)) for o in executed["outputs"]],
                    metadata={"tags": cell.tags} if cell.tags else {},
                )
            )
        if not excerpt_seen:
            raise BuildError(self.name, None, "the post has no '<!-- more -->' line after its summary")
        if typed:
            (line, numeral), more = typed[0], typed[1:]
            raise BuildError(
                self.name,
                line,
                f"'{numeral}' is typed into the prose: insert the computed value ({{{{ name:.3f }}}}) "
                f"or, for a constant (a year, a figure number, a definition), write {{{{ {numeral} }}}}"
                + (f" ({len(more)} more below)" if more else ""),
                detail="\n".join(f"{self.name}:{line}: '{numeral}'" for line, numeral in more),
            )
        parts.append(ledger(self.claims))
        notebook_cells.append(nbformat.v4.new_markdown_cell(notebook_ledger(self.claims)))
        self.files[f"{self.posts_dir}/{slug}/claims.json"] = (
            json.dumps({"title": front["title"], "claims": self.claims}, indent=1, sort_keys=True) + "\n"
        ).encode()
        self.files[f"{self.posts_dir}/{slug}.md"] = ("\n\n".join(parts) + "\n").encode()
        self.files[f"{self.notebooks_dir}/{slug}.ipynb"] = self._notebook(notebook_cells)
        return self.files

    def _notebook_links(self) -> str:
        """Links under the summary: the executed notebook's page (download button there), and Colab.

        Colab opens notebooks from GitHub, not jupytext Markdown: the link points at the
        executed notebook on the gh-pages branch, which the deploy workflow pushes
        (`notebooks/<slug>/<slug>.ipynb` is where the site keeps the notebook file).
        """
        slug = self.post.slug
        up = "../" * (self.posts_dir.count("/") + 1)
        links = f"read or download the [executed notebook]({up}{self.notebooks_dir}/{slug}.ipynb)"
        github = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", self.repo_url or "")
        if github:
            owner, repo = github.groups()
            colab = (
                f"https://colab.research.google.com/github/{owner}/{repo}/blob/gh-pages/"
                f"{self.notebooks_dir}/{slug}/{slug}.ipynb"
            )
            links += f", or [open it in Colab]({colab})"
        return f"*Every number and figure in this post is computed by the code shown with it; {links}.*"

    def _check_stderr(self, executed: dict, cell: Cell) -> None:
        """A warning printed by a cell is an error unless the cell is tagged `expect-warning`."""
        if "expect-warning" in cell.tags:
            return
        for output in executed["outputs"]:
            if output["output_type"] == "stream" and output.get("name") == "stderr":
                text = ANSI.sub("", output["text"]).strip()
                where = KERNEL_FILE.search(text)  # "<tmp>/ipykernel_<pid>/<hash>.py:<line>": the cell's line
                line = cell.line + int(where["line"]) - 1 if where and where["line"] else cell.line
                first = without_kernel_files(text.split("\n", 1)[0])[:300]
                raise BuildError(
                    self.name,
                    line,
                    f"this cell wrote to stderr: {first!r}; fix its cause, or tag the cell "
                    '```python tags=["expect-warning"] if the post means to show it',
                )

    def _collect_claims(self, executed: dict, cell: Cell, number: int) -> None:
        for output in executed["outputs"]:
            record = output.get("data", {}).get(CLAIM_MIME)
            if record is not None:
                line = cell.line + _claim_line(cell.source, record["claim"])
                self.claims.append({**record, "cell": number, "line": line, "source": self.name})
                if not record["passed"]:
                    raise BuildError(self.name, line, output["data"]["text/plain"])

    def _code_cell(self, cell: Cell, executed: dict) -> list[str]:
        tags = set(cell.tags)
        if not tags & CODE_DISPLAY_TAGS:
            tags.add(CODE_DISPLAY[self.post.front.get("code", "show")])
        parts = []
        if not tags & HIDDEN_INPUT:
            code = _fenced(cell.source, "python")
            if "code-fold" in tags:  # folded under a one-line summary, like Quarto's code-fold
                code = (
                    f'<details class="code-fold" markdown="1">\n<summary>Code: {_code_summary(cell.source)}'
                    f"</summary>\n\n{code}\n\n</details>"
                )
            parts.append(code)
        if not tags & HIDDEN_OUTPUT:
            for output in executed["outputs"]:
                rendered = self._output(output, cell)
                if rendered:
                    parts.append(rendered)
        return parts

    def _output(self, output: dict, cell: Cell) -> str | None:
        kind = output["output_type"]
        if kind == "stream":
            text = without_kernel_files(ANSI.sub("", output["text"])).rstrip("\n")
            return _fenced(text, "text", "cell-output")
        if kind == "error":
            # The exception, not the traceback: readers see what was raised, search indexes no frames.
            message = f"{output['ename']}: {output['evalue']}".rstrip(": ")
            return _fenced(ANSI.sub("", message), "text", "cell-output cell-error")
        data, metadata = output.get("data", {}), output.get("metadata", {})
        if CLAIM_MIME in data:
            return None  # claims are listed in the ledger at the end of the post
        for mime in data:
            if VEGALITE_MIME.fullmatch(mime):
                return self._chart(data[mime], metadata.get(mime, {}), cell)
        for mime, extension in (("image/svg+xml", "svg"), ("image/png", "png")):
            if mime in data:
                return self._figure(data[mime], extension, metadata.get(mime, {}), cell)
        if "text/markdown" in data:
            return data["text/markdown"].strip()
        if "text/html" in data:
            return '<div class="cell-output-html" markdown="0">\n' + data["text/html"].strip() + "\n</div>"
        if "text/plain" in data:
            return _fenced(ANSI.sub("", data["text/plain"]), "text", "cell-output")
        return None

    def _figure(self, payload: str, extension: str, metadata: dict, cell: Cell) -> str:
        alt = metadata.get("alt", "").strip()
        if not alt:
            raise BuildError(
                self.name,
                cell.line,
                "this cell shows a figure without alt text: show figures "
                'with initlab.show(fig, alt="what it shows", caption="...")',
            )
        self.figure_count += 1
        filename = f"{self.post.slug}/fig-{self.figure_count}.{extension}"
        content = payload.encode() if extension == "svg" else base64.b64decode(payload)
        self.files[f"{self.posts_dir}/{filename}"] = content
        alt_text = alt.replace("[", "(").replace("]", ")").replace("\n", " ")
        caption = metadata.get("caption", "").strip()
        image = f"![{alt_text}]({filename})"
        if extension == "svg":  # one SVG per palette; Material shows the one that matches
            dark = f"{self.post.slug}/fig-{self.figure_count}-dark.svg"
            self.files[f"{self.posts_dir}/{dark}"] = dark_svg(payload).encode()
            attrs = f"loading=lazy{svg_size(payload)}"  # a size: no layout shift when it loads
            image = (
                f"![{alt_text}]({filename}#only-light){{ {attrs} }}"
                f"![{alt_text}]({dark}#only-dark){{ {attrs} }}"
            )
        html = f'<figure markdown="span">\n  {image}\n'
        if caption:
            html += f'  <figcaption markdown="span">{caption}</figcaption>\n'
        return html + "</figure>"

    def _chart(self, spec: dict, metadata: dict, cell: Cell) -> str:
        """An interactive chart: its Vega spec (compiled from Vega-Lite here, so pages load only Vega)
        and a static SVG of it, which readers without JavaScript and the feed see; both next to the post.
        docs/javascripts/charts.js replaces the SVG by the live chart."""
        alt = metadata.get("alt", "").strip()
        if not alt:
            raise BuildError(
                self.name,
                cell.line,
                "this cell shows a chart without alt text: show charts "
                'with initlab.show_chart(chart, alt="what it shows", caption="...")',
            )
        try:
            vega = json.loads(compiled_chart(spec, "vega"))
            svg = compiled_chart(_static_width(spec), "svg")
        except Exception as error:  # vl-convert raises ValueError with Vega's message
            raise BuildError(
                self.name, cell.line, f"this chart's Vega-Lite spec does not compile: {error}"
            ) from None
        self.figure_count += 1
        stem = f"{self.post.slug}/chart-{self.figure_count}"
        self.files[f"{self.posts_dir}/{stem}.svg"] = svg.encode()
        self.files[f"{self.posts_dir}/{stem}.vg.json"] = (
            json.dumps(vega, separators=(",", ":")) + "\n"
        ).encode()
        alt_text = alt.replace("[", "(").replace("]", ")").replace("\n", " ")
        caption = metadata.get("caption", "").strip()
        html = f'<figure class="vega-chart" id="chart-{self.figure_count}" markdown="span">\n'
        html += f"  ![{alt_text}]({stem}.svg)\n"
        # a link, so that the blog plugin publishes the spec next to the page (and readers can get it)
        html += f"  [chart data (Vega JSON)]({stem}.vg.json){{ .vega-chart__spec }}\n"
        if caption:
            html += f'  <figcaption markdown="span">{caption}</figcaption>\n'
        return html + "</figure>"

    def _notebook(self, cells: list) -> bytes:
        from .cache import local_imports

        front = self.post.front
        # The helper modules the post imports (posts_src/initlab.py) are published next to the
        # notebooks, so a notebook opened in Colab or downloaded can fetch them (first code cell).
        search_dir = self.post.path.parent
        code = "\n".join(cell.source for cell in self.post.code_cells)
        helpers = sorted(path for path in local_imports(code, search_dir) if path.parent == search_dir)
        for path in helpers:
            self.files[f"{self.notebooks_dir}/{path.name}"] = path.read_bytes()
        setup = []
        github = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", self.repo_url or "")
        if helpers and github:
            owner, repo = github.groups()
            base = f"https://raw.githubusercontent.com/{owner}/{repo}/gh-pages/{self.notebooks_dir}"
            setup = [
                nbformat.v4.new_code_cell(
                    "# Outside the site's build (Colab, a downloaded copy), fetch the helper module(s) this\n"
                    "# notebook imports, as published with the site it was executed for.\n"
                    "import importlib.util\n"
                    "import urllib.request\n\n"
                    f"for module in {[path.stem for path in helpers]!r}:\n"
                    "    if importlib.util.find_spec(module) is None:\n"
                    f'        urllib.request.urlretrieve(f"{base}/{{module}}.py", f"{{module}}.py")',
                    metadata={"tags": ["setup"]},
                )
            ]
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [
            nbformat.v4.new_markdown_cell(f"# {front['title']}\n\n{front['description']}"),
            *setup,
            *cells,
        ]
        notebook.metadata = {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": self.entry.get("language_info", {}),
        }
        for number, cell in enumerate(notebook.cells):
            cell["id"] = f"cell-{number}"  # stable ids: byte-identical notebooks
        return (nbformat.writes(notebook) + "\n").encode()


# Compiled charts (vl-convert: Vega-Lite to Vega, and to a static SVG), by spec, vl-convert's
# version and this module's code: a post's chart is compiled when its output changes, not on
# every render (0.6 s for the variance explorer's, on every warm build and every save of the
# post during `make serve`).
# In memory for the process; on disk in CHART_CACHE when the build sets it (build.py: the
# execution cache's folder, `chart-<key>.json`).
CHART_CACHE: Path | None = None
_charts: dict[str, str] = {}
_RENDER_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
charts_used: set[str] = set()  # cache files this process read or wrote (build.py prunes the rest)


def compiled_chart(spec: dict, kind: str) -> str:
    """The spec compiled by vl-convert: `kind` "vega" (its JSON text) or "svg"."""
    import vl_convert

    version = getattr(vl_convert, "__version__", "")
    # This module's own bytes too: an entry written by other code must not be served as ours.
    key = hashlib.sha256(
        json.dumps([kind, version, spec, _RENDER_CODE], sort_keys=True).encode()
    ).hexdigest()[:32]
    name = f"chart-{key}.json"
    charts_used.add(name)
    if key in _charts:
        return _charts[key]
    path = CHART_CACHE / name if CHART_CACHE is not None else None
    if path is not None and path.is_file():
        try:
            _charts[key] = json.loads(path.read_text(encoding="utf-8"))
            return _charts[key]
        except (OSError, ValueError):
            pass
    if kind == "vega":
        text = json.dumps(vl_convert.vegalite_to_vega(spec))
    else:
        text = vl_convert.vegalite_to_svg(spec)
    _charts[key] = text
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(text), encoding="utf-8")
        temporary.replace(path)
    return text


def _static_width(spec: dict) -> dict:
    """A chart as wide as its container (`"width": "container"`) gets 640 px in its static SVG."""
    return {**spec, "width": 640} if spec.get("width") == "container" else spec


def _static_chart(output: dict) -> dict:
    """A chart output as its static SVG in the notebook: notebook pages load no Vega (nor any CDN)."""
    data = output.get("data", {})
    mime = next((m for m in data if VEGALITE_MIME.fullmatch(m)), None)
    if mime is None:
        return output
    svg = compiled_chart(_static_width(data[mime]), "svg")
    meta = output.get("metadata", {}).get(mime, {})
    return {
        **output,
        "data": {"image/svg+xml": svg, "text/plain": meta.get("alt", "")},
        "metadata": {"image/svg+xml": meta},
    }


def _fenced(text: str, language: str, classes: str = "") -> str:
    """A fenced block whose fence is longer than any backtick run inside `text`."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    info = f"{{ .{language} .{' .'.join(classes.split())} }}" if classes else language
    return f"{fence}{info}\n{text}\n{fence}"


def _code_summary(source: str) -> str:
    """A folded cell's summary: its first comment, else its first line (HTML-escaped)."""
    lines = [line.strip() for line in source.split("\n") if line.strip()]
    comment = next((line.lstrip("# ").strip() for line in lines if line.startswith("#")), None)
    text = comment or (lines[0] if lines else "")
    text = text if len(text) <= 80 else text[:79] + "…"
    return f"<code>{html_escape(text)}</code>" if comment is None else html_escape(text)


def _claim_line(source: str, claim: str) -> int:
    """Offset of the line in a cell that states `claim` (0: the cell's first line)."""
    needle = claim[:40]
    for offset, row in enumerate(source.split("\n")):
        if needle in row:
            return offset
    return 0


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.4g}".replace("e-0", "e-").replace("e+0", "e")


def _escape_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def claim_row(claim: dict, link: str) -> str:
    """One ledger row: claim, predicted, measured ± spread, tolerance, alternatives, verdict, cell."""
    relation = {"=": "", "<": "< ", ">": "> "}[claim["relation"]]
    measured = format_number(claim["measured"])
    if claim.get("se") is not None:
        measured += f" ± {format_number(claim['se'])}"
    if claim.get("n"):
        measured += f" ({claim['n']} {claim['over']})"
    tolerance = f"± {format_number(claim['tol'])} ({claim['tol_source']})"
    alternatives = "; ".join(f"{format_number(a['value'])}: {a['what']}" for a in claim["rules_out"])
    verdict = "pass" if claim["passed"] else "**FAIL**"
    cells = [claim["claim"], relation + format_number(claim["predicted"]), measured, tolerance, alternatives]
    return "| " + " | ".join(_escape_cell(c) for c in cells) + f" | {verdict} | {link} |"


LEDGER_HEADER = (
    "| claim | predicted | measured | tolerance | rules out | | where |\n"
    "| --- | --- | --- | --- | --- | --- | --- |"
)


def notebook_ledger(claims: list[dict]) -> str:
    """The ledger as the notebook's last cell (an anchor for links to #checks; cells by number)."""
    rows = "\n".join(claim_row(c, f"cell {c['cell']}") for c in claims)
    table = f"{LEDGER_HEADER}\n{rows}" if claims else "This post states no measured result."
    return f'<a id="checks"></a>\n\n## What this post checks\n\n{table}'


def ledger(claims: list[dict]) -> str:
    """The collapsible "What this post checks" section that ends every post with claims.

    Not indexed by search: the checks page lists the same rows, once for the whole site.
    """
    rows = "\n".join(claim_row(c, f"[cell {c['cell']}](#cell-{c['cell']})") for c in claims)
    passed = sum(c["passed"] for c in claims)
    if not claims:
        return (
            '<details class="checks" id="checks" markdown="1" data-search-exclude>\n'
            "<summary>What this post checks: no claims</summary>\n\n"
            "This post states no measured result, so the build checks nothing in it beyond "
            "running its code. See [all checks](../../checks.md).\n\n</details>"
        )
    return (
        f'<details class="checks" id="checks" markdown="1" data-search-exclude>\n'
        f"<summary>What this post checks: {len(claims)} claims, {passed} pass</summary>\n\n"
        "Each row is a check the build ran on this page's numbers; a failing one stops the build. "
        "The tolerance is a number of standard errors of the measurement, or the numerical "
        "error of a deterministic computation; each claim must reject the wrong alternative "
        "it names. See [all checks](../../checks.md).\n\n"
        f"{LEDGER_HEADER}\n{rows}\n\n</details>"
    )


def checks_page(ledgers: dict[str, dict], posts_dir: str) -> str:
    """The site page that lists every post's claims (`ledgers`: slug -> claims.json content)."""
    total = sum(len(ledger["claims"]) for ledger in ledgers.values())
    passed = sum(c["passed"] for ledger in ledgers.values() for c in ledger["claims"])
    parts = [
        "---\ntitle: What the posts check\n---",
        "# What the posts check",
        f"The posts make **{total} claims**; the last build checked them all and {passed} pass "
        "(a failing claim stops the build, so a published site shows only passes). "
        "How a claim is checked is explained on the [about page](about.md#what-is-checked).",
        "| post | claims |\n| --- | --- |",
    ]
    rows = [
        # A post without claims has no ledger, hence no #checks anchor (a strict build warns).
        f"| [{ledger['title']}]({posts_dir}/{slug}.md{'#checks' if ledger['claims'] else ''}) "
        f"| {len(ledger['claims'])} |"
        for slug, ledger in sorted(ledgers.items())
    ]
    parts[-1] += "\n" + "\n".join(rows)
    for slug, ledger in sorted(ledgers.items()):
        if not ledger["claims"]:
            continue
        parts.append(f"## {ledger['title']}")
        body = "\n".join(
            claim_row(c, f"[cell {c['cell']}]({posts_dir}/{slug}.md#cell-{c['cell']})")
            for c in ledger["claims"]
        )
        parts.append(f"{LEDGER_HEADER}\n{body}")
    return "\n\n".join(parts) + "\n"
