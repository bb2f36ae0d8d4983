// The network drawing: every synapse on a canvas, on one absolute scale; neurons and biases in SVG above.
// A line's width and colour depend on its weight alone (never on the other weights of the frame), so a
// weight that grows is seen to grow. Hovering shows a synapse's weight or a neuron's activity and bias.
"use strict";

const WIDTH_PER_UNIT = 1.5, THINNEST = 0.3, THICKEST = 6;  // px: a line is THINNEST + 1.5 px per unit of |weight|
const SHADES = 8;  // lines are painted in buckets of 1/8 of a unit of |weight|
const CROWD = 300, FAINTEST = 0.3;  // beyond 300 lines between two layers each is fainter, down to 30% of its opacity
const MARGIN = 64;  // px at each side, for the feeder (left) and the teacher (right)
const PROCESS_BOX = [46, 18];  // the feeder's and the teacher's boxes
let drawing = null;  // positions, each synapse's ends, the SVG cells, the decoded weights and biases

function lineWidth(w) { return Math.min(THICKEST, THINNEST + WIDTH_PER_UNIT * Math.abs(w)); }
function lineAlpha(w, density) { return Math.min(1, 0.2 + Math.abs(w) / 2) * density; }
function crowded(lines) { return Math.max(FAINTEST, Math.min(1, CROWD / lines)); }  // how faint each of `lines` is drawn

function place(net, width, height) {
  // Positions of every neuron: a column per layer; image sensors as the image's grid; wide layers wrap.
  // The feeder and the teacher have the margins, clear of every neuron and of the outputs' names.
  const positions = new Array(net.neurons), radius = new Array(net.neurons);
  const layers = net.layers, gap = (width - 2 * MARGIN) / layers.length, plane = net.data.kind === "plane";
  layers.forEach((layer, depth) => {
    const middle = MARGIN + gap * (depth + 0.5);
    if (depth === 0 && net.data.kind === "image") {
      const [rows, columns] = net.data.shape, cell = Math.min((gap - 20) / columns, (height - 30) / rows);
      const left = middle - cell * columns / 2, top = (height - cell * rows) / 2;
      layer.forEach((n, k) => {
        positions[n] = [left + cell * (k % columns + 0.5), top + cell * (Math.floor(k / columns) + 0.5)];
        radius[n] = cell / 2;
      });
      return;
    }
    const columns = Math.ceil(layer.length * 9 / (height - 30)), perColumn = Math.ceil(layer.length / columns);
    const most = plane ? 64 : 42, spacing = Math.min(most, (height - 30) / perColumn);
    const columnGap = Math.min(14, (gap - 30) / columns);
    layer.forEach((n, k) => {
      const column = Math.floor(k / perColumn), row = k % perColumn;
      const count = Math.min(perColumn, layer.length - column * perColumn);
      positions[n] = [middle + (column - (columns - 1) / 2) * columnGap, 6 + height / 2 + (row - (count - 1) / 2) * spacing];
      radius[n] = Math.max(4, Math.min(plane ? 26 : 13, spacing / 2 - 1.5));  // a neuron, never a dot
    });
  });
  const feeder = [MARGIN / 2, height / 2], teacher = [width - MARGIN / 2, height / 2];
  return { positions, radius, feeder, teacher };
}

