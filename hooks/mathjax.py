"""Math typeset when the site is built: MathJax 4 SVG in the HTML, no MathJax in the browser.

Every page's formulas (arithmatex's `\\(..\\)`, `\\[..\\]`, `\\begin{env}` on posts and hand
pages; the same on notebook pages, wrapped by hooks/notebook_pages.py; `\\(..\\)` in the
table of contents) go to one Node process (scripts/typeset.js, `@mathjax/src` 4.x pinned in
package.json) with the macros of docs/javascripts/mathjax-config.js. A page is one MathJax
document: AMS numbers, \\label and \\eqref per page, as in the browser. The answers are
cached by the page's formulas, so a rebuild whose math did not change starts no Node.

Runs in `on_post_page`, after the search plugin indexed the page: search keeps indexing
the TeX (`\\Var` finds its posts), as it did with MathJax in the browser.

Each formula keeps: its SVG (glyphs as `<use>` of one set of paths per page, colours from
`currentColor`, so both palettes and print), MathJax's assistive MathML for screen readers,
and its TeX in the MathML's `data-latex`. A display formula wider than a phone also gets a
line-broken copy, shown by CSS below 45 em (docs/stylesheets/extra.css).

SITE_MATH=client builds the site as it was before (MathJax 3 typesets in the browser):
the "today" column of the reader benchmark (scripts/bench.py).
"""

from __future__ import annotations

import atexit
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

from mkdocs.exceptions import PluginError

MODE = os.environ.get("SITE_MATH", "build")
NODE_PACKAGE = Path("node_modules/@mathjax/src")
CONFIG_JS = Path("docs/javascripts/mathjax-config.js")
SCRIPT = Path("scripts/typeset.js")
CSS_PATH = "assets/stylesheets/mathjax.css"
CACHE_DIR = Path(".cache/mathjax")

# MathJax 3 in the browser (SITE_MATH=client only).
CLIENT_SOURCE = Path("node_modules/mathjax/es5")
CLIENT_PARTS = ["tex-chtml.js", "input", "output/chtml", "ui", "a11y", "sre", "adaptors"]
CLIENT_SCRIPTS = [
    "javascripts/mathjax-config.js",
    "assets/mathjax/tex-chtml.js",
    "javascripts/mathjax-typeset.js",
]

# arithmatex's wrapper (its text is HTML-escaped TeX with delimiters), and TeX in the
# table of contents (Material prints the heading's text there).
ARITHMATEX = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>', re.S)
TOC_TEXT = re.compile(r'(<span class="md-ellipsis">)(.*?)(</span>)', re.S)
TOC_MATH = re.compile(r"\\\((.+?)\\\)", re.S)
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">')
MERROR = re.compile(r'data-mjx-error="([^"]*)"|data-mml-node="merror"')
CONTAINER = '<mjx-container class="MathJax"'


