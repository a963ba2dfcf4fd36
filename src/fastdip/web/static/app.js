// fastdip image playground: plain JavaScript, no build step. The server (fastdip.web) runs every operation;
// this page builds the controls from the registry's schemas, sends the pipeline, and draws what comes back.
// Display mapping (the server's): uint8 as is, bool 0/255, other dtypes linearly from [min, max] to [0, 255].
"use strict";

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
};

// ---------------------------------------------------------------------------------------------- state

const state = {
  ops: {},            // name -> registry entry
  topics: [],
  sample: "camera",   // the bundled image (null after an upload)
  imageId: null,
  imageShape: null,
  steps: [],          // {op, params: {name: value}, enabled}
  shown: null,        // index of the step whose output is shown; null: the last; -1: the input
  mode: "result",
  errors: {},         // "stepIndex/param" -> message (server and client checks)
  picking: null,      // {step, param} while a point picker is active
};
window.fastdip = { state, rendered: null, requests: 0, aborted: 0, previewMs: [], previewServerMs: [], fullMs: [] };

// slider ranges where the schema gives no maximum (the schema's bounds always win)
const RANGES = {
  size: [1, 31], max_size: [3, 31], sigma: [0, 10], truncate: [0.5, 8], angle: [-180, 180], gamma: [0.05, 5],
  c: [0.05, 5], threshold: [0, 255], t: [0, 255], k: [1, 10], bins: [2, 256], iterations: [1, 10],
  percentile: [0, 100], amount: [0, 1], salt_vs_pepper: [0, 1], classes: [2, 6], min_size: [1, 2000],
  peak: [1, 255], spatial_radius: [1, 20], range_radius: [1, 64], scale: [0.1, 4], connectivity: [1, 2],
  k1: [-1, 1], k2: [-1, 1], k3: [-1, 1], p1: [-0.1, 0.1], p2: [-0.1, 0.1], cval: [0, 255], mean: [-50, 50],
  q: [0, 100], rank: [0, 48], num_iter: [0, 10],
};
// starting values of required parameters
const STARTS = { sigma: 2, angle: 15, gamma: 0.5, threshold: 20, t: 128, psf: [[1]], k: 3, seeds: null, size: 3 };
const POINT_PARAMS = new Set(["seeds", "seed", "center", "centres", "centers", "points"]);

// ---------------------------------------------------------------------------------------------- API

async function api(path, body, signal) {
  const init = body === undefined ? {} : {
    method: "POST", signal,
    headers: body instanceof Blob || body instanceof ArrayBuffer ? {"Content-Type": "application/octet-stream"}
                                                                   : {"Content-Type": "application/json"},
    body: body instanceof Blob || body instanceof ArrayBuffer ? body : JSON.stringify(body),
  };
  const response = await fetch(path, init);
  if (!response.ok) {
    let data;
    try { data = await response.json(); } catch (e) { data = {error: `${response.status} ${response.statusText}`}; }
    const err = new Error(data.error || String(response.status));
    err.data = data; err.status = response.status;
    throw err;
  }
  return response;
}

// ---------------------------------------------------------------------------------------------- operations list

function renderOps() {
  const query = $("#op-search").value.trim().toLowerCase();
  const box = $("#ops");
  box.textContent = "";
  for (const topic of state.topics) {
    const entries = Object.values(state.ops).filter((op) => op.topic === topic && (!query
      || op.name.toLowerCase().includes(query) || op.summary.toLowerCase().includes(query)));
    if (!entries.length) continue;
    const details = el("details", {open: true}, el("summary", {text: `${topic} (${entries.length})`}));
    for (const op of entries) {
      details.append(el("button", {"data-op": op.name, title: `${op.summary}\nreturns ${op.returns}`,
        text: op.name.split(".")[1] + (op.output === "table" ? " ▦" : ""),
        onclick: () => addStep(op.name)}));
    }
    box.append(details);
  }
}

// ---------------------------------------------------------------------------------------------- steps

function startValue(p) {
  if (p.name in STARTS && STARTS[p.name] !== null) {
    const v = STARTS[p.name];
    if (typeof v === "number" && p.maximum !== undefined && v > p.maximum) return p.maximum;
    return v;
  }
  if (POINT_PARAMS.has(p.name) && state.imageShape) {
    const centre = [Math.floor(state.imageShape[0] / 2), Math.floor(state.imageShape[1] / 2)];
    return p.name === "center" ? centre : [centre];
  }
  if (p.type === "choice") return p.choices[0];
  if (p.type === "bool") return false;
  if (["int", "number", "ints", "numbers"].includes(p.type)) {
    const lo = p.minimum !== undefined ? p.minimum + (p.exclusive_minimum ? 1 : 0) : 1;
    return p.odd && lo % 2 === 0 ? lo + 1 : lo;
  }
  return null;
}

