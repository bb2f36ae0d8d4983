// The live view of a neuron society learning. Plain JavaScript, SVG and canvas; no build step.
// Pictures arrive as server-sent events (/events); controls go out as POST /control.
"use strict";

let network = null;      // the skeleton: layers, neurons, which synapses are drawn, the data's kind
let frame = null;        // the latest picture
let ended = false;

// -- the figures, curves and pictures ----------------------------------------------------------------

function updateFigures() {
  const f = frame;
  show("epoch", f.epochs ? `${f.epoch} / ${f.epochs}` : `${f.epoch}`, f.epoch);
  show("examples", f.examples.toLocaleString("en"), f.examples);
  show("accuracy", pct(f.accuracy), f.accuracy);
  show("loss", fmt(f.loss), f.loss);
  show("held-accuracy", f.held_out ? pct(f.held_out.accuracy) : "–", f.held_out ? f.held_out.accuracy : null);
  show("held-loss", f.held_out ? fmt(f.held_out.loss) : "–", f.held_out ? f.held_out.loss : null);
  show("eps", fmt(f.examples_per_second), f.examples_per_second);
  show("mps", f.messages_per_second === null ? "–" : Math.round(f.messages_per_second).toLocaleString("en"), f.messages_per_second);
  show("rate", f.learning_rate === null ? "" : `now ${fmt(f.learning_rate)}`, f.learning_rate);
  if (document.activeElement !== $("rate-input") && f.learning_rate !== null && !$("rate-input").value) $("rate-input").value = f.learning_rate;
  const status = $("status");
  const words = { waiting: "waiting for the first example", running: "learning", paused: f.blocked ? "paused" : "pausing…",
    finished: "finished", failed: "failed", closed: "stopped" };
  status.textContent = words[f.state] || f.state;
  status.className = `status ${f.state}`;
  status.dataset.state = f.state;
  const live = f.state === "running" || f.state === "paused" || f.state === "waiting";
  $("pause").disabled = !live || f.paused;
  $("resume").disabled = !live || !f.paused;
  $("step").disabled = !live || !f.paused;
  $("rate-set").disabled = !live;
  $("pace").disabled = !live;
  if (document.activeElement !== $("pace")) $("pace").value = f.pace === null ? "" : String(f.pace);
  if (f.state === "finished") banner(f.message ? `This run has finished: ${f.message}` :
    `This run has finished: ${f.examples.toLocaleString("en")} examples in ${f.epoch} passes. The pictures show the network as it ended; the server keeps them until Ctrl-C.`);
  else if (f.state === "failed") banner(`This run failed: ${f.message}`);
  else if (!ended) banner("");
}

function banner(text) { const b = $("banner"); b.textContent = text; b.hidden = !text; }

function drawCurves() {
  const svg = $("curves"), c = frame.curve;
  svg.replaceChildren();
  const width = svg.clientWidth || 420, height = svg.clientHeight || 260, half = height / 2;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const xs = c.train.examples, last = xs.length ? xs[xs.length - 1] : 1, first = 0;
  const x = (v) => 40 + (width - 50) * (v - first) / ((last - first) || 1);
  const chart = (top, keys, low, high, title) => {
    el("line", { class: "axis", x1: 40, y1: top + half - 22, x2: width - 10, y2: top + half - 22 }, svg);
    el("line", { class: "axis", x1: 40, y1: top + 14, x2: 40, y2: top + half - 22 }, svg);
    const label = el("text", { x: 44, y: top + 12, class: "label" }, svg);
    label.textContent = title;
    const hi = el("text", { x: 36, y: top + 20, "text-anchor": "end", class: "label" }, svg); hi.textContent = fmt(high, 2);
    const lo = el("text", { x: 36, y: top + half - 22, "text-anchor": "end", class: "label" }, svg); lo.textContent = fmt(low, 2);
    const y = (v) => top + half - 22 - (half - 36) * (v - low) / ((high - low) || 1);
    keys.forEach(([set, key, colour]) => {
      const points = [], series = c[set];
      series[key].forEach((v, i) => { if (v !== null && v !== undefined) points.push(`${x(series.examples[i]).toFixed(1)},${y(v).toFixed(1)}`); });
      const line = el("polyline", { points: points.join(" "), fill: "none", stroke: colour, "stroke-width": 1.8, class: `curve ${set} ${key}` }, svg);
      line.dataset.points = points.length;
      line.dataset.first = series.examples.length ? series.examples[0] : "";
    });
  };
  chart(0, [["train", "accuracy", "#2a6fdb"], ["held", "accuracy", "#8a4fd1"]], 0, 1, "accuracy");
  const losses = [...c.train.loss, ...c.held.loss].filter((v) => v !== null && v !== undefined);
  chart(half, [["train", "loss", "#2a6fdb"], ["held", "loss", "#8a4fd1"]], 0, losses.length ? Math.max(...losses) : 1, "loss");
  const axis = el("text", { x: width - 10, y: height - 4, "text-anchor": "end", class: "label" }, svg);
  axis.textContent = `examples seen: ${last.toLocaleString("en")}`;
}