class Typesetter:
    """scripts/typeset.js, started on first use and kept for the life of the MkDocs process."""

    def __init__(self, root: Path, version: str = ""):
        self.root, self.version = root, version
        self.process: subprocess.Popen | None = None

    def request(self, payload: dict) -> dict:
        if self.process is None or self.process.poll() is not None:
            node = shutil.which("node")
            if node is None:
                raise PluginError("mathjax: `node` is not on PATH; it typesets the math (see README)")
            self.process = subprocess.Popen(
                [node, str(SCRIPT), str(CONFIG_JS), str(NODE_PACKAGE)],
                cwd=self.root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            atexit.register(self.close)
        self.process.stdin.write(json.dumps(payload) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise PluginError(f"mathjax: {SCRIPT} exited ({self.process.poll()}) without an answer")
        answer = json.loads(line)
        if "error" in answer:
            raise PluginError(f"mathjax: {SCRIPT} failed: {answer['error']}")
        return answer

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


# `mkdocs serve` loads this hook afresh for every rebuild: the Node process is kept in a
# module that survives the reloads, so a session starts one, not one per rebuild.
_KEEP = sys.modules.setdefault("_site_mathjax_typesetters", types.ModuleType("_site_mathjax_typesetters"))
_typesetter: Typesetter | None = None
_version = ""  # the cache key's part that is not the formulas: MathJax, script, config


def _root(config) -> Path:
    return Path(config["config_file_path"]).parent


def _file_hash(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def on_config(config, **kwargs):
    global _typesetter, _version
    root = _root(config)
    if MODE == "client":
        for script in CLIENT_SCRIPTS:
            if script not in [str(s) for s in config["extra_javascript"]]:
                config["extra_javascript"].append(script)
        return config
    if not (root / NODE_PACKAGE / "package.json").is_file():
        raise PluginError(f"MathJax 4 is not installed at {root / NODE_PACKAGE}: run `make setup` (npm ci)")
    _version = _file_hash(root / NODE_PACKAGE / "package.json", root / SCRIPT, root / CONFIG_JS)
    kept = _KEEP.__dict__.setdefault("by_root", {})
    _typesetter = kept.get(str(root))
    if _typesetter is None or _typesetter.version != _version:  # a new MathJax, script or config
        if _typesetter is not None:
            _typesetter.close()
        _typesetter = kept[str(root)] = Typesetter(root, _version)
    if CSS_PATH not in [str(s) for s in config["extra_css"]]:
        config["extra_css"].insert(0, CSS_PATH)
    return config


def _cached(root: Path, key: str, compute):
    memory = _KEEP.__dict__.setdefault("memory", {})  # `mkdocs serve`: no disk read per rebuild
    if (root, key) in memory:
        return memory[(root, key)]
    path = root / CACHE_DIR / f"{key}.json"
    try:
        value = memory[(root, key)] = json.loads(path.read_text(encoding="utf-8"))
        return value
    except (OSError, ValueError):
        pass
    value = memory[(root, key)] = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(value), encoding="utf-8")
    temporary.replace(path)
    return value


def typeset(root: Path, formulas: list[str], where: str) -> dict:
    """{"math": [{"html", "narrow", "ids"}], "defs"} for a page's formulas (TeX with delimiters)."""
    key = hashlib.sha256(json.dumps([_version, formulas]).encode()).hexdigest()[:32]

    def compute():
        answer = _typesetter.request({"pages": [[{"tex": tex} for tex in formulas]]})
        return answer["pages"][0]

    result = _cached(root, key, compute)
    for tex, item in zip(formulas, result["math"], strict=True):
        error = MERROR.search(item["html"])
        if error:
            message = html.unescape(error.group(1) or "error in the formula")
            raise PluginError(f"mathjax: {where}: {message} in: {tex.strip()[:200]}")
    return result


def _formula_html(item: dict, tag: str) -> str:
    ids = item["ids"]
    attributes = f' id="{ids[0]}"' if ids else ""
    anchors = "".join(f'<span id="{i}"></span>' for i in ids[1:])
    body = item["html"]
    if item["narrow"]:
        body = body.replace(CONTAINER, CONTAINER[:-1] + ' mjx-wide"', 1) + item["narrow"].replace(
            CONTAINER, CONTAINER[:-1] + ' mjx-narrow"', 1
        )
    return f'<{tag} class="arithmatex"{attributes}>{anchors}{body}</{tag}>'


def on_post_page(output: str, page, config, **kwargs) -> str:
    if MODE == "client":
        return output
    root = _root(config)
    found = [(m, html.unescape(m["tex"])) for m in ARITHMATEX.finditer(output)]
    toc = []  # (span match, [TeX]) for headings with math in the table of contents
    for span in TOC_TEXT.finditer(output):
        texts = [f"\\({html.unescape(m.group(1))}\\)" for m in TOC_MATH.finditer(span.group(2))]
        if texts:
            toc.append((span, texts))
    formulas = [tex for _, tex in found] + [tex for _, texts in toc for tex in texts]
    if not formulas:
        return output
    result = typeset(root, formulas, page.file.src_uri)
    items = iter(result["math"])
    replacements = [(m.start(), m.end(), _formula_html(next(items), m["tag"])) for m, _ in found]
    for span, texts in toc:
        rendered = iter([next(items)["html"] for _ in texts])
        inner = TOC_MATH.sub(lambda _, rendered=rendered: next(rendered), span.group(2))
        replacements.append((span.start(), span.end(), span.group(1) + inner + span.group(3)))
    parts, last = [], 0
    for start, end, text in sorted(replacements):
        parts += [output[last:start], text]
        last = end
    parts.append(output[last:])
    output = "".join(parts)
    # The glyphs, once per page, inside the part instant navigation swaps.
    article = ARTICLE.search(output)
    at = article.end() if article else output.find("<body") + output[output.find("<body") :].find(">") + 1
    return output[:at] + result["defs"] + output[at:]


def on_post_build(config, **kwargs) -> None:
    root = _root(config)
    site = Path(config["site_dir"])
    if MODE == "client":
        source = root / CLIENT_SOURCE
        if not (source / "tex-chtml.js").is_file():
            raise PluginError(f"MathJax 3 is not installed at {source}: run `make setup` (npm ci)")
        for part in CLIENT_PARTS:
            src, dst = source / part, site / "assets" / "mathjax" / part
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True)
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
        return
    css = _cached(root, f"css-{_version[:32]}", lambda: _typesetter.request({"css": True})["css"])
    target = site / CSS_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(css, encoding="utf-8")


def on_shutdown(**kwargs) -> None:
    if _typesetter is not None:
        _typesetter.close()