function addStep(name, params) {
  const op = state.ops[name];
  const values = params ? {...params} : {};
  if (!params) {
    for (const p of op.params) if (p.required) values[p.name] = startValue(p);
    // colour images: the channels are the last axis (otherwise a filter would treat them as a third dimension)
    if (state.imageShape && state.imageShape.length === 3 && op.params.some((p) => p.name === "channel_axis")) {
      values.channel_axis = -1;
    }
  }
  state.steps.push({op: name, params: values, enabled: true});
  state.shown = null;
  renderSteps();
  changed(false);
}

function enabledSteps(upToIndex) {
  const list = [];
  state.steps.forEach((s, i) => {
    if (s.enabled && (upToIndex === undefined || i <= upToIndex)) list.push({op: s.op, params: s.params});
  });
  return list;
}

function checkParam(p, v) {
  // the registry's checks that the page can make at once (the server checks everything again)
  if (v === null || v === undefined || v === "") return p.required ? "required" : null;
  const num = (x) => typeof x === "number" && Number.isFinite(x);
  const bounds = (x) => {
    if (p.minimum !== undefined && (p.exclusive_minimum ? x <= p.minimum : x < p.minimum))
      return `must be ${p.exclusive_minimum ? ">" : "≥"} ${p.minimum}`;
    if (p.maximum !== undefined && x > p.maximum) return `must be ≤ ${p.maximum}`;
    if (p.odd && x % 2 !== 1) return "must be odd";
    return null;
  };
  if (p.type === "int" || p.type === "number") {
    if (!num(v) || (p.type === "int" && !Number.isInteger(v))) return p.type === "int" ? "an integer" : "a number";
    return bounds(v);
  }
  if (p.type === "ints" || p.type === "numbers") {
    const list = Array.isArray(v) ? v : [v];
    if (!list.length || !list.every((x) => num(x) && (p.type === "numbers" || Number.isInteger(x))))
      return p.type === "ints" ? "integers, e.g. 5 or 3,5" : "numbers, e.g. 1.5 or 1,2";
    for (const x of list) { const e = bounds(x); if (e) return e; }
    return null;
  }
  if (p.type === "choice") {
    if (p.choices.includes(v)) return null;
    if (p.number_ok && num(v)) return null;
    return `one of ${p.choices.join(", ")}`;
  }
  return null;
}

function parseText(p, text) {
  text = text.trim();
  if (text === "") return null;
  if (p.type === "string") return text;
  if (p.type === "ints" || p.type === "numbers") {
    const parts = text.replace(/^\[|\]$/g, "").split(",").map((x) => Number(x.trim()));
    return parts.length === 1 ? parts[0] : parts;
  }
  if (p.type === "int" || p.type === "number") return Number(text);
  if (p.type === "choice") return p.choices.includes(text) ? text : (Number.isFinite(Number(text)) ? Number(text) : text);
  try { return JSON.parse(text); } catch (e) { return text; }
}

function showText(v) {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v) && v.every((x) => typeof x === "number")) return v.join(",");
  return typeof v === "string" ? v : JSON.stringify(v);
}

function setParam(index, p, value, live) {
  const step = state.steps[index];
  if (value === null && !p.required) delete step.params[p.name];
  else step.params[p.name] = value;
  const err = checkParam(p, value);
  const key = `${index}/${p.name}`;
  if (err) state.errors[key] = `${p.name}: ${err}`; else delete state.errors[key];
  delete state.errors[`${index}/`];
  updateErrors();
  if (!err) changed(live);
}

