// The live view of a neuron society learning. Plain JavaScript, SVG and canvas; no build step.
// Pictures arrive as server-sent events (/events); controls go out as POST /control.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const POSITIVE = [42, 111, 219], NEGATIVE = [232, 130, 42];
const SHARD_COLOURS = ["#1b9e77", "#7570b3", "#e7298a", "#a6761d", "#66a61e", "#e6ab02", "#17becf", "#666666"];  // not the weights' blue and orange
const $ = (id) => document.getElementById(id);
let network = null;      // the skeleton: layers, neurons, which synapses are drawn, the data's kind
let frame = null;        // the latest picture
let drawing = null;      // SVG elements of the network drawing
let flow = null, flowAt = 0;  // the traced example and the step shown
let ended = false;
const TOKEN = new URLSearchParams(location.search).get("token");  // asked for beyond the loopback
const withToken = (path) => TOKEN ? `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(TOKEN)}` : path;

// -- small helpers -------------------------------------------------------------------------------

function el(tag, attributes, parent) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes || {})) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}
function fmt(value, digits = 3) {
  if (value === null || value === undefined) return "–";
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en");
  const text = Number(value).toPrecision(digits);
  if (text.includes("e")) return text.replace(/\.?0+e/, "e");
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}
function pct(value) { return value === null || value === undefined ? "–" : (100 * value).toFixed(1) + "%"; }
function show(id, text, raw) { const n = $(id); n.textContent = text; n.dataset.value = raw === null || raw === undefined ? "" : raw; }
function mix(weight, alpha) {  // weight in -1..1 -> blue (positive) or orange (negative) on white
  const c = weight >= 0 ? POSITIVE : NEGATIVE, t = Math.min(1, Math.abs(weight));
  const channel = (k) => Math.round(255 + (c[k] - 255) * t);
  return alpha === undefined ? `rgb(${channel(0)},${channel(1)},${channel(2)})` : `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
}
function bytes(base64) { const s = atob(base64), out = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i); return out; }
function paint(canvas, pixels, width, height, colour) {  // 0..255 values -> an image
  canvas.width = width; canvas.height = height;
  const context = canvas.getContext("2d"), image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = colour(pixels[i]);
    image.data.set([r, g, b, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}
const grey = (v) => [v, v, v];
const ink = (v) => [255 - v, 255 - v, 255 - v];
function shardColour(k) { return SHARD_COLOURS[(k - 1) % SHARD_COLOURS.length]; }
function onShard(n) { return network && network.shards ? ` on shard ${network.shards[n]}` : ""; }
function tip(target, text) {
  target.addEventListener("mouseenter", () => { const t = $("tip"); t.textContent = typeof text === "function" ? text() : text; t.hidden = false; });
  target.addEventListener("mousemove", (e) => { const t = $("tip"); t.style.left = e.clientX + 14 + "px"; t.style.top = e.clientY + 10 + "px"; });
  target.addEventListener("mouseleave", () => { $("tip").hidden = true; });
}

// -- the network drawing ---------------------------------------------------------------------------

function place(net, width, height) {
  // Positions of every neuron: a column per layer; image sensors as the image's grid; wide layers wrap.
  const positions = new Array(net.neurons), radius = new Array(net.neurons);
  const layers = net.layers, gap = width / layers.length;
  layers.forEach((layer, depth) => {
    const middle = gap * (depth + 0.5);
    if (depth === 0 && net.data.kind === "image") {
      const [rows, columns] = net.data.shape, cell = Math.min((gap - 20) / columns, (height - 20) / rows);
      const left = middle - cell * columns / 2, top = (height - cell * rows) / 2;
      layer.forEach((n, k) => {
        positions[n] = [left + cell * (k % columns + 0.5), top + cell * (Math.floor(k / columns) + 0.5)];
        radius[n] = cell / 2;
      });
      return;
    }
    const columns = Math.ceil(layer.length * 9 / (height - 20)), perColumn = Math.ceil(layer.length / columns);
    const spacing = Math.min(42, (height - 20) / perColumn), columnGap = Math.min(14, (gap - 30) / columns);
    layer.forEach((n, k) => {
      const column = Math.floor(k / perColumn), row = k % perColumn;
      const count = Math.min(perColumn, layer.length - column * perColumn);
      positions[n] = [middle + (column - (columns - 1) / 2) * columnGap, height / 2 + (row - (count - 1) / 2) * spacing];
      radius[n] = Math.max(2.5, Math.min(13, spacing / 2 - 1.5));
    });
  });
  return { positions, radius };
}

function drawNetwork(net) {
  const svg = $("network");
  svg.replaceChildren();
  const width = svg.clientWidth || 900, height = svg.clientHeight || 430;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const { positions, radius } = place(net, width, height);
  const lines = el("g", { class: "synapses" }, svg), rings = net.shards ? el("g", { class: "shards" }, svg) : null;
  const neurons = el("g", { class: "neurons" }, svg);
  const synapses = net.lines.source.map((s, k) => {
    const t = net.lines.target[k], [x1, y1] = positions[s], [x2, y2] = positions[t];
    return el("line", { class: "synapse", x1, y1, x2, y2, stroke: "#ccc", "stroke-width": 1 }, lines);
  });
  const imageSensors = net.data.kind === "image";
  const cells = [];
  for (let n = 0; n < net.neurons; n++) {
    const [x, y] = positions[n], r = radius[n];
    const node = imageSensors && net.kinds[n] === "sensor"
      ? el("rect", { class: "neuron sensor", x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: "#fff" }, neurons)
      : el("circle", { class: `neuron ${net.kinds[n]}`, cx: x, cy: y, r, fill: "#fff", stroke: "#7c8594", "stroke-width": 1 }, neurons);
    node.dataset.neuron = n;
    tip(node, () => neuronTip(n));
    cells.push(node);
    if (net.shards) ringOf(node, net.shards[n], x, y, r, rings);
  }
  shardLegend(net);
  const labels = [];
  if (net.classes && net.classes.length === net.layers[net.layers.length - 1].length) {
    net.layers[net.layers.length - 1].forEach((n, k) => {
      const [x, y] = positions[n];
      labels.push(el("text", { x: x + radius[n] + (net.shards ? 7 : 4), y: y + 3 }, svg));
      labels[k].textContent = net.classes[k];
    });
  }
  net.layers.forEach((layer, depth) => {
    const text = el("text", { x: (width / net.layers.length) * (depth + 0.5), y: 12, "text-anchor": "middle", class: "label" }, svg);
    text.textContent = `${depth === 0 ? "sensors" : depth === net.layers.length - 1 ? "outputs" : "hidden"} (${layer.length})`;
  });
  const drawn = net.pairs.filter((p) => p.drawn < p.synapses);
  $("network-caption").textContent = `${net.neurons} neurons, ${net.synapses.toLocaleString("en")} synapses` +
    (drawn.length ? `; lines drawn: a fixed sample of ${drawn.map((p) => `${p.drawn} of ${p.synapses.toLocaleString("en")}`).join(", ")}` : "");
  svg.dataset.neurons = net.neurons;
  drawing = { synapses, cells };
}

function ringOf(node, k, x, y, r, rings) {  // the shard a neuron lives on: a ring in the shard's colour
  node.dataset.shard = k;
  if (node.tagName === "rect") {  // an image's sensor: its cell's edge (a ring would cover its neighbours)
    node.setAttribute("stroke", shardColour(k));
    return;
  }
  const ring = el("circle", { class: "shard-ring", cx: x, cy: y, r: r + 2, fill: "none", stroke: shardColour(k), "stroke-width": 2.5 }, rings);
  ring.dataset.shard = k;
  tip(ring, () => neuronTip(Number(node.dataset.neuron)));
}

function shardLegend(net) {
  const legend = $("shard-legend");
  legend.hidden = !net.shards;
  if (!net.shards) return;
  legend.replaceChildren(`on ${Math.max(...net.shards)} shards (${net.partition}), a ring per neuron:`);
  for (let k = 1; k <= Math.max(...net.shards); k++) {
    const key = document.createElement("span"), swatch = document.createElement("span");
    key.className = "shard-key";
    key.dataset.shard = k;
    key.title = `${net.shards.filter((s) => s === k).length} neurons live on shard ${k}`;
    swatch.className = "swatch shard";
    swatch.style.borderColor = shardColour(k);
    key.append(swatch, `shard ${k}`);
    legend.appendChild(key);
  }
}

function neuronTip(n) {
  const kind = network.kinds[n], activity = frame?.activities?.[n];
  return `neuron ${n} (${kind}, ${network.activations[n]})${onShard(n)}\nactivity ${fmt(activity, 4)}`;
}

function scaleOf(layer, activities, activation) {
  if (activation === "sigmoid" || activation === "step") return [0, 1];
  if (activation === "tanh") return [-1, 1];
  let top = 1e-9;
  for (const n of layer) top = Math.max(top, Math.abs(activities[n] || 0));
  return [-top, top];
}

function updateNetwork() {
  if (!drawing || !frame) return;
  const activities = frame.activities || new Array(network.neurons).fill(0);  // none scored yet: all white
  let top = 1e-9;
  for (const w of frame.weights) top = Math.max(top, Math.abs(w || 0));
  frame.weights.forEach((w, k) => {
    const line = drawing.synapses[k], t = (w || 0) / top;
    line.setAttribute("stroke", mix(t, 0.25 + 0.6 * Math.abs(t)));
    line.setAttribute("stroke-width", (0.3 + 2.7 * Math.abs(t)).toFixed(2));
  });
  network.layers.forEach((layer, depth) => {
    const [low, high] = scaleOf(layer, activities, network.activations[layer[0]]);
    for (const n of layer) {
      const a = activities[n] || 0;
      const t = depth === 0 || low === 0 ? (a - (depth === 0 ? 0 : low)) / ((depth === 0 ? 1 : high - low) || 1) : a / high;
      drawing.cells[n].setAttribute("fill", mix(Math.max(-1, Math.min(1, t))));
    }
  });
}

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
    item.title = p.label === null ? `example ${p.index}` : `example ${p.index}: label ${p.label}, guessed ${p.guess}`;
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

function drawPlane() {
  if (!frame.maps) return;
  $("plane-panel").hidden = false;
  const grid = network.data.grid, size = grid * grid, maps = bytes(frame.maps);
  const box = $("maps");
  const shown = [];
  network.layers.slice(1).forEach((layer) => shown.push(...layer));
  if (box.children.length !== shown.length) {
    box.replaceChildren();
    for (const n of shown) {
      const tile = document.createElement("div");
      tile.className = "tile";
      tile.appendChild(document.createElement("canvas"));
      tile.appendChild(document.createTextNode(`${network.kinds[n]} ${n}`));
      box.appendChild(tile);
    }
  }
  shown.forEach((n, k) => paint(box.children[k].firstChild, maps.subarray(n * size, (n + 1) * size), grid, grid,
    (v) => { const t = v / 127.5 - 1, c = t >= 0 ? POSITIVE : NEGATIVE, a = Math.abs(t); return c.map((x) => Math.round(255 + (x - 255) * a)); }));
  const canvas = $("boundary"), context = canvas.getContext("2d");
  const side = canvas.width, [x0, x1, y0, y1] = network.data.extent;
  context.clearRect(0, 0, side, side);
  if (frame.boundary) {
    const classes = bytes(frame.boundary), image = context.createImageData(grid, grid);
    for (let i = 0; i < size; i++) { const c = CLASS_COLOURS[classes[i] % 10]; image.data.set([...c, 70], 4 * i); }
    const small = document.createElement("canvas");
    small.width = grid; small.height = grid;
    small.getContext("2d").putImageData(image, 0, 0);
    context.imageSmoothingEnabled = false;
    context.drawImage(small, 0, 0, side, side);
  }
  for (const [x, y, c] of network.data.points) {
    const colour = c === null ? [60, 60, 60] : CLASS_COLOURS[c % 10];
    context.beginPath();
    context.arc((x - x0) / (x1 - x0) * side, (y1 - y) / (y1 - y0) * side, 3, 0, 2 * Math.PI);
    context.fillStyle = `rgb(${colour.join(",")})`;
    context.strokeStyle = "#fff";
    context.fill(); context.stroke();
  }
}

// -- the message flow of one example ------------------------------------------------------------------

async function traceExample() {
  $("trace").disabled = true;
  $("flow-title").textContent = "tracing…";
  try {
    const answer = await fetch(withToken("/flow"));
    if (!answer.ok) throw new Error(await answer.text());
    flow = await answer.json();
    flowAt = 0;
    drawFlow();
  } catch (error) {
    $("flow-title").textContent = `could not trace: ${error.message}`;
  } finally {
    $("trace").disabled = ended;
  }
}

function drawFlow() {
  const svg = $("flow");
  svg.replaceChildren();
  if (!flow) return;
  const steps = flow.steps, step = steps[flowAt];
  const tallest = Math.max(...flow.layers.map((layer) => layer.length));
  const width = svg.clientWidth || 900, height = Math.max(380, 46 * tallest + 40);
  svg.style.height = height + "px";
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const columns = flow.layers.length + 2, gap = width / columns, where = {};
  where.feeder = [gap / 2, height / 2];
  where.teacher = [gap * (columns - 0.5), height / 2];
  flow.layers.forEach((layer, depth) => layer.forEach((n, k) => {
    where[n] = [gap * (depth + 1.5), height / 2 + (k - (layer.length - 1) / 2) * Math.min(46, (height - 40) / layer.length)];
  }));
  // what each process has computed up to this step
  const known = {};
  for (let i = 0; i <= flowAt; i++) {
    for (const e of steps[i].events) if (e.kind === "step") (known[e.from] = known[e.from] || {})[e.phase] = e;
  }
  const defs = el("defs", {}, svg);
  for (const [name, colour] of [["activity", "#2a6fdb"], ["error", "#e8822a"], ["desired", "#8a4fd1"], ["update", "#1d9a55"]]) {
    const marker = el("marker", { id: `arrow-${name}`, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
    el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: colour }, marker);
  }
  const colours = { activity: "#2a6fdb", error: "#e8822a", desired: "#8a4fd1", update: "#1d9a55" };
  const messages = el("g", {}, svg);
  step.events.filter((e) => e.kind !== "step").forEach((e) => {
    const a = where[e.from], b = where[e.to];
    if (!a || !b) return;
    const line = e.from === e.to
      ? el("circle", { cx: a[0], cy: a[1], r: 20, fill: "none", stroke: colours[e.kind], "stroke-width": 2, class: "message" }, messages)
      : el("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: colours[e.kind], "stroke-width": 2.2, class: "message",
        "marker-end": `url(#arrow-${e.kind})` }, messages);
    const hit = e.from === e.to ? line : el("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: "transparent", "stroke-width": 10, class: "message-hit" }, messages);
    hit.dataset.value = JSON.stringify(e.value);
    tip(hit, () => messageTip(e));
    if (e.from !== e.to && typeof e.value === "number") {
      const label = el("text", { x: (a[0] + b[0]) / 2, y: (a[1] + b[1]) / 2 - 4, "text-anchor": "middle" }, messages);
      label.textContent = fmt(e.value);
    }
  });
  const nodes = el("g", {}, svg);
  for (const [name, [x, y]] of Object.entries(where)) {
    const process = name === "feeder" || name === "teacher";
    const active = step.process === (process ? name : Number(name));
    const seen = known[name] || {};
    const fill = process ? "#eef0f4" : seen.forward ? mix(Math.max(-1, Math.min(1, seen.forward.value))) : "#fff";
    const node = process
      ? el("rect", { x: x - 28, y: y - 16, width: 56, height: 32, rx: 6, fill, stroke: active ? "#1d2430" : "#9aa2ae", "stroke-width": active ? 3 : 1, class: "flow-process" }, nodes)
      : el("circle", { cx: x, cy: y, r: 14, fill, stroke: active ? "#1d2430" : "#7c8594", "stroke-width": active ? 3 : 1, class: "flow-neuron" }, nodes);
    node.dataset.process = name;
    tip(node, () => processTip(name, seen));
    const text = el("text", { x, y: y + 4, "text-anchor": "middle" }, nodes);
    text.textContent = process ? name : name;
    if (!process && (seen.forward || seen.backward)) {
      const note = el("text", { x, y: y + 27, "text-anchor": "middle", class: "label" }, nodes);
      note.textContent = [seen.forward ? `a ${fmt(seen.forward.value)}` : "", seen.backward ? `δ ${fmt(seen.backward.value)}` : ""].filter(Boolean).join("  ");
    }
  }
  $("flow-position").textContent = `${flowAt + 1} / ${steps.length}`;
  $("flow-position").dataset.at = flowAt + 1;
  $("flow-position").dataset.steps = steps.length;
  $("flow-phase").textContent = step.phase;
  $("flow-phase").className = `phase ${step.phase}`;
  $("flow-title").textContent = `example ${flow.example}: ${step.title}`;
  $("flow-first").disabled = $("flow-back").disabled = flowAt === 0;
  $("flow-forward").disabled = $("flow-last").disabled = flowAt === steps.length - 1;
}

