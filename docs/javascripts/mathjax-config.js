// MathJax 3 configuration: the one home of the site's TeX macros.
// Also read by scripts/check_tex.js, which checks every formula at build time.
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