function control(index, p) {
  const step = state.steps[index];
  const value = p.name in step.params ? step.params[p.name] : p.default;
  const ctl = el("span", {class: "ctl"});
  const numeric = ["int", "number", "ints", "numbers"].includes(p.type);
  const scalar = typeof value === "number" || value === null || value === undefined;
  if (p.name === "channel_axis") {  // grey or colour (channels last): the two cases of the playground
    const select = el("select", {"data-param": p.name},
      el("option", {value: "", text: "none (grey levels)", selected: value === null || value === undefined}),
      el("option", {value: "-1", text: "-1 (colour channels last)", selected: value === -1}));
    select.addEventListener("change", () => setParam(index, p, select.value === "" ? null : -1, false));
    ctl.append(select);
  } else if (numeric && scalar) {
    const [lo0, hi0] = RANGES[p.name] || [p.minimum ?? 0, Math.max(10, 4 * Math.abs(value || 1))];
    const lo = p.minimum !== undefined ? Math.max(lo0, p.minimum) : lo0;
    const hi = p.maximum !== undefined ? Math.min(hi0, p.maximum) : hi0;
    const integer = p.type === "int" || p.type === "ints";
    const stepSize = p.odd ? 2 : integer ? 1 : (hi - lo) / 200;
    const range = el("input", {type: "range", min: lo, max: hi, step: stepSize, "data-param": p.name,
      value: value ?? lo});
    const text = el("input", {type: p.type.endsWith("s") ? "text" : "number", "data-param": p.name, class: "value",
      value: showText(value), step: integer ? 1 : "any", placeholder: value === null ? "default" : ""});
    range.addEventListener("input", () => {
      const v = integer ? Math.round(Number(range.value)) : Number(Number(range.value).toPrecision(4));
      text.value = v;
      setParam(index, p, v, true);
    });
    range.addEventListener("change", () => changed(false));
    text.addEventListener("change", () => {
      const v = parseText(p, text.value);
      if (typeof v === "number") range.value = v;
      setParam(index, p, v, false);
    });
    ctl.append(range, text);
  } else if (p.type === "bool") {
    const box = el("input", {type: "checkbox", "data-param": p.name, checked: !!value});
    box.addEventListener("change", () => setParam(index, p, box.checked, false));
    ctl.append(box);
  } else if (p.type === "choice") {
    const select = el("select", {"data-param": p.name});
    for (const c of p.choices) select.append(el("option", {value: c, text: c, selected: c === value}));
    if (p.number_ok) select.append(el("option", {value: "__number", text: "number…", selected: typeof value === "number"}));
    const num = el("input", {type: "number", step: "any", value: typeof value === "number" ? value : "",
      hidden: typeof value !== "number", "data-param-number": p.name});
    select.addEventListener("change", () => {
      num.hidden = select.value !== "__number";
      if (select.value !== "__number") setParam(index, p, select.value, false);
      else if (num.value !== "") setParam(index, p, Number(num.value), false);
    });
    num.addEventListener("change", () => setParam(index, p, Number(num.value), false));
    ctl.append(select, num);
  } else {
    const multi = ["array", "mask", "any", "image"].includes(p.type);
    const input = el(multi ? "textarea" : "input", {type: multi ? undefined : "text", "data-param": p.name,
      placeholder: p.type === "mask" ? '{"disk": 3}' : p.type === "image" ? "@input" : "", spellcheck: "false"});
    input.value = showText(value);
    input.addEventListener("change", () => setParam(index, p, parseText(p, input.value), false));
    ctl.append(input);
    if (POINT_PARAMS.has(p.name)) {
      const pick = el("button", {class: "pick", title: "click points on the image", text: "⌖ pick"});
      pick.addEventListener("click", () => {
        state.picking = state.picking && state.picking.step === index ? null : {step: index, param: p};
        renderSteps();
      });
      if (state.picking && state.picking.step === index && state.picking.param.name === p.name) pick.classList.add("on");
      ctl.append(pick);
    }
  }
  const label = el("span", {title: `${p.type}${p.required ? ", required" : ""} — ${p.help}`, text: p.name});
  const row = el("div", {class: "param" + (p.required ? "" : " optional"), "data-key": `${index}/${p.name}`}, label, ctl);
  return row;
}

function renderSteps() {
  const list = $("#steps");
  list.textContent = "";
  state.steps.forEach((step, i) => {
    const op = state.ops[step.op];
    const shown = state.shown === i || (state.shown === null && i === lastEnabled());
    const head = el("div", {class: "head"},
      el("span", {class: "num", title: "show this step's output", text: String(i + 1), onclick: () => show(i)}),
      el("span", {class: "name", title: op.summary, text: step.op}),
      el("input", {type: "checkbox", title: "enabled", checked: step.enabled, onchange: (e) => {
        step.enabled = e.target.checked; renderSteps(); changed(false); }}),
      el("button", {title: "move up", text: "↑", onclick: () => move(i, -1)}),
      el("button", {title: "move down", text: "↓", onclick: () => move(i, 1)}),
      el("button", {title: "remove", class: "remove", text: "✕", onclick: () => remove(i)}));
    const card = el("li", {class: `step${shown ? " shown" : ""}${step.enabled ? "" : " disabled"}`,
      "data-index": i, "data-op": step.op}, head);
    const important = op.params.filter((p) => p.required || p.name in step.params || !["channel_axis", "dtype", "cval"].includes(p.name));
    for (const p of important) card.append(control(i, p));
    card.append(el("div", {class: "err", "data-key": `${i}/`}));
    list.append(card);
  });
  $("#source-step").classList.toggle("shown", state.shown === -1);
  $("#empty-hint").hidden = state.steps.length > 0;
  $("#step-count").textContent = state.steps.length ? `(${enabledSteps().length} of ${state.steps.length} on)` : "";
  $("#stage").classList.toggle("picking", !!state.picking);
  updateErrors();
}

