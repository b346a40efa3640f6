// Typeset the site's math at build time with MathJax 4 (SVG output), for hooks/mathjax.py.
//
// A long-lived process: one JSON request per line on stdin, one JSON answer per line on stdout.
//   {"pages": [[{"tex": "\\(x\\)"}, {"tex": "\\[y\\]"}, ...], ...]}
//     -> {"pages": [{"math": [{"html", "narrow", "ids"}, ...], "defs": "<svg ...>"}, ...]}
//   {"css": true} -> {"css": "..."}
// Each page is one MathJax document, so AMS equation numbers, \label and \eqref (also
// forward references) work per page as in the browser. `tex` keeps its delimiters:
// \( \), \[ \] or \begin{env}...\end{env}, as arithmatex writes them.
// `narrow`: a display formula broken into lines for a phone (null when it fits unbroken).
// `ids`: the \label anchors of the formula (removed from the SVG: the page puts them on
// the formula's wrapper, so a link finds whichever variant is shown).
//
// Usage: node scripts/typeset.js docs/javascripts/mathjax-config.js node_modules/@mathjax/src
"use strict";
const fs = require("fs");
const path = require("path");
const readline = require("readline");
const vm = require("vm");

const configFile = process.argv[2];
const sandbox = { window: {} };
vm.runInNewContext(fs.readFileSync(configFile, "utf8"), sandbox, { filename: configFile });
const siteTex = sandbox.window.MathJax.tex;

// Phones: 390 px wide less Material's 0.8 rem margins (16 px each side) and the formula's
// padding, less room for the equation number: 17 em of the 16 px text.
const NARROW_WIDTH = process.env.MATHJAX_NARROW_WIDTH || "17em";

const MathJax = require(path.resolve(process.argv[3], "bundle/node-main.cjs"));

MathJax.init({
  loader: { load: ["input/tex", "output/svg", "a11y/assistive-mml"] },
  tex: {
    macros: siteTex.macros,
    tags: siteTex.tags,
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: false,
    processEnvironments: true,
    // An undefined macro is an error here too (scripts/check_tex.js reports it first).
    packages: { "[-]": ["noundefined"] },
  },
  svg: { fontCache: "global", displayOverflow: "overflow", linebreaks: { inline: true } },
  startup: { typeset: false },
})
  .then((MathJax) => serve(MathJax))
  .catch((error) => {
    process.stderr.write(`typeset: MathJax failed to start: ${error.stack || error}\n`);
    process.exit(2);
  });

function escapeText(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// Bytes: MathJax marks every node with its TeX (data-latex). The <math> of the assistive
// MathML keeps the formula's TeX (copyable, and what a screen reader user can ask for).
function slim(html) {
  return html.replace(/(<(?!math\b)[a-z-]+\b[^>]*?) data-latex="[^"]*"/g, "$1")
    .replace(/(<(?!math\b)[a-z-]+\b[^>]*?) data-latex="[^"]*"/g, "$1");
}

async function renderPage(MathJax, formulas, narrow) {
  const output = MathJax.startup.output;
  output.options.displayOverflow = narrow ? "linebreak" : "overflow";
  output.options.linebreaks.width = narrow ? NARROW_WIDTH : "100%";
  const body = formulas.map((f, i) => `<mjx-f id="f${i}">${escapeText(f.tex)}</mjx-f>`).join("\n");
  MathJax.texReset();
  output.clearFontCache();
  const doc = MathJax.startup.getDocument(`<!DOCTYPE html><html><head></head><body>${body}</body></html>`);
  await MathJax._.mathjax.mathjax.handleRetriesFor(() => doc.render());
  const adaptor = MathJax.startup.adaptor;
  const math = [];
  const elements = adaptor.tags(adaptor.body(doc.document), "mjx-f");
  for (const element of elements) math.push(adaptor.innerHTML(element));
  const cache = adaptor.tags(adaptor.body(doc.document), "svg").find((n) => adaptor.getAttribute(n, "id") === "MJX-SVG-global-cache");
  const defs = cache ? adaptor.innerHTML(cache) : "";
  return { math, defs };
}

const LABEL_ID = / id="(mjx-eqn[^"]*)"/g;

async function typesetPage(MathJax, formulas) {
  const wide = await renderPage(MathJax, formulas, false);
  const isDisplay = (f) => !f.tex.startsWith("\\(");
  // Line breaks change only display math; inline \eqref's need only the labels, which
  // display math defines. So the narrow pass typesets the display formulas alone.
  const shown = formulas.map((f, i) => i).filter((i) => isDisplay(formulas[i]));
  const narrow = shown.length ? await renderPage(MathJax, shown.map((i) => formulas[i]), true) : null;
  const narrowOf = new Map(shown.map((i, k) => [i, narrow.math[k]]));
  const math = wide.math.map((html, i) => {
    const ids = [...html.matchAll(LABEL_ID)].map((m) => m[1]);
    let other = narrowOf.get(i) || null;
    if (other === html) other = null;
    if (other && other.replace(LABEL_ID, "") === html.replace(LABEL_ID, "")) other = null;
    // \eqref links: xlink:href, as SVG 1.1 wrote it. Material's scripts set `a.href` on
    // every a[href] of the page, which an SVG <a> refuses (a JavaScript error).
    const strip = (text) => slim(text.replace(LABEL_ID, "")).replace(/<a href="/g, '<a xlink:href="');
    return { html: strip(html), narrow: other ? strip(other) : null, ids };
  });
  // One set of glyph definitions for both variants.
  const paths = new Map();
  for (const defs of [wide.defs, narrow ? narrow.defs : ""]) {
    for (const match of defs.matchAll(/<path id="([^"]+)"[^>]*><\/path>/g)) paths.set(match[1], match[0]);
  }
  const defs = paths.size
    ? `<svg style="display: none;" xmlns="http://www.w3.org/2000/svg" id="MJX-SVG-global-cache" aria-hidden="true"><defs>${[...paths.values()].join("")}</defs></svg>`
    : "";
  return { math, defs };
}

function serve(MathJax) {
  const lines = readline.createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on("line", (line) => {
    queue = queue.then(async () => {
      let answer;
      try {
        const request = JSON.parse(line);
        if (request.css) {
          const sheet = MathJax.startup.output.styleSheet(MathJax.startup.getDocument("<html></html>"));
          answer = { css: MathJax.startup.adaptor.textContent(sheet) };
        } else {
          const pages = [];
          for (const formulas of request.pages) pages.push(await typesetPage(MathJax, formulas));
          answer = { pages };
        }
      } catch (error) {
        answer = { error: String(error && error.stack ? error.stack : error) };
      }
      process.stdout.write(JSON.stringify(answer) + "\n");
    });
  });
  lines.on("close", () => queue.then(() => process.exit(0)));
}