function drawNetwork(net) {
  const box = $("network-box"), svg = $("network"), canvas = $("synapses");
  svg.replaceChildren();
  const width = box.clientWidth || 900, height = box.clientHeight || 430;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const scale = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * scale); canvas.height = Math.round(height * scale);
  canvas.getContext("2d").setTransform(scale, 0, 0, scale, 0, 0);
  const { positions, radius, feeder, teacher } = place(net, width, height);
  const count = net.sources.length, ends = new Float32Array(4 * count), density = new Float32Array(count);
  const layerOf = new Int32Array(net.neurons);
  net.layers.forEach((layer, depth) => layer.forEach((n) => { layerOf[n] = depth; }));
  const perPair = {};
  for (let k = 0; k < count; k++) {
    const s = net.sources[k], t = net.targets[k], pair = layerOf[s] * 1000 + layerOf[t];
    perPair[pair] = (perPair[pair] || 0) + 1;
    ends.set([positions[s][0], positions[s][1], positions[t][0], positions[t][1]], 4 * k);
  }
  for (let k = 0; k < count; k++) density[k] = crowded(perPair[layerOf[net.sources[k]] * 1000 + layerOf[net.targets[k]]]);
  const rings = net.shards ? el("g", { class: "shards" }, svg) : null;
  const neurons = el("g", { class: "neurons" }, svg), biases = el("g", { class: "biases" }, svg);
  const imageSensors = net.data.kind === "image", plane = net.data.kind === "plane";
  const cells = [], biasCells = [];
  for (let n = 0; n < net.neurons; n++) {
    const [x, y] = positions[n], r = radius[n], sensor = net.kinds[n] === "sensor";
    const square = (imageSensors && sensor) || (plane && !sensor);
    const node = square
      ? el("rect", { class: `neuron ${net.kinds[n]}`, x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: plane ? "none" : "#fff", stroke: plane ? "#7c8594" : "#c4c9d2", "stroke-width": plane ? 1 : 0.5 }, neurons)
      : el("circle", { class: `neuron ${net.kinds[n]}`, cx: x, cy: y, r, fill: "#fff", stroke: "#7c8594", "stroke-width": 1 }, neurons);
    node.dataset.neuron = n;
    node.addEventListener("click", () => { if (typeof inspect === "function") inspect(n); });
    cells.push(node);
    if (net.shards) ringOf(node, net.shards[n], x, y, r, rings);
    if (!sensor) {  // the bias, at the dendrites: a small square at the neuron's left
      const side = Math.max(4, Math.min(9, r * 0.6));
      const bias = el("rect", { class: "bias", x: x - r - side - 1, y: y + r - side, width: side, height: side, fill: "#fff", stroke: "#7c8594", "stroke-width": 0.7 }, biases);
      bias.dataset.neuron = n;
      biasCells[n] = bias;
    }
  }
  shardLegend(net);
  if (net.classes && net.classes.length === net.layers[net.layers.length - 1].length) {
    net.layers[net.layers.length - 1].forEach((n, k) => {
      const [x, y] = positions[n];
      el("text", { x: x + radius[n] + (net.shards ? 7 : 4), y: y + 3, class: "class-label" }, svg).textContent = net.classes[k];
    });
  }
  const spots = { feeder, teacher };
  for (const name of ["feeder", "teacher"]) {  // the two processes that are not neurons, in the margins
    const [x, y] = spots[name], [w, h] = PROCESS_BOX, box = el("g", { class: "process" }, svg);
    box.dataset.process = name;
    el("rect", { x: x - w / 2, y: y - h / 2, width: w, height: h, rx: 3, fill: "#eef0f4", stroke: "#9aa2ae" }, box);
    el("text", { x, y: y + 3.5, "text-anchor": "middle" }, box).textContent = name;
  }
  net.layers.forEach((layer, depth) => {
    const text = el("text", { x: MARGIN + ((width - 2 * MARGIN) / net.layers.length) * (depth + 0.5), y: 12, "text-anchor": "middle", class: "label" }, svg);
    text.textContent = `${depth === 0 ? "sensors" : depth === net.layers.length - 1 ? "outputs" : "hidden"} (${layer.length})`;
  });
  const faint = Object.values(perPair).filter((lines) => lines > CROWD);
  $("network-caption").textContent = `${net.neurons} neurons, ${count.toLocaleString("en")} synapses, every one drawn` +
    (faint.length ? `; between two layers of more than ${CROWD} lines each line is fainter (${faint.map((lines) =>
      `${lines.toLocaleString("en")} at ${Math.round(100 * crowded(lines))}%`).join(", ")} of its opacity), so that they are seen through` : "");
  svg.dataset.neurons = net.neurons;
  const old = drawing;
  drawing = { positions, radius, feeder, teacher, ends, density, cells, biasCells, width, height, weights: old?.weights, biases: old?.biases };
}

function ringOf(node, k, x, y, r, rings) {  // the shard a neuron lives on: a ring in the shard's colour
  node.dataset.shard = k;
  if (node.tagName === "rect" && network.kinds[node.dataset.neuron] === "sensor") {  // an image's sensor: its cell's edge
    node.setAttribute("stroke", shardColour(k));
    node.setAttribute("stroke-width", 1);
    return;
  }
  const ring = node.tagName === "rect"  // a neuron drawn as its map: a square ring
    ? el("rect", { class: "shard-ring", x: x - r - 2, y: y - r - 2, width: 2 * r + 4, height: 2 * r + 4, fill: "none", stroke: shardColour(k), "stroke-width": 2.5 }, rings)
    : el("circle", { class: "shard-ring", cx: x, cy: y, r: r + 2, fill: "none", stroke: shardColour(k), "stroke-width": 2.5 }, rings);
  ring.dataset.shard = k;
  ring.dataset.neuron = node.dataset.neuron;
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
  const lines = [`neuron ${n} (${kind}, ${network.activations[n]})${onShard(n)}`, `activity ${fmt(activity, 4)}`];
  if (kind !== "sensor" && drawing.biases) lines.push(`bias ${fmt(drawing.biases[n], 6)}`);
  lines.push("click to inspect it");
  return lines.join("\n");
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
  if (frame.weights) drawing.weights = new Float64Array(bytes(frame.weights).buffer);
  if (frame.biases) drawing.biases = new Float64Array(bytes(frame.biases).buffer);
  paintSynapses();
  const activities = frame.activities || new Array(network.neurons).fill(0);  // none scored yet: all white
  network.layers.forEach((layer, depth) => {
    const [low, high] = scaleOf(layer, activities, network.activations[layer[0]]);
    for (const n of layer) {
      if (network.data.kind === "plane" && depth > 0) continue;  // its map is its picture
      const a = activities[n] || 0;
      const t = depth === 0 || low === 0 ? (a - (depth === 0 ? 0 : low)) / ((depth === 0 ? 1 : high - low) || 1) : a / high;
      drawing.cells[n].setAttribute("fill", mix(Math.max(-1, Math.min(1, t))));
    }
  });
  if (drawing.biases) {
    drawing.biasCells.forEach((cell, n) => {
      cell.setAttribute("fill", mix(Math.max(-1, Math.min(1, drawing.biases[n] / 2))));
      cell.dataset.bias = drawing.biases[n];
    });
  }
}