function updateErrors() {
  document.querySelectorAll("[data-key]").forEach((node) => {
    const msg = state.errors[node.dataset.key];
    node.classList.toggle("bad", !!msg && node.classList.contains("param"));
    let box = node.classList.contains("err") ? node : node.querySelector(".err");
    if (!box && msg) { box = el("div", {class: "err"}); node.append(box); }
    if (box) box.textContent = msg || "";
  });
}

function lastEnabled() {
  for (let i = state.steps.length - 1; i >= 0; i--) if (state.steps[i].enabled) return i;
  return -1;
}

function move(i, d) {
  const j = i + d;
  if (j < 0 || j >= state.steps.length) return;
  [state.steps[i], state.steps[j]] = [state.steps[j], state.steps[i]];
  state.errors = {}; state.shown = null;
  renderSteps(); changed(false);
}

function remove(i) {
  state.steps.splice(i, 1);
  state.errors = {}; state.shown = null; state.picking = null;
  renderSteps(); changed(false);
}

function show(i) {
  state.shown = state.shown === i ? null : i;
  renderSteps(); changed(false);
}

// ---------------------------------------------------------------------------------------------- running

let controller = null;   // the request in flight (aborted when superseded)
let pending = null;      // a preview waiting for the next animation frame
const clientCache = new Map();  // request body -> {bitmap, headers} (a few recent full results)

function requestBody(preview) {
  const upto = state.shown === -1 ? 0 : enabledSteps(state.shown === null ? undefined : state.shown).length;
  return {image: state.imageId, steps: enabledSteps(), upto, preview};
}

let previewBusy = false;  // a preview request is in flight: the next one waits for it (one at a time)
let previewDirty = false; // the slider moved while it ran: send the latest value when it returns

function changed(live) {
  writeUrl();
  if (live) window.fastdip.inputs = (window.fastdip.inputs || 0) + 1;
  if (!state.imageId) return;
  if (live) {
    if (previewBusy) { previewDirty = true; return; }
    if (pending === null) pending = requestAnimationFrame(() => { pending = null; refresh(true); });
  } else {
    if (pending !== null) { cancelAnimationFrame(pending); pending = null; }
    previewDirty = false;
    refresh(false);  // aborts whatever is in flight: a full-resolution result supersedes every preview
  }
}

async function refresh(preview) {
  const clientErrors = Object.values(state.errors).filter((msg) => !msg.startsWith("step "));
  if (clientErrors.length) return;
  if (controller) { controller.abort(); window.fastdip.aborted++; }
  const ctrl = new AbortController();
  controller = ctrl;
  if (preview) previewBusy = true;
  const body = requestBody(preview);
  const key = JSON.stringify(body);
  document.body.dataset.busy = "1";
  const t0 = performance.now();
  try {
    let entry = clientCache.get(key);
    if (!entry) {
      window.fastdip.requests++;
      const response = await api("/api/run", body, ctrl.signal);
      if ((response.headers.get("content-type") || "").includes("json")) {
        entry = {table: (await response.json())};
      } else {
        const blob = await response.blob();
        const bitmap = await createImageBitmap(blob, {colorSpaceConversion: "none", premultiplyAlpha: "none"});
        entry = {bitmap, headers: Object.fromEntries(["shape", "dtype", "range", "reused", "computed", "ms"]
          .map((h) => [h, response.headers.get(`x-fastdip-${h}`)]))};
      }
      if (!preview) { clientCache.set(key, entry); if (clientCache.size > 24) clientCache.delete(clientCache.keys().next().value); }
    }
    if (ctrl.signal.aborted) return;
    clearServerErrors();
    if (entry.table) drawTable(entry.table); else draw(entry, preview);
    const latency = (preview ? window.fastdip.previewMs : window.fastdip.fullMs);
    latency.push(Math.round((performance.now() - t0) * 10) / 10);  // request sent -> image drawn (benchmarks.web)
    if (preview && entry.headers) window.fastdip.previewServerMs.push(Number(entry.headers.ms));
    if (latency.length > 1000) latency.shift();
    // plots: with a full result, awaited; with a preview, one set at a time beside the previews
    const plots = entry.table ? null : preview ? (schedulePlots(body), null) : fullPlots(body, ctrl.signal);
    const ms = Math.round(performance.now() - t0);
    const h = entry.headers || entry.table;
    $("#status").textContent = entry.table ? `table: ${entry.table.table.total} rows` :
      `${h.shape.replaceAll(",", "×")} ${h.dtype} · ${preview ? "preview" : "full resolution"} · ` +
      `${h.computed} step(s) run, ${h.reused} reused · server ${h.ms} ms, shown in ${ms} ms`;
    if (plots) await plots;
    if (ctrl.signal.aborted) return;
    window.fastdip.rendered = {...body, ms, shape: entry.headers && entry.headers.shape, dtype: entry.headers && entry.headers.dtype};
    document.body.dataset.busy = "0";
  } catch (err) {
    if (err.name === "AbortError" || ctrl.signal.aborted) return;
    showServerError(err);
    document.body.dataset.busy = "0";
  } finally {
    if (controller === ctrl) controller = null;
    if (preview) {
      previewBusy = false;
      if (previewDirty && !ctrl.signal.aborted) { previewDirty = false; changed(true); }
    }
  }
}

