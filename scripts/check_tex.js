// Check TeX snippets with the site's own MathJax and macros, before any page is built.
// Reads JSON [{tex, display, group}] on stdin; writes JSON [{index, error}] on stdout.
// Usage: node scripts/check_tex.js docs/javascripts/mathjax-config.js node_modules/mathjax
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const configFile = process.argv[2];
const sandbox = { window: {} };
vm.runInNewContext(fs.readFileSync(configFile, "utf8"), sandbox, { filename: configFile });
const siteTex = sandbox.window.MathJax.tex;

const mathjax = require(path.resolve(process.argv[3]));
mathjax
  .init({
    loader: { load: ["input/tex"] },
    tex: {
      macros: siteTex.macros,
      tags: siteTex.tags,
      // Undefined macros are errors here, not red text on the page.
      packages: { "[-]": ["noundefined"] },
      formatError: (jax, error) => { throw error; },
    },
  })
  .then(async (MathJax) => {
    const snippets = JSON.parse(fs.readFileSync(0, "utf8"));
    const errors = [];
    let group = null;
    for (const [index, snippet] of snippets.entries()) {
      if (snippet.group !== group) {
        MathJax.texReset(); // equation numbers and labels are per page
        group = snippet.group;
      }
      try {
        // The promise form lets autoload fetch extensions (\boldsymbol, ...) as the browser does.
        await MathJax.tex2mmlPromise(snippet.tex, { display: snippet.display });
      } catch (error) {
        errors.push({ index, error: error.message });
      }
    }
    process.stdout.write(JSON.stringify(errors));
  })
  .catch((error) => {
    process.stderr.write(`check_tex: MathJax failed to start: ${error.message}\n`);
    process.exit(2);
  });
