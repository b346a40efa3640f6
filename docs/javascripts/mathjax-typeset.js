// Typeset on the first page view and again after each instant navigation,
// resetting equation numbers and \label's so each page numbers from (1).
document$.subscribe(() => {
  MathJax.startup.promise = MathJax.startup.promise.then(() => {
    MathJax.startup.output.clearCache();
    MathJax.typesetClear();
    MathJax.texReset();
    return MathJax.typesetPromise();
  });
});