let plotCtrl = null;      // the preview plots in flight
let plotNext = null;      // the latest preview whose plots wait for them

let plotTimer = null;     // preview plots wait PLOT_GAP ms after the last set (the image previews go first)
let plotLast = 0;
const PLOT_GAP = 250;

function schedulePlots(body) {
  if (plotCtrl || plotTimer) { plotNext = body; return; }
  const wait = plotLast + PLOT_GAP - performance.now();
  if (wait > 0) {
    plotNext = body;
    plotTimer = setTimeout(() => { plotTimer = null; const next = plotNext; plotNext = null; if (next) schedulePlots(next); }, wait);
    return;
  }
  plotLast = performance.now();
  const ctrl = new AbortController();
  plotCtrl = ctrl;
  Promise.all([histogram(body, ctrl.signal), spectrum(body, ctrl.signal)]).catch(() => {}).finally(() => {
    if (plotCtrl === ctrl) plotCtrl = null;
    if (plotNext && !ctrl.signal.aborted) { const next = plotNext; plotNext = null; schedulePlots(next); }
  });
}

function fullPlots(body, signal) {
  if (plotCtrl) { plotCtrl.abort(); plotCtrl = null; }
  if (plotTimer) { clearTimeout(plotTimer); plotTimer = null; }
  plotNext = null;
  return Promise.all([histogram(body, signal), spectrum(body, signal)]);
}

function clearServerErrors() {
  for (const k of Object.keys(state.errors)) if (state.errors[k].startsWith("step ")) delete state.errors[k];
  $("#message").hidden = true;
  updateErrors();
}

function showServerError(err) {
  const errors = (err.data && err.data.errors) || [];
  const enabledIndex = [];
  state.steps.forEach((s, i) => { if (s.enabled) enabledIndex.push(i); });
  for (const e of errors) {
    const i = enabledIndex[e.step - 1];
    if (i !== undefined) state.errors[`${i}/${e.param && state.ops[state.steps[i].op].params.some((p) => p.name === e.param) ? e.param : ""}`] = e.message;
  }
  updateErrors();
  const msg = $("#message");
  msg.textContent = err.message;
  msg.hidden = false;
  window.fastdip.rendered = {error: err.message, status: err.status};
}

// ---------------------------------------------------------------------------------------------- drawing

let view = {zoom: 1, x: 0, y: 0, fitted: false};
let current = {shape: null, dtype: null, raw: null, rawKey: null};

function draw(entry, preview) {
  $("#table").hidden = true;
  $("#world").hidden = false;
  const canvas = $("#result");
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const shape = entry.headers.shape.split(",").map(Number);
  if (!preview) {
    if (canvas.width !== shape[1] || canvas.height !== shape[0]) {
      canvas.width = shape[1]; canvas.height = shape[0]; view.fitted = false;
    }
    current = {shape, dtype: entry.headers.dtype, range: entry.headers.range, raw: null, rawKey: null};
  }
  const small = $("#preview");
  if (preview) {
    // a preview is drawn at its own size and stretched by CSS over the result (no full-size redraw)
    if (small.width !== entry.bitmap.width || small.height !== entry.bitmap.height) {
      small.width = entry.bitmap.width; small.height = entry.bitmap.height;
    }
    small.style.width = `${canvas.width}px`; small.style.height = `${canvas.height}px`;
    small.getContext("2d").drawImage(entry.bitmap, 0, 0);
    small.hidden = false;
    window.fastdip.previews = (window.fastdip.previews || 0) + 1;
  } else {
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(entry.bitmap, 0, 0);
    small.hidden = true;
  }
  $("#marks").setAttribute("width", canvas.width); $("#marks").setAttribute("height", canvas.height);
  if (!view.fitted) fit();
  drawMarks();
}

