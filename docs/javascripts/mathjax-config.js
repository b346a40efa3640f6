// The one home of the site's TeX macros and numbering. Read by scripts/typeset.js, which
// typesets every formula when the site is built (MathJax 4, hooks/mathjax.py), and by
// scripts/check_tex.js, which checks the posts' formulas first. Pages load it (with MathJax 3)
// only when built with SITE_MATH=client, the "today" column of the reader benchmark.
window.MathJax = {
  tex: {
    // Blog pages: arithmatex wraps math in \( \) and \[ \].
    // Notebook pages: mkdocs-jupyter leaves $ and $$ in the rendered Markdown cells.
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "ams",
    macros: {
      E: "\\mathbb{E}",
      Var: "\\operatorname{Var}",
      Cov: "\\operatorname{Cov}",
      Corr: "\\operatorname{Corr}",
      std: "\\operatorname{std}",
      nin: "n_\\text{in}",
      nout: "n_\\text{out}",
    },
  },
  options: {
    // Typeset only math: arithmatex output, notebook Markdown cells, and headings in the table of contents.
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown|jp-MarkdownOutput|md-nav__link|md-ellipsis",
  },
  startup: {
    typeset: false, // javascripts/mathjax-typeset.js typesets on every page view
  },
};