function exampleCanvas(pixels, size) {
  const canvas = document.createElement("canvas");
  const [rows, columns] = network.data.shape;
  paint(canvas, bytes(pixels), columns, rows, ink);
  if (size) { canvas.style.width = size + "px"; canvas.style.height = size + "px"; }
  return canvas;
}

function mark(node, p) {  // what a shown example is, for anyone reading the page's elements
  Object.assign(node.dataset, { index: p.index ?? "", label: p.label ?? "", guess: p.guess ?? "", right: p.right ?? "" });
}

function drawExample() {
  const box = $("example"), e = frame.example;
  box.replaceChildren();
  const text = document.createElement("div");
  if (!e) {
    text.textContent = "no example scored yet";
  } else {
    if (e.pixels) box.appendChild(exampleCanvas(e.pixels));
    text.textContent = e.label === null ? `example ${e.index}` :
      `example ${e.index}: label ${e.label}, the network said ${e.guess} (${e.right ? "right" : "wrong"})`;
  }
  mark(box, e || {});
  box.appendChild(text);
  const list = $("predictions");
  list.replaceChildren();
  for (const p of frame.recent) {
    const item = document.createElement("div");
    item.className = `prediction ${p.right === null ? "" : p.right ? "right" : "wrong"}`;
    mark(item, p);
    if (p.pixels) item.appendChild(exampleCanvas(p.pixels));
    const guess = document.createElement("span");
    guess.className = "guess";
    guess.textContent = p.guess === null ? `#${p.index}` : p.guess;
    item.appendChild(guess);
    item.title = (p.label === null ? `example ${p.index}` : `example ${p.index}: label ${p.label}, guessed ${p.guess}`) +
      "; click to trace its messages";
    item.addEventListener("click", () => traceExample(p.index));
    list.appendChild(item);
  }
}

function drawImages() {
  if (!frame.images) return;
  $("images-panel").hidden = false;
  const [rows, columns] = network.data.shape, size = rows * columns, pixels = bytes(frame.images.pixels);
  const box = $("weights");
  if (box.children.length !== frame.images.neurons.length) {
    box.replaceChildren();
    for (const n of frame.images.neurons) {
      const tile = document.createElement("div");
      tile.className = "tile";
      tile.appendChild(document.createElement("canvas"));
      tile.appendChild(document.createTextNode(`${n}`));
      box.appendChild(tile);
    }
  }
  frame.images.neurons.forEach((n, k) => paint(box.children[k].firstChild, pixels.subarray(k * size, (k + 1) * size), columns, rows, grey));
}