function drawTable(data) {
  const t = data.table;
  const table = el("table", {}, el("tr", {}, ...t.columns.map((c) => el("th", {text: c}))));
  for (const row of t.rows.slice(0, 500)) table.append(el("tr", {}, ...t.columns.map((c) => el("td", {text: String(row[c])}))));
  const box = $("#table");
  box.textContent = "";
  box.append(el("p", {text: `${t.total} rows${t.total > 500 ? " (first 500 shown; the pipeline file gives all)" : ""}`}), table);
  box.hidden = false;
  $("#world").hidden = true;
}

function applyView() {
  $("#world").style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.zoom})`;
  $("#zoom-level").textContent = `${Math.round(view.zoom * 100)} %`;
}

function fit() {
  const stage = $("#stage").getBoundingClientRect();
  const canvas = $("#result");
  const z = Math.min(stage.width / canvas.width, stage.height / canvas.height);
  view.zoom = z > 1 ? Math.max(1, Math.floor(z)) : z;
  view.x = (stage.width - canvas.width * view.zoom) / 2;
  view.y = (stage.height - canvas.height * view.zoom) / 2;
  view.fitted = true;
  applyView();
}

async function loadBefore() {
  const before = $("#before");
  if (!state.imageId) return;
  const response = await api("/api/run", {image: state.imageId, steps: [], upto: 0});
  const bitmap = await createImageBitmap(await response.blob(), {colorSpaceConversion: "none", premultiplyAlpha: "none"});
  before.width = bitmap.width; before.height = bitmap.height;
  before.getContext("2d").drawImage(bitmap, 0, 0);
  applySplit();
}

function applySplit() {
  const split = state.mode === "split";
  $("#before").hidden = !split; $("#split").hidden = !split;
  $("#before").style.clipPath = `inset(0 ${100 - Number($("#split").value)}% 0 0)`;
}

async function histogram(body, signal) {
  const data = await (await api("/api/run", {...body, view: "histogram"}, signal)).json();
  if (signal.aborted) return;
  const canvas = $("#histogram");
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const colours = data.counts.length === 1 ? ["#333"] : ["#d33", "#2a2", "#33d", "#888"];
  // scale to the second-highest bin of each channel, so that one spike (often 0 or 255) does not flatten the rest
  const max = Math.max(1, ...data.counts.map((c) => [...c].sort((a, b) => b - a)[Math.min(1, c.length - 1)]));
  data.counts.forEach((counts, ch) => {
    ctx.fillStyle = colours[ch]; ctx.globalAlpha = data.counts.length === 1 ? 0.85 : 0.45;
    const w = W / counts.length;
    counts.forEach((n, i) => { const h = Math.min(1, n / max) * (H - 14); ctx.fillRect(i * w, H - 12 - h, Math.max(w, 1), h); });
  });
  ctx.globalAlpha = 1;
  data.cumulative.forEach((cum, ch) => {
    ctx.strokeStyle = data.counts.length === 1 ? "#2b6cb0" : colours[ch]; ctx.lineWidth = 1.5;
    ctx.beginPath();
    cum.forEach((c, i) => { const x = (i + 0.5) * W / cum.length, y = H - 12 - c * (H - 14); i ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
    ctx.stroke();
  });
  ctx.fillStyle = "#555"; ctx.font = "10px sans-serif";
  ctx.fillText(String(+data.range[0].toPrecision(4)), 2, H - 2);
  const hiText = String(+data.range[1].toPrecision(4));
  ctx.fillText(hiText, W - ctx.measureText(hiText).width - 2, H - 2);
}

async function spectrum(body, signal) {
  const response = await api("/api/run", {...body, view: "spectrum"}, signal);
  const bitmap = await createImageBitmap(await response.blob());
  if (signal.aborted) return;
  const canvas = $("#spectrum");
  const s = Math.min(canvas.width / bitmap.width, canvas.height / bitmap.height);
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, (canvas.width - bitmap.width * s) / 2, (canvas.height - bitmap.height * s) / 2, bitmap.width * s, bitmap.height * s);
}

// ---------------------------------------------------------------------------------------------- zoom, pan, inspector, points

function imageCoords(event) {
  const rect = $("#result").getBoundingClientRect();
  const canvas = $("#result");
  const col = Math.floor((event.clientX - rect.left) / rect.width * canvas.width);
  const row = Math.floor((event.clientY - rect.top) / rect.height * canvas.height);
  return {row, col, inside: row >= 0 && col >= 0 && row < canvas.height && col < canvas.width};
}

async function inspect(event) {
  const {row, col, inside} = imageCoords(event);
  const box = $("#inspector");
  if (!inside || !current.shape) { box.textContent = "row –, col –"; return; }
  let value;
  if (current.dtype === "uint8") {
    const d = $("#result").getContext("2d", {willReadFrequently: true}).getImageData(col, row, 1, 1).data;
    value = current.shape.length === 2 ? `${d[0]}` : `(${Array.from(d.slice(0, current.shape[2])).join(", ")})`;
  } else {
    const key = JSON.stringify(requestBody(false));
    if (current.rawKey !== key) {
      current.rawKey = key;
      const response = await api("/api/run", {...requestBody(false), view: "raw"});
      current.raw = new Float32Array(await response.arrayBuffer());
    }
    if (!current.raw) return;
    const c = current.shape.length === 3 ? current.shape[2] : 1;
    const at = (row * current.shape[1] + col) * c;
    const vals = Array.from(current.raw.slice(at, at + c)).map((v) => +v.toPrecision(6));
    value = c === 1 ? `${vals[0]}` : `(${vals.join(", ")})`;
  }
  box.textContent = `row ${row}, col ${col}: ${value}  [${current.dtype}]`;
}

function drawMarks() {
  const svg = $("#marks");
  svg.textContent = "";
  state.steps.forEach((step, i) => {
    for (const name of POINT_PARAMS) {
      const v = step.params[name];
      if (!Array.isArray(v)) continue;
      const points = Array.isArray(v[0]) ? v : [v];
      for (const pt of points) {
        if (pt.length < 2) continue;
        const c = document.createElementNS("http://www.w3.org/2000/svg", "circle");
        c.setAttribute("cx", pt[1] + 0.5); c.setAttribute("cy", pt[0] + 0.5); c.setAttribute("r", 4 / view.zoom + 1);
        c.setAttribute("fill", "none"); c.setAttribute("stroke", "#ff2d55"); c.setAttribute("stroke-width", 2 / view.zoom);
        svg.append(c);
      }
    }
  });
}

function pickPoint(event) {
  const {row, col, inside} = imageCoords(event);
  if (!inside) return;
  const {step, param} = state.picking;
  const s = state.steps[step];
  if (param.name === "center") s.params[param.name] = [row, col];
  else {
    const old = Array.isArray(s.params[param.name]) && Array.isArray(s.params[param.name][0]) ? s.params[param.name] : [];
    s.params[param.name] = event.shiftKey ? [...old, [row, col]] : [[row, col]];
  }
  renderSteps(); drawMarks(); changed(false);
}

function setupStage() {
  const stage = $("#stage");
  let drag = null;
  stage.addEventListener("wheel", (e) => {
    e.preventDefault();
    const rect = stage.getBoundingClientRect();
    const mx = e.clientX - rect.left, my = e.clientY - rect.top;
    const factor = e.deltaY < 0 ? 1.25 : 0.8;
    const z = Math.min(64, Math.max(0.05, view.zoom * factor));
    view.x = mx - (mx - view.x) * z / view.zoom; view.y = my - (my - view.y) * z / view.zoom;
    view.zoom = z; applyView(); drawMarks();
  }, {passive: false});
  stage.addEventListener("mousedown", (e) => { drag = {x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false}; stage.classList.add("dragging"); });
  window.addEventListener("mousemove", (e) => {
    if (drag) {
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (drag.moved) { view.x = drag.vx + dx; view.y = drag.vy + dy; applyView(); }
    }
    if (e.target.closest && e.target.closest("#stage")) inspect(e).catch(() => {});
  });
  window.addEventListener("mouseup", (e) => {
    if (drag && !drag.moved && state.picking && e.target.closest && e.target.closest("#stage")) pickPoint(e);
    drag = null; stage.classList.remove("dragging");
  });
  $("#zoom-fit").addEventListener("click", () => { fit(); drawMarks(); });
  $("#zoom-1").addEventListener("click", () => { view.zoom = 1; view.x = 0; view.y = 0; applyView(); drawMarks(); });
  window.addEventListener("resize", () => { if (view.fitted) fit(); });
}

// ---------------------------------------------------------------------------------------------- images

async function chooseSample(name) {
  const info = await (await api(`/api/samples/${encodeURIComponent(name)}`, {})).json();
  state.sample = name;
  useImage(info, name);
}

async function upload(file) {
  $("#status").textContent = `uploading ${file.name}…`;
  try {
    const info = await (await api("/api/images", file)).json();
    state.sample = null;
    if (!$("#sample option[value='']")) $("#sample").prepend(el("option", {value: "", text: "(upload)"}));
    $("#sample").value = "";
    useImage(info, file.name);
  } catch (err) {
    showServerError(err);
  }
}

function useImage(info, label) {
  state.imageId = info.id;
  state.imageShape = info.shape;
  $("#image-info").textContent = `${label}: ${info.shape.join("×")} ${info.dtype}`;
  clientCache.clear();
  view.fitted = false;
  loadBefore().catch(() => {});
  changed(false);
}

function setupUpload() {
  $("#file").addEventListener("change", (e) => { if (e.target.files[0]) upload(e.target.files[0]); });
  const drop = $("#drop");
  let depth = 0;
  window.addEventListener("dragenter", (e) => { e.preventDefault(); depth++; drop.hidden = false; });
  window.addEventListener("dragleave", () => { if (--depth <= 0) { depth = 0; drop.hidden = true; } });
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => {
    e.preventDefault(); depth = 0; drop.hidden = true;
    const file = e.dataTransfer && e.dataTransfer.files[0];
    if (file) upload(file);
  });
}

// ---------------------------------------------------------------------------------------------- exports and URL

async function download(path, body, filename) {
  try {
    const blob = await (await api(path, body)).blob();
    const a = el("a", {href: URL.createObjectURL(blob), download: filename});
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (err) { showServerError(err); }
}

function setupExports() {
  const result = (format) => ({...requestBody(false), view: "download", format});
  $("#export-png").addEventListener("click", () => download("/api/run", result("png"), "result.png"));
  $("#export-tiff").addEventListener("click", () => download("/api/run", result("tiff"), "result.tif"));
  $("#export-pipeline").addEventListener("click", () => download("/api/export/pipeline", {steps: enabledSteps()}, "pipeline.json"));
  $("#export-python").addEventListener("click", () => download("/api/export/python", {steps: enabledSteps()}, "pipeline.py"));
  $("#share").addEventListener("click", async () => {
    writeUrl();
    try { await navigator.clipboard.writeText(location.href); $("#status").textContent = "link copied"; }
    catch (e) { $("#status").textContent = "link: the address bar holds it"; }
  });
}

function encodeState() {
  const data = {sample: state.sample, steps: state.steps.map((s) => (s.enabled ? [s.op, s.params] : [s.op, s.params, 0])),
    shown: state.shown, mode: state.mode};
  return btoa(unescape(encodeURIComponent(JSON.stringify(data)))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function writeUrl() {
  history.replaceState(null, "", `#s=${encodeState()}`);
}

