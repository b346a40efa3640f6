// Interactive charts (initlab.show_chart): the build writes <figure class="vega-chart"> with a
// static SVG of the chart; here that SVG is replaced by the live chart. Vega is self-hosted
// (hooks/vega.py) and loaded only on pages that have a chart. Charts sit on a white card like
// the figures, so they read the same in both palettes.
// Other scripts get the view from `figure.vegaView` or the "vega-chart:ready" event
// (detail: {view, spec}); window.siteCharts.ready(figure) returns a promise of the same.
(() => {
  const script = document.currentScript;
  const vegaURL = new URL("../assets/vega/vega.min.js", script ? script.src : location.href).href;
  let vegaLoading = null;
  let views = [];

  function loadVega() {
    if (window.vega) return Promise.resolve(window.vega);
    if (!vegaLoading) {
      vegaLoading = new Promise((resolve, reject) => {
        const tag = document.createElement("script");
        tag.src = vegaURL;
        tag.onload = () => resolve(window.vega);
        tag.onerror = () => reject(new Error(`could not load ${vegaURL}`));
        document.head.appendChild(tag);
      });
    }
    return vegaLoading;
  }

  async function render(figure) {
    const img = figure.querySelector("img");
    if (!img || figure.vegaView) return figure.vegaView;
    const link = figure.querySelector("a.vega-chart__spec");
    const specURL = link ? link.href : img.src.replace(/\.svg(\?.*)?$/, ".vg.json");
    const [vega, spec] = await Promise.all([loadVega(), fetch(specURL).then((r) => r.json())]);
    const container = document.createElement("div");
    container.className = "vega-chart__view";
    container.setAttribute("role", "img");
    container.setAttribute("aria-label", img.alt);
    img.after(container);
    const view = new vega.View(vega.parse(spec), { renderer: "svg", container, hover: true });
    await view.runAsync();
    img.hidden = true; // the static SVG stays in the page for readers without JavaScript
    figure.classList.add("vega-chart--live");
    figure.vegaView = view;
    figure.vegaSpec = spec;
    views.push(view);
    figure.dispatchEvent(new CustomEvent("vega-chart:ready", { detail: { view, spec }, bubbles: true }));
    return view;
  }

  const pending = new WeakMap();
  function ready(figure) {
    if (!pending.has(figure)) {
      pending.set(
        figure,
        render(figure).catch((error) => {
          console.warn("chart stays static:", error);
          pending.delete(figure);
          throw error;
        }),
      );
    }
    return pending.get(figure);
  }

  window.siteCharts = { ready, loadVega };

  function renderAll() {
    // instant navigation replaced the page: free the views of the page we left
    views.forEach((view) => view.finalize());
    views = [];
    document.querySelectorAll("figure.vega-chart").forEach((figure) => ready(figure).catch(() => {}));
  }

  if (window.document$) document$.subscribe(renderAll);
  else document.addEventListener("DOMContentLoaded", renderAll);
})();