const CLASS_COLOURS = [[42, 111, 219], [232, 130, 42], [29, 154, 85], [210, 60, 60], [138, 79, 209], [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];

const PALE = 0.5;  // the map behind the points at half its strength (as Playground's), so that they stand out
const pale = (rgb) => rgb.map((c) => Math.round(255 + (c - 255) * PALE));
const paleScale = (v) => pale(onScale(v));
const shades = new Map();  // a class's colour -> its 256 pale shades, from white (v 128 or less) to the colour
function classShades(rgb) {
  if (!shades.has(rgb)) shades.set(rgb, palette((v) => pale(rgb.map((c) => Math.round(255 + (c - 255) * Math.max(0, (v - 128) / 127))))));
  return shades.get(rgb);
}

function drawPlane() {
  if (!frame || !frame.confidence) return;
  const data = network.data, side = data.side, canvas = $("boundary"), context = canvas.getContext("2d");
  const size = canvas.width, [x0, x1, y0, y1] = data.extent, discrete = $("discretize").checked;
  const sure = bytes(frame.confidence), decided = frame.decision ? bytes(frame.decision) : null;
  const image = context.createImageData(side, side), colours = decided ? CLASS_COLOURS.map(classShades) : [palette(paleScale)];
  for (let i = 0; i < side * side; i++) {  // discretized: only which class (or sign) wins, at full strength
    const v = discrete ? (decided ? 255 : sure[i] > 128 ? 255 : sure[i] < 128 ? 0 : 128) : sure[i];
    const table = colours[decided ? decided[i] % 10 : 0], j = 4 * i, k = 4 * v;
    image.data[j] = table[k]; image.data[j + 1] = table[k + 1]; image.data[j + 2] = table[k + 2]; image.data[j + 3] = 255;
  }
  const small = document.createElement("canvas");
  small.width = side; small.height = side;
  small.getContext("2d").putImageData(image, 0, 0);
  context.imageSmoothingEnabled = false;
  context.drawImage(small, 0, 0, size, size);
  const wrong = frame.wrong ? bytes(frame.wrong) : [], testWrong = frame.test_wrong ? bytes(frame.test_wrong) : [];
  const dot = (x, y, c, test, mistake) => {  // training points filled, test points hollow; a mistake ringed dark
    const rgb = c === null ? [60, 60, 60] : decided ? CLASS_COLOURS[c % 10] : c === 1 ? POSITIVE : NEGATIVE;  // two classes: as the scale
    const colour = `rgb(${rgb.join(",")})`, cx = (x - x0) / (x1 - x0) * size, cy = (y1 - y) / (y1 - y0) * size;
    if (mistake) {
      context.beginPath(); context.arc(cx, cy, 5.4, 0, 2 * Math.PI);
      context.strokeStyle = "#1d2430"; context.lineWidth = 1.6; context.stroke();
    }
    context.beginPath();
    context.arc(cx, cy, 3.2, 0, 2 * Math.PI);
    context.fillStyle = test ? "#fff" : colour; context.strokeStyle = test ? colour : "#fff"; context.lineWidth = test ? 1.6 : 1;
    context.fill(); context.stroke();
  };
  data.points.forEach(([, x, y, c], k) => dot(x, y, c, false, wrong[k] === 1));
  data.test_points.forEach(([x, y, c], k) => dot(x, y, c, true, testWrong[k] === 1));
  Object.assign(canvas.dataset, { side, train: data.points.length, test: data.test_points.length, discrete,
    wrong: wrong.reduce((a, b) => a + b, 0), testWrong: testWrong.reduce((a, b) => a + b, 0) });
}

function pickPoint(event) {  // the training point nearest a click, within 8 px: trace that example
  const data = network.data, canvas = $("boundary"), box = canvas.getBoundingClientRect(), [x0, x1, y0, y1] = data.extent;
  let best = null, bestDistance = 64;
  for (const [index, x, y] of data.points) {
    const dx = (x - x0) / (x1 - x0) * box.width - (event.clientX - box.left), dy = (y1 - y) / (y1 - y0) * box.height - (event.clientY - box.top);
    if (dx * dx + dy * dy < bestDistance) { best = index; bestDistance = dx * dx + dy * dy; }
  }
  if (best !== null) traceExample(best);
}

// -- the controls and the stream ----------------------------------------------------------------------

async function control(action, value) {
  $("control-error").textContent = "";
  try {
    const headers = { "Content-Type": "application/json" };
    if (TOKEN) headers["X-Exmachina-Token"] = TOKEN;
    const answer = await fetch("/control", { method: "POST", headers,
      body: JSON.stringify(value === undefined ? { action } : { action, value }) });
    const body = await answer.json();
    if (!answer.ok) $("control-error").textContent = body.error;
    return answer.ok;
  } catch (error) {
    $("control-error").textContent = "the training process does not answer";
    return false;
  }
}

function connect() {
  const source = new EventSource(withToken("/events"));
  source.addEventListener("network", (event) => {
    network = JSON.parse(event.data);
    ended = false;
    frame = null; drawing = null;  // a new run (the page restarted it): nothing of the last
    $("images-panel").hidden = true; $("weights").replaceChildren();
    $("plane-panel").hidden = network.data.kind !== "plane";  // beside the network: it takes its room first
    drawNetwork(network);
    clearTrace();
    showPlayground(network.playground);
    $("network").dataset.generation = network.generation;
    $("mps-name").title = `computed, not counted: ${network.messages_per_example.toLocaleString("en")} messages per example ` +
      "(per batch when batched): one per synapse each way, two per sensor and per output neuron, and the desired outputs";
  });
  source.addEventListener("frame", (event) => {
    frame = JSON.parse(event.data);
    updateFigures(); updateNetwork(); drawCurves(); drawExample(); drawImages(); drawPlane();
    document.body.dataset.version = frame.version;
  });
  source.addEventListener("closed", () => { source.close(); gone(); });
  source.onerror = () => { if (source.readyState !== EventSource.OPEN) gone(); };
}

function gone() {
  ended = true;
  const status = $("status");
  status.textContent = "ended";
  status.className = "status ended";
  status.dataset.state = "ended";
  for (const id of ["pause", "resume", "step", "rate-set", "trace", "pace"]) $(id).disabled = true;
  banner(frame && frame.state === "finished"
    ? `This run has finished (${frame.examples.toLocaleString("en")} examples), and its process has ended: the page no longer updates.`
    : "The training process has ended: this page no longer updates.");
}

window.addEventListener("DOMContentLoaded", () => {
  $("pause").addEventListener("click", () => control("pause"));
  $("resume").addEventListener("click", () => control("resume"));
  $("step").addEventListener("click", () => control("step"));
  $("rate-set").addEventListener("click", () => control("learning_rate", Number($("rate-input").value)));
  $("pace").addEventListener("change", () => control("pace", $("pace").value === "" ? null : Number($("pace").value)));
  $("network-box").addEventListener("mousemove", hoverNetwork);
  $("boundary").addEventListener("click", pickPoint);
  $("discretize").addEventListener("change", drawPlane);
  $("network-box").addEventListener("mouseleave", () => { $("tip").hidden = true; });
  new ResizeObserver(() => { if (network) { drawNetwork(network); updateNetwork(); renderTrace(); } }).observe($("network-box"));
  setUpTrace();
  setUpPlayground();
  connect();
});