function readUrl() {
  const match = location.hash.match(/s=([A-Za-z0-9_-]+)/);
  if (!match) return null;
  try {
    const text = decodeURIComponent(escape(atob(match[1].replace(/-/g, "+").replace(/_/g, "/"))));
    return JSON.parse(text);
  } catch (e) { return null; }
}

// ---------------------------------------------------------------------------------------------- start

async function start() {
  const [ops, samples] = await Promise.all([(await api("/api/ops")).json(), (await api("/api/samples")).json()]);
  for (const op of ops.ops) state.ops[op.name] = op;
  state.topics = ops.topics;
  for (const s of samples) $("#sample").append(el("option", {value: s.name, text: `${s.name} (${s.shape.join("×")} ${s.dtype})`}));
  $("#op-search").addEventListener("input", renderOps);
  $("#sample").addEventListener("change", (e) => { if (e.target.value) chooseSample(e.target.value); });
  $("#source-step").addEventListener("click", () => { state.shown = state.shown === -1 ? null : -1; renderSteps(); changed(false); });
  document.querySelectorAll("input[name=mode]").forEach((r) => r.addEventListener("change", () => {
    state.mode = r.value; applySplit(); writeUrl(); }));
  $("#split").addEventListener("input", applySplit);
  setupStage(); setupUpload(); setupExports();
  const saved = readUrl();
  if (saved) {
    for (const [op, params, on] of saved.steps || []) {
      if (state.ops[op]) state.steps.push({op, params: params || {}, enabled: on !== 0});
    }
    state.shown = typeof saved.shown === "number" && saved.shown < state.steps.length ? saved.shown : null;
    state.mode = saved.mode === "split" ? "split" : "result";
    document.querySelector(`input[name=mode][value=${state.mode}]`).checked = true;
    if (saved.sample && samples.some((s) => s.name === saved.sample)) state.sample = saved.sample;
  }
  renderOps(); renderSteps();
  $("#sample").value = state.sample;
  await chooseSample(state.sample);
}

start().catch((err) => { $("#message").textContent = `The playground could not start: ${err.message}`; $("#message").hidden = false; });
