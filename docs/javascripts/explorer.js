// The variance explorer (posts_src/variance-explorer.md): wires the form
// <form data-explorer="chart-N"> to the chart <figure id="chart-N"> that charts.js renders.
// The prediction is the mean-field recursion of posts_src/meanfield.py (predict), evaluated
// here from the build's tables of Gaussian integrals; the measurement is looked up in the grid
// the build measured. Both ship in the chart spec's usermeta.explorer.
(() => {
  const SQRT2PI = Math.sqrt(2 * Math.PI);
  const PDF0 = 1 / SQRT2PI;

  // erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7)
  function erf(x) {
    const sign = x < 0 ? -1 : 1;
    const a = Math.abs(x);
    const t = 1 / (1 + 0.3275911 * a);
    const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
    return sign * (1 - poly * Math.exp(-a * a));
  }
  const cdf = (x) => 0.5 * (1 + erf(x / Math.SQRT2));

  // meanfield.pwl_moments: phi(x) = min(leaky(x) - sub, maxv), x ~ N(0, q) -> [E phi^2, E phi, E phi'^2]
  function pwlMoments(q, leak, sub, maxv) {
    const s = Math.sqrt(q);
    let cdfC = 1;
    let pdfC = 0;
    let cPdfC = 0;
    let clamp = 0;
    if (Number.isFinite(maxv)) {
      const c = (maxv + sub) / s;
      cdfC = cdf(c);
      pdfC = Math.exp((-c * c) / 2) * PDF0;
      cPdfC = c * pdfC;
      clamp = maxv;
    }
    const p0 = cdfC - 0.5;
    const p1 = PDF0 - pdfC;
    const p2 = p0 - cPdfC;
    const above = 1 - cdfC;
    const second =
      (leak * leak * q) / 2 + 2 * leak * s * sub * PDF0 + (sub * sub) / 2 + (q * p2 - 2 * s * sub * p1 + sub * sub * p0) + clamp * clamp * above;
    const first = -leak * s * PDF0 - sub / 2 + (s * p1 - sub * p0) + clamp * above;
    const slope = (leak * leak) / 2 + p0;
    return [second, first, slope];
  }

  // meanfield.table_moments: linear in log10 q; log-moments extrapolate, the mean ratio is held
  function tableMoments(tables, name, q) {
    const t = tables.smooth[name];
    const position = (Math.log10(q) - tables.log_q_min) / tables.log_q_step;
    const i = Math.min(Math.max(Math.floor(position), 0), tables.count - 2);
    const frac = position - i;
    const held = Math.min(Math.max(frac, 0), 1);
    const lin = (values, f) => values[i] + f * (values[i + 1] - values[i]);
    return [10 ** lin(t.log_second, frac), lin(t.mean_ratio, held) * Math.sqrt(q), 10 ** lin(t.log_slope, frac)];
  }

  const LABELS = {
    relu: "ReLU", leaky: "leaky ReLU", general: "shifted ReLU", tanh: "tanh", gelu: "GELU",
    selu: "SELU", elu: "ELU", silu: "SiLU",
  };
  const INIT_LABELS = {
    "kaiming-in": "Kaiming fan-in", "kaiming-out": "Kaiming fan-out", xavier: "Xavier",
    default: "PyTorch default", lsuv: "LSUV", gain: "gain",
  };
  const near = (a, b) => Math.abs(a - b) < 1e-9;
  const fmt = (v) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(+v.toPrecision(3)));

  function activation(state, D) {
    const [leakC, subC, maxvC] = D.course;
    if (state.act === "relu" || state.act === "leaky") {
      const leak = state.act === "relu" ? 0 : state.leak;
      let key = null;
      for (const [k, p] of Object.entries(D.measured_pwl)) {
        if (p.sub === 0 && p.maxv === null && near(p.leak, leak)) key = k;
      }
      if (state.act === "relu") key = "relu";
      return { key, gain: Math.sqrt(2 / (1 + leak * leak)), moments: (q) => pwlMoments(q, leak, 0, Infinity) };
    }
    if (state.act === "general") {
      const key = near(state.leak, leakC) && near(state.sub, subC) ? `general-${leakC}-${subC}` : null;
      return {
        key,
        gain: Math.sqrt(2 / (1 + state.leak * state.leak)),
        moments: (q) => pwlMoments(q, state.leak, state.sub, maxvC),
      };
    }
    return { key: state.act, gain: D.kaiming[state.act], moments: (q) => tableMoments(D.tables, state.act, q) };
  }

  function weightVariance(init, gain, kaimingGain, fanIn, fanOut) {
    if (init === "xavier") return 2 / (fanIn + fanOut);
    if (init === "kaiming-in") return (kaimingGain * kaimingGain) / fanIn;
    if (init === "kaiming-out") return (kaimingGain * kaimingGain) / fanOut;
    if (init === "default") return 1 / (3 * fanIn);
    return (gain * gain) / fanIn;
  }

  // meanfield.predict
  function predict(act, state, D) {
    const width = state.width;
    const depth = state.depth;
    let secondIn = 1;
    const variances = [];
    const std = [];
    const mean = [];
    const slopes = [];
    for (let l = 0; l < depth; l++) {
      const fanIn = l === 0 ? D.n_input : width;
      const variance =
        state.init === "lsuv" ? 1 / (fanIn * secondIn) : weightVariance(state.init, state.gain, act.gain, fanIn, width);
      variances.push(variance);
      const q = variance * fanIn * secondIn;
      std.push(Math.sqrt(q));
      const [second, first, slope] = act.moments(q);
      secondIn = second;
      mean.push(first);
      slopes.push(slope);
    }
    const gradStd = new Array(depth);
    let r = 1;
    for (let l = depth - 1; l >= 0; l--) {
      r = variances[l] * width * slopes[l] * r;
      gradStd[l] = Math.sqrt(r);
    }
    return { std, mean, gradStd };
  }

  function initKey(state, D) {
    if (state.init !== "gain") return state.init;
    const g = D.gains.find((v) => near(v, state.gain));
    return g === undefined ? null : `gain-${g}`;
  }

  // meanfield.decode_log: [deltas, below, above] in LOG_STEP units of log10 -> [log10 median, lo, hi]
  function decodeLog(encoded, step) {
    const [deltas, below, above] = encoded;
    let total = 0;
    return deltas.map((d, i) => {
      if (d === null) return null;
      total += d;
      return [total * step, (total - below[i]) * step, (total + above[i]) * step];
    });
  }

  function measured(state, act, D) {
    const init = initKey(state, D);
    if (!act.key || !init) return null;
    const entry = D.measured[act.key][String(state.width)][init];
    if (state.pass === "forward" && state.stat === "mean") {
      // meanfield.decode_mean: integers of mean_step times the layer's median std of y
      const stds = decodeLog(entry.std, D.log_step);
      const [m, below, above] = entry.mean;
      return m.slice(0, state.depth).map((v, i) => {
        if (v === null || !stds[i]) return null;
        const unit = D.mean_step * 10 ** stds[i][0];
        return [v * unit, (v - below[i]) * unit, (v + above[i]) * unit];
      });
    }
    const encoded = state.pass === "forward" ? entry.std : entry[`grad_${state.depth}`];
    return decodeLog(encoded, D.log_step).slice(0, state.depth);
  }

  function compute(state, D) {
    const act = activation(state, D);
    const prediction = predict(act, state, D);
    const log = state.stat === "std";
    const predicted = state.pass === "backward" ? prediction.gradStd : log ? prediction.std : prediction.mean;
    const meas = measured(state, act, D);
    const lines = [];
    const band = [];
    let part = null;
    let inside = 0;
    predicted.forEach((p, i) => {
      const layer = i + 1;
      const pv = log ? (p > 0 ? Math.log10(p) : null) : p;
      if (pv !== null && Number.isFinite(pv)) lines.push({ layer, value: pv, series: SERIES[1] });
      const m = meas && meas[i];
      if (m) {
        lines.push({ layer, value: m[0], series: SERIES[0] });
        band.push({ layer, lo: m[1], hi: m[2] });
        // inside the seeds' range, widened by the shipped rounding (one LOG_STEP, or 3 digits)
        const slack = log ? D.log_step : 0.005 * Math.max(Math.abs(m[1]), Math.abs(m[2]));
        const ok = pv !== null && pv >= m[1] - slack && pv <= m[2] + slack;
        if (ok && part === null) inside = layer;
        if (!ok && part === null) part = layer;
      }
    });
    return { act, predicted, meas, lines, band, part, inside, log };
  }

  const SERIES = ["measured (median over seeds)", "prediction (mean field)"];

  function describe(state, result, D) {
    const name =
      state.act === "leaky"
        ? `leaky ReLU (slope ${state.leak})`
        : state.act === "general"
          ? `shifted ReLU (leak ${state.leak}, sub ${state.sub})`
          : LABELS[state.act];
    const init = state.init === "gain" ? `gain ${state.gain}` : INIT_LABELS[state.init];
    const what =
      state.pass === "backward"
        ? "standard deviation of the gradient w.r.t. x_l"
        : state.stat === "std"
          ? "standard deviation of y_l"
          : "mean of x_(l+1)";
    const value = (v) => fmt(result.log ? 10 ** v : v);
    const L = state.depth;
    const last = result.predicted[L - 1];
    let text = `${name}, ${init}, width ${state.width}, depth ${L}, ${state.pass} pass: ${what}. `;
    text += `Prediction at layer ${L}: ${fmt(last)}. `;
    if (!result.meas) {
      text +=
        `Not measured at these settings (the grid has leaky slopes ${Object.values(D.measured_pwl)
          .filter((p) => p.sub === 0 && p.leak > 0)
          .map((p) => p.leak)
          .join(" and ")}, the shifted ReLU at leak ${D.course[0]} and sub ${D.course[1]}, and gains ${D.gains.join(", ")}).`;
      return text;
    }
    const end = result.meas[L - 1];
    if (end) text += `Measured: median ${value(end[0])}, seeds from ${value(end[1])} to ${value(end[2])}. `;
    else text += "Measured: some seeds underflowed or overflowed at the last layer. ";
    if (result.part === null) text += `The prediction stays inside the seeds' band at every layer.`;
    else if (result.part === 1) text += `The prediction is outside the seeds' band from layer 1.`;
    else text += `Prediction and measurement agree up to layer ${result.part - 1}; they part at layer ${result.part}.`;
    return text;
  }

  const DEFAULTS = {
    act: "relu", leak: 0.01, sub: 0.4, init: "kaiming-in", gain: 1, depth: 50, width: 128, pass: "forward", stat: "std",
  };
  const PRESETS = {
    course: { act: "general", leak: 0.1, sub: 0.4, init: "kaiming-in", depth: 50, width: 128, pass: "forward", stat: "std" },
    selu: { act: "selu", init: "gain", gain: 1, depth: 50, width: 128, pass: "forward", stat: "std" },
    "xavier-relu": { act: "relu", init: "xavier", depth: 50, width: 128, pass: "forward", stat: "std" },
  };
  const NUMERIC = ["leak", "sub", "gain", "depth", "width"];

  function readForm(form) {
    const state = {};
    for (const key of Object.keys(DEFAULTS)) {
      const field = form.elements[key];
      if (!field) continue;
      const raw = field.value;
      state[key] = NUMERIC.includes(key) ? Number(raw) : raw;
    }
    return state;
  }

  function writeForm(form, state) {
    for (const [key, value] of Object.entries(state)) {
      const field = form.elements[key];
      if (!field) continue;
      if (field instanceof RadioNodeList) {
        for (const radio of field) radio.checked = radio.value === String(value);
      } else {
        field.value = String(value);
      }
    }
  }

  function fromURL() {
    const params = new URLSearchParams(location.search);
    const state = {};
    for (const key of Object.keys(DEFAULTS)) {
      if (params.has(key)) state[key] = NUMERIC.includes(key) ? Number(params.get(key)) : params.get(key);
    }
    return state;
  }

  function toURL(state) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(state)) {
      if (value !== DEFAULTS[key]) params.set(key, String(value));
    }
    const query = params.toString();
    history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  }

  function bind(form) {
    if (form.dataset.bound) return;
    form.dataset.bound = "1";
    const figure = document.getElementById(form.dataset.explorer);
    if (!figure || !window.siteCharts) return;
    const readout = form.querySelector(".explorer__readout");
    writeForm(form, { ...DEFAULTS, ...fromURL() });
    form.hidden = false;
    window.siteCharts.ready(figure).then((view) => {
      const D = figure.vegaSpec.usermeta.explorer;
      const vega = window.vega;
      const stats = { redraws: [], ready: performance.now() };
      form.explorerStats = stats;

      async function update() {
        const started = performance.now();
        const state = readForm(form);
        if (state.pass === "backward" && state.stat === "mean") {
          state.stat = "std";
          writeForm(form, { stat: "std" });
        }
        form.querySelector(".explorer__field--leak").hidden = !["leaky", "general"].includes(state.act);
        form.querySelector(".explorer__field--sub").hidden = state.act !== "general";
        form.querySelector(".explorer__field--gain").hidden = state.init !== "gain";
        for (const name of ["leak", "sub", "gain"]) form.querySelector(`#ex-${name}-value`).value = String(state[name]);
        for (const radio of form.elements.stat) if (radio.value === "mean") radio.disabled = state.pass === "backward";
        const result = compute(state, D);
        const title =
          state.pass === "backward"
            ? "backward: standard deviation of the gradient w.r.t. x_l (log scale)"
            : state.stat === "std"
              ? "forward: standard deviation of y_l (log scale)"
              : "forward: mean of x_(l+1)";
        const replace = (rows) => vega.changeset().remove(() => true).insert(rows);
        view
          .change("lines", replace(result.lines))
          .change("band", replace(result.band))
          .change("part", replace(result.part ? [{ layer: result.part }] : []))
          .signal("ytitle", title)
          .signal("logscale", result.log);
        await view.runAsync();
        readout.textContent = describe(state, result, D);
        form.explorerResult = { state, lines: result.lines, band: result.band, part: result.part };
        toURL(state);
        stats.redraws.push(performance.now() - started);
      }

      // one redraw at a time; changes made meanwhile are drawn together right after it
      let running = null;
      let again = false;
      function schedule() {
        if (running) {
          again = true;
          return running;
        }
        running = update().finally(() => {
          running = null;
          if (again) {
            again = false;
            schedule();
          }
        });
        return running;
      }
      form.addEventListener("input", schedule); // selects, ranges and radios all fire "input"
      form.querySelectorAll("[data-preset]").forEach((button) =>
        button.addEventListener("click", () => {
          writeForm(form, { ...DEFAULTS, ...PRESETS[button.dataset.preset] });
          schedule();
        }),
      );
      form.addEventListener("submit", (event) => event.preventDefault());
      schedule().then(() => {
        stats.interactive = performance.now();
        form.dataset.ready = "1";
      });
    });
  }

  function bindAll() {
    document.querySelectorAll("form[data-explorer]").forEach(bind);
  }
  if (window.document$) document$.subscribe(bindAll);
  else document.addEventListener("DOMContentLoaded", bindAll);
})();
