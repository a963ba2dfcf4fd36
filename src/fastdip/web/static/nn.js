// fastdip neural-network playground: the page side. The server (fastdip.web._nn) owns the data, the network and
// the training; this file keeps the settings, asks for a few epochs at a time while playing, and draws what
// comes back (loss curves, the decision surface, each neuron's map, the weights).
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
  const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
  const NAMES = {
    circles: "Circles", xor: "Exclusive or", blobs: "Gaussian blobs", spirals: "Two spirals",
    linear: "Linearly separable", relu: "ReLU", leaky_relu: "Leaky ReLU", elu: "ELU", sigmoid: "Sigmoid",
    tanh: "Tanh", swish: "Swish", sgd: "SGD", momentum: "Momentum", adam: "Adam", none: "None", l1: "L1", l2: "L2",
  };
  const ORANGE = [245, 147, 34], WHITE = [232, 234, 235], BLUE = [8, 119, 189];
  const STEP_EPOCHS = 100, STEP_BUDGET_MS = 60;   // one play request: up to 100 epochs or 60 ms of training
  const emptyHistory = () => ({train_loss: [], test_loss: [], train_accuracy: [], test_accuracy: []});

  let opts = null;         // GET /api/nn/options
  let settings = null;     // what the next session is made of
  let session = null;      // {id, points, view}
  let hist = emptyHistory();
  let last = null;         // the last state drawn
  let playing = false;
  let looping = false;
  let generation = 0;      // bumps with each new session; answers about an older one are dropped
  const rate = [];         // [time ms, epoch] samples while playing, for the speed readout

  // ---------- server ----------
  async function api(method, url, body) {
    const init = {method, headers: {}};
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    let data;
    try { data = await response.json(); } catch (e) { data = {error: `HTTP ${response.status}`}; }
    if (!response.ok) {
      const err = new Error(data.error || `HTTP ${response.status}`);
      err.param = data.param;
      throw err;
    }
    return data;
  }

  function showError(err) {
    const box = $("error");
    document.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
    if (!err) { box.hidden = true; box.textContent = ""; return; }
    box.hidden = false;
    box.textContent = err.message || String(err);
    if (err.param && $(err.param)) $(err.param).classList.add("invalid");
  }

  async function newSession() {
    const gen = ++generation;
    const old = session;
    try {
      const data = await api("POST", "/api/nn/sessions", settings);
      if (gen !== generation) { api("DELETE", `/api/nn/sessions/${data.id}`).catch(() => {}); return; }
      session = {id: data.id, points: data.points, view: data.view};
      document.body.dataset.session = data.id;
      hist = emptyHistory();
      rate.length = 0;
      buildNetwork();
      apply(data.state);
      showError(null);
      if (old) api("DELETE", `/api/nn/sessions/${old.id}`).catch(() => {});
    } catch (err) {
      if (gen === generation) { showError(err); setPlaying(false); }
    }
  }

  async function trainOnce(epochs, budget) {
    if (!session) return null;
    const gen = generation;
    const state = await api("POST", `/api/nn/sessions/${session.id}/step`,
      {epochs, budget_ms: budget, since: hist.train_loss.length, neurons: true});
    if (gen !== generation) return null;
    apply(state);
    return state;
  }

  async function loop() {
    if (looping) return;
    looping = true;
    try {
      while (playing) {
        try {
          const state = await trainOnce(STEP_EPOCHS, STEP_BUDGET_MS);
          if (state && state.done) setPlaying(false);
        } catch (err) {
          showError(err);
          setPlaying(false);
        }
        await new Promise((resolve) => requestAnimationFrame(() => resolve()));
      }
    } finally {
      looping = false;
    }
  }

  function setPlaying(on) {
    playing = on;
    const button = $("play");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.innerHTML = on ? "&#x275A;&#x275A;" : "&#x25B6;";
    rate.length = 0;
    if (on) loop();
  }

  // ---------- state ----------
  function apply(state) {
    for (const key of Object.keys(hist)) {
      hist[key].length = Math.min(hist[key].length, state.since);
      hist[key].push(...state.history[key]);
    }
    last = state;
    if (playing) {
      rate.push([performance.now(), state.epoch]);
      while (rate.length > 2 && rate[rate.length - 1][0] - rate[0][0] > 3000) rate.shift();
    }
    draw();
  }

  function decode(b64) {
    const s = atob(b64);
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }

  // ---------- drawing ----------
  function colour(v, discretize, fade) {
    if (!Number.isFinite(v)) return [200, 200, 200];
    v = Math.max(-1, Math.min(1, v));
    if (discretize) v = v >= 0 ? 1 : -1;
    const a = WHITE, b = v < 0 ? ORANGE : BLUE, t = Math.abs(v);
    const c = [0, 1, 2].map((i) => a[i] + (b[i] - a[i]) * t);
    return fade ? c.map((x) => 255 + (x - 255) * fade) : c;
  }

  const scratch = document.createElement("canvas");
  function drawMap(canvas, values, size, discretize, fade) {
    scratch.width = size;
    scratch.height = size;
    const sctx = scratch.getContext("2d");
    const image = sctx.createImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      const c = colour(values[i], discretize, fade);
      image.data[4 * i] = c[0];
      image.data[4 * i + 1] = c[1];
      image.data[4 * i + 2] = c[2];
      image.data[4 * i + 3] = 255;
    }
    sctx.putImageData(image, 0, 0);
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
  }

  function drawPoints(canvas, points, view, outline) {
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height;
    for (let i = 0; i < points.x.length; i++) {
      const [x, y] = points.x[i];
      const px = (x + view) / (2 * view) * w, py = (view - y) / (2 * view) * h;
      ctx.beginPath();
      ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
      const c = points.label[i] === 1 ? BLUE : ORANGE;
      ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
      ctx.fill();
      ctx.lineWidth = outline ? 1.5 : 1;
      ctx.strokeStyle = outline ? "#000" : "#fff";
      ctx.stroke();
    }
  }

  function drawCurve() {
    const canvas = $("loss-curve");
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    const n = hist.train_loss.length;
    if (n < 1) return;
    let top = 0;
    for (const key of ["train_loss", "test_loss"]) {
      for (const v of hist[key]) if (v !== null && Number.isFinite(v)) top = Math.max(top, v);
    }
    top = top || 1;
    for (const [key, style] of [["train_loss", "#aaa"], ["test_loss", "#111"]]) {
      ctx.beginPath();
      ctx.strokeStyle = style;
      ctx.lineWidth = 1.5;
      let started = false;
      hist[key].forEach((v, i) => {
        if (v === null) { started = false; return; }
        const x = n === 1 ? 0 : (i / (n - 1)) * (w - 2) + 1;
        const y = h - 2 - (v / top) * (h - 6);
        if (started) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        started = true;
      });
      ctx.stroke();
    }
  }

  function fmt(v, digits) { return v === null || v === undefined ? "–" : v.toFixed(digits); }

  function draw() {
    if (!last || !session) return;
    const discretize = $("discretize").checked;
    $("epoch").textContent = String(last.epoch).padStart(6, "0").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const at = (key) => hist[key][hist[key].length - 1];
    $("test-loss").textContent = fmt(at("test_loss"), 3);
    $("train-loss").textContent = fmt(at("train_loss"), 3);
    const acc = at("test_accuracy");
    $("test-accuracy").dataset.value = acc === null || acc === undefined ? "0" : String(acc);
    $("test-accuracy").querySelector("b").textContent = acc === null || acc === undefined ? "–" : `${(100 * acc).toFixed(1)} %`;
    const tacc = at("train_accuracy");
    $("train-accuracy").querySelector("b").textContent = tacc === null || tacc === undefined ? "–" : `${(100 * tacc).toFixed(1)} %`;
    drawCurve();
    const surface = decode(last.surface.f32);
    const canvas = $("surface");
    if (hovered && hovered._values) drawMap(canvas, hovered._values, hovered._size, false, 0.6);
    else drawMap(canvas, surface, last.surface.size, discretize, 0.6);
    drawPoints(canvas, session.points.train, session.view, false);
    if ($("show-test").checked) drawPoints(canvas, session.points.test, session.view, true);
    drawNeurons(surface, discretize);
    drawLinks();
    if (rate.length > 1) {
      const [t0, e0] = rate[0], [t1, e1] = rate[rate.length - 1];
      const seconds = (t1 - t0) / 1000;
      if (seconds > 0) $("speed").textContent = `${((e1 - e0) / seconds).toFixed(1)} epochs/s, ` +
        `${((rate.length - 1) / seconds).toFixed(1)} server answers/s`;
    }
  }

  // ---------- the network diagram ----------
  let columns = [];   // per column: array of canvases
  let hovered = null; // the neuron canvas under the pointer: its map replaces the surface in the big view
  function buildNetwork() {
    const host = $("columns");
    host.innerHTML = "";
    columns = [];
    hovered = null;
    const widths = [2, ...settings.hidden, 1];
    const [, maxLayers] = opts.limits.layers;
    const [, maxNeurons] = opts.limits.neurons;
    $("layer-count").textContent = `${settings.hidden.length} hidden layer${settings.hidden.length === 1 ? "" : "s"}`;
    $("add-layer").disabled = settings.hidden.length >= maxLayers;
    $("remove-layer").disabled = settings.hidden.length === 0;
    widths.forEach((width, c) => {
      const col = document.createElement("div");
      col.className = "column";
      const title = document.createElement("div");
      title.className = "title";
      const hidden = c > 0 && c < widths.length - 1;
      title.textContent = c === 0 ? "Input" : hidden ? `${width} neuron${width === 1 ? "" : "s"}` : "Output";
      col.appendChild(title);
      if (hidden) {
        const controls = document.createElement("div");
        controls.className = "controls";
        for (const [label, delta] of [["+", 1], ["\u2212", -1]]) {
          const b = document.createElement("button");
          b.textContent = label;
          b.title = delta > 0 ? "add a neuron" : "remove a neuron";
          const next = width + delta;
          b.disabled = next < 1 || next > maxNeurons;
          b.addEventListener("click", () => {
            settings.hidden[c - 1] = next;
            newSession();
          });
          controls.appendChild(b);
        }
        col.appendChild(controls);
      }
      const cells = [];
      for (let j = 0; j < width; j++) {
        const cv = document.createElement("canvas");
        cv.className = "neuron";
        cv.width = 40;
        cv.height = 40;
        cv.addEventListener("mouseenter", () => { hovered = cv; draw(); });
        cv.addEventListener("mouseleave", () => { if (hovered === cv) hovered = null; draw(); });
        cv.title = c === 0 ? (j === 0 ? "X1 (horizontal coordinate)" : "X2 (vertical coordinate)")
          : hidden ? `layer ${c}, neuron ${j + 1}` : "output: P(blue) \u2212 P(orange)";
        col.appendChild(cv);
        cells.push(cv);
      }
      host.appendChild(col);
      columns.push(cells);
    });
  }

  let inputMaps = null;
  function drawNeurons(surface, discretize) {
    const size = opts.neuron_size;
    if (!inputMaps || inputMaps[0].length !== size * size) {
      inputMaps = [new Float32Array(size * size), new Float32Array(size * size)];
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) {
          inputMaps[0][r * size + c] = ((c + 0.5) / size) * 2 - 1;      // x / view, left to right
          inputMaps[1][r * size + c] = 1 - ((r + 0.5) / size) * 2;      // y / view, top is positive
        }
      }
    }
    if (!columns.length) return;
    const show = (cv, values, n, disc) => {
      cv._values = values;
      cv._size = n;
      drawMap(cv, values, n, disc, 0);
    };
    columns[0].forEach((cv, j) => show(cv, inputMaps[j], size, false));
    (last.neurons || []).forEach((layer, l) => {
      const cells = columns[l + 1];
      if (!cells) return;
      layer.forEach((b64, j) => { if (cells[j]) show(cells[j], decode(b64), size, discretize); });
    });
    const out = columns[columns.length - 1][0];
    drawMap(out, surface, last.surface.size, discretize, 0);   // the output is the surface: no _values
  }

  function drawLinks() {
    const svg = $("links");
    const box = $("net").getBoundingClientRect();
    const centre = (cv, side) => {
      const r = cv.getBoundingClientRect();
      return [side > 0 ? r.right - box.left : r.left - box.left, r.top + r.height / 2 - box.top];
    };
    const parts = [];
    (last.weights || []).forEach((matrix, l) => {
      const from = columns[l], to = columns[l + 1];
      if (!from || !to) return;
      matrix.forEach((row, j) => row.forEach((w, i) => {
        if (!from[i] || !to[j]) return;
        const v = w === null ? 0 : w;
        const [x1, y1] = centre(from[i], 1), [x2, y2] = centre(to[j], -1);
        const c = v >= 0 ? BLUE : ORANGE;
        const width = Math.min(6, 0.4 + Math.abs(v) * 1.5).toFixed(2);
        parts.push(`<path d="M${x1.toFixed(1)},${y1.toFixed(1)} C${((x1 + x2) / 2).toFixed(1)},${y1.toFixed(1)} ` +
          `${((x1 + x2) / 2).toFixed(1)},${y2.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}" fill="none" ` +
          `stroke="rgb(${c.join(",")})" stroke-opacity="0.7" stroke-width="${width}"><title>${v.toFixed(3)}</title></path>`);
      }));
    });
    svg.innerHTML = parts.join("");
  }

  // ---------- controls ----------
  function datasetIcon(name, canvas) {
    // A small picture of each data set from its definition (a fixed pseudo-random sequence, no server call).
    let s = 12345;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
    const pts = [];
    for (let i = 0; i < 120; i++) {
      const cls = i % 2, u = i / 120;
      let x, y;
      if (name === "circles") {
        const r = cls ? rnd() * 2.5 : 3.5 + rnd() * 1.5, a = rnd() * 2 * Math.PI;
        x = r * Math.cos(a); y = r * Math.sin(a);
      } else if (name === "xor") {
        x = rnd() * 10 - 5; y = rnd() * 10 - 5;
        pts.push([x, y, x * y > 0 ? 1 : 0]);
        continue;
      } else if (name === "blobs") {
        x = (cls ? 2 : -2) + gauss(); y = (cls ? 2 : -2) + gauss();
      } else if (name === "spirals") {
        const r = 5 * u, t = 1.75 * 2 * Math.PI * u + (cls ? 0 : Math.PI);
        x = r * Math.sin(t); y = r * Math.cos(t);
      } else {
        const along = rnd() * 10 - 5, d = (0.3 + rnd() * 3.2) * (cls ? 1 : -1);
        x = (along + d) / Math.SQRT2; y = (-along + d) / Math.SQRT2;
      }
      pts.push([x, y, cls]);
    }
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (const [x, y, cls] of pts) {
      const c = cls ? BLUE : ORANGE;
      ctx.fillStyle = `rgb(${c.join(",")})`;
      ctx.fillRect((x + 6) / 12 * canvas.width - 1, (6 - y) / 12 * canvas.height - 1, 2.5, 2.5);
    }
  }

  function fillSelect(select, values, label) {
    select.innerHTML = "";
    for (const v of values) {
      const o = document.createElement("option");
      o.value = String(v);
      o.textContent = label ? label(v) : String(v);
      select.appendChild(o);
    }
  }

  function showSettings() {
    for (const key of ["lr", "activation", "optimizer", "regularization", "reg_rate"]) $(key).value = String(settings[key]);
    for (const key of ["train_fraction", "noise", "batch_size", "n_samples", "seed", "momentum"]) $(key).value = settings[key];
    $("train_fraction-out").textContent = `${Math.round(settings.train_fraction * 100)} %`;
    $("noise-out").textContent = `${Math.round(settings.noise * 100)} %`;
    $("batch_size-out").textContent = String(settings.batch_size);
    $("n_samples-out").textContent = String(settings.n_samples);
    $("momentum-box").hidden = settings.optimizer !== "momentum";
    document.querySelectorAll("#datasets button").forEach((b) => b.classList.toggle("selected", b.dataset.name === settings.dataset));
  }

  function changed() {
    showSettings();
    newSession();
  }

  function setup() {
    const lim = opts.limits;
    fillSelect($("lr"), LEARNING_RATES.filter((v) => v >= lim.lr[0] && v <= lim.lr[1]));
    fillSelect($("activation"), opts.choices.activation, (v) => NAMES[v] || v);
    fillSelect($("optimizer"), opts.choices.optimizer, (v) => NAMES[v] || v);
    fillSelect($("regularization"), opts.choices.regularization, (v) => NAMES[v] || v);
    fillSelect($("reg_rate"), REG_RATES.filter((v) => v >= lim.reg_rate[0] && v <= lim.reg_rate[1]));
    for (const key of ["lr", "reg_rate"]) {
      $(key).addEventListener("change", () => { settings[key] = Number($(key).value); changed(); });
    }
    for (const key of ["activation", "optimizer", "regularization"]) {
      $(key).addEventListener("change", () => { settings[key] = $(key).value; changed(); });
    }
    const sliders = {train_fraction: lim.train_fraction, noise: lim.noise,
      batch_size: [lim.batch_size[0], Math.min(100, lim.batch_size[1])], n_samples: lim.n_samples};
    for (const [key, [lo, hi]] of Object.entries(sliders)) {
      const el = $(key);
      el.min = lo;
      el.max = hi;
      el.addEventListener("input", () => {
        settings[key] = Number(el.value);
        showSettings();
      });
      el.addEventListener("change", () => { settings[key] = Number(el.value); changed(); });
    }
    for (const key of ["seed", "momentum"]) {
      const el = $(key);
      el.min = lim[key][0];
      el.max = lim[key][1];
      el.addEventListener("change", () => { settings[key] = el.value === "" ? el.value : Number(el.value); newSession(); });
    }
    $("regenerate").addEventListener("click", () => {
      settings.seed = (settings.seed + 1) % (lim.seed[1] + 1);
      changed();
    });
    for (const name of opts.choices.dataset) {
      const b = document.createElement("button");
      b.id = `dataset-${name}`;
      b.dataset.name = name;
      b.title = NAMES[name] || name;
      const cv = document.createElement("canvas");
      cv.width = 52;
      cv.height = 52;
      datasetIcon(name, cv);
      b.appendChild(cv);
      b.addEventListener("click", () => { settings.dataset = name; changed(); });
      $("datasets").appendChild(b);
    }
    $("add-layer").addEventListener("click", () => {
      if (settings.hidden.length >= lim.layers[1]) return;
      settings.hidden.push(settings.hidden.length ? settings.hidden[settings.hidden.length - 1] : 4);
      changed();
    });
    $("remove-layer").addEventListener("click", () => {
      if (!settings.hidden.length) return;
      settings.hidden.pop();
      changed();
    });
    $("play").addEventListener("click", () => setPlaying(!playing));
    $("step").addEventListener("click", async () => {
      setPlaying(false);
      try { await trainOnce(1, opts.max_budget_ms); } catch (err) { showError(err); }
    });
    $("reset").addEventListener("click", () => newSession());
    $("show-test").addEventListener("change", draw);
    $("discretize").addEventListener("change", draw);
    window.addEventListener("resize", () => { if (last) drawLinks(); });
  }

  async function start() {
    try {
      opts = await api("GET", "/api/nn/options");
    } catch (err) {
      showError(err);
      return;
    }
    settings = JSON.parse(JSON.stringify(opts.defaults));
    setup();
    showSettings();
    await newSession();
    document.body.dataset.ready = "1";
  }

  start();
})();