function messageTip(e) {
  if (e.kind === "update") return `${e.parameter} ${e.from}${e.parameter === "weight" ? " → " + e.to : ""}: ${fmt(e.old, 6)} → ${fmt(e.value, 6)}\ngradient ${fmt(e.gradient, 6)}, rate ${fmt(e.learning_rate)}`;
  const what = { activity: "weighted activity", error: "error", desired: "desired outputs" }[e.kind];
  let text = `${what} ${e.from} → ${e.to}: ${Array.isArray(e.value) ? "[" + e.value.map((v) => fmt(v)).join(", ") + "]" : fmt(e.value, 6)}`;
  if (e.weight !== undefined && e.activity !== undefined) text += `\n= weight ${fmt(e.weight, 5)} × activity ${fmt(e.activity, 5)}`;
  return text;
}

function processTip(name, seen) {
  if (name === "feeder" || name === "teacher") {
    const t = seen.teacher;
    return t ? `teacher: loss ${fmt(t.value, 5)}${t.errors ? "\nerrors " + t.errors.map((v) => fmt(v)).join(", ") : ""}` : name;
  }
  const lines = [`neuron ${name} (${flow.kinds[name]})${onShard(Number(name))}`];
  if (seen.forward) lines.push(`total input ${fmt(seen.forward.total_input, 5)} (bias ${fmt(seen.forward.bias, 4)})`, `activity ${fmt(seen.forward.value, 5)}`);
  if (seen.backward) lines.push(`f'(z) ${fmt(seen.backward.derivative, 4)}`, `error δ ${fmt(seen.backward.value, 5)}`);
  return lines.join("\n");
}

function moveFlow(to) { if (!flow) return; flowAt = Math.max(0, Math.min(flow.steps.length - 1, to)); drawFlow(); }

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
  } catch (error) {
    $("control-error").textContent = "the training process does not answer";
  }
}

function connect() {
  const source = new EventSource(withToken("/events"));
  source.addEventListener("network", (event) => {
    network = JSON.parse(event.data);
    ended = false;
    drawNetwork(network);
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
  $("trace").addEventListener("click", traceExample);
  $("flow-first").addEventListener("click", () => moveFlow(0));
  $("flow-back").addEventListener("click", () => moveFlow(flowAt - 1));
  $("flow-forward").addEventListener("click", () => moveFlow(flowAt + 1));
  $("flow-last").addEventListener("click", () => moveFlow(Infinity));
  window.addEventListener("resize", () => { if (network) { drawNetwork(network); updateNetwork(); } if (flow) drawFlow(); });
  connect();
});