function paintSynapses() {
  const canvas = $("synapses"), context = canvas.getContext("2d"), { ends, density, weights } = drawing;
  context.clearRect(0, 0, drawing.width, drawing.height);
  if (!weights) return;
  // one path per sign, shade and density in each run of 1,000 synapses: a few hundred strokes for 80,000
  // lines, painted in the synapses' order, so that where thin lines pile up neither sign is always on top
  const buckets = new Map();
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k], shade = Math.min(Math.round(Math.abs(w) * SHADES), THICKEST * SHADES);
    const key = `${w >= 0 ? 1 : -1} ${shade} ${density[k]} ${Math.floor(k / 1000)}`;
    let list = buckets.get(key);
    if (!list) buckets.set(key, (list = []));
    list.push(k);
  }
  context.lineCap = "round";
  for (const [key, list] of buckets) {
    const [sign, shade, faint] = key.split(" ").map(Number), w = sign * shade / SHADES;
    context.strokeStyle = mix(sign, lineAlpha(w, faint));
    context.lineWidth = lineWidth(w);
    context.beginPath();
    for (const k of list) { context.moveTo(ends[4 * k], ends[4 * k + 1]); context.lineTo(ends[4 * k + 2], ends[4 * k + 3]); }
    context.stroke();
  }
  canvas.dataset.drawn = weights.length;
  if (frame && frame.maps) paintMaps(context);
}

function paintMaps(context) {  // each neuron's activity over the plane, inside its node, on the fixed scale
  const side = network.data.node_side, maps = bytes(frame.maps), small = document.createElement("canvas");
  small.width = side; small.height = side;
  const smallContext = small.getContext("2d");
  network.layers.slice(1).flat().forEach((n) => {
    const image = smallContext.createImageData(side, side);
    fillImage(image.data, maps.subarray(n * side * side, (n + 1) * side * side), palette(onScale));
    smallContext.putImageData(image, 0, 0);
    const [x, y] = drawing.positions[n], r = drawing.radius[n];
    context.imageSmoothingEnabled = false;  // each of its 32x32 points a cell, as computed
    context.drawImage(small, x - r, y - r, 2 * r, 2 * r);
  });
  $("synapses").dataset.maps = network.layers.slice(1).flat().length;
}

function nearestSynapse(x, y) {  // the synapse whose line passes nearest (x, y), within 5 px
  const { ends } = drawing;
  let best = -1, bestDistance = 25;
  for (let k = 0; k < ends.length / 4; k++) {
    const x1 = ends[4 * k], y1 = ends[4 * k + 1], dx = ends[4 * k + 2] - x1, dy = ends[4 * k + 3] - y1;
    const along = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy || 1)));
    const ex = x1 + along * dx - x, ey = y1 + along * dy - y, distance = ex * ex + ey * ey;
    if (distance < bestDistance) { best = k; bestDistance = distance; }
  }
  return best;
}

function synapseTip(k) {
  const w = drawing.weights ? drawing.weights[k] : null;
  return { text: `synapse ${k}: neuron ${network.sources[k]} → ${network.targets[k]}\nweight ${fmt(w, 6)}` +
    (w === null ? "" : `\nline ${lineWidth(w).toFixed(2)} px (${WIDTH_PER_UNIT} px per unit of weight, from ${THINNEST} px)`),
  data: { synapse: k, weight: w === null ? "" : w, width: w === null ? "" : lineWidth(w) } };
}

function hoverNetwork(event) {  // one tip for the whole drawing: a neuron, a bias or the nearest synapse
  if (!drawing) return;
  const target = event.target, n = target.dataset ? target.dataset.neuron : undefined;
  let shown = null;
  if (target.classList.contains("bias")) {
    const b = drawing.biases ? drawing.biases[n] : null;
    shown = { text: `bias of neuron ${n}: ${fmt(b, 6)}`, data: { neuron: n, bias: b ?? "" } };
  } else if (n !== undefined) {
    shown = { text: neuronTip(Number(n)), data: { neuron: n } };
  } else {
    const box = $("network").getBoundingClientRect(), k = nearestSynapse(event.clientX - box.left, event.clientY - box.top);
    if (k >= 0) shown = synapseTip(k);
  }
  const t = $("tip");
  for (const key of Object.keys(t.dataset)) delete t.dataset[key];
  if (!shown) { t.hidden = true; return; }
  t.textContent = shown.text;
  Object.assign(t.dataset, shown.data);
  t.hidden = false;
  t.style.left = event.clientX + 14 + "px"; t.style.top = event.clientY + 10 + "px";
}
