// The messages of one example (or a few in flight, each in its own colour) animated on the network
// drawing, one message at a time: dots travel along the real synapses, each neuron's mailbox fills, and
// the neuron fires when its last slot fills. The neuron inspector reads its numbers from the same trace.
"use strict";

const EXAMPLE_COLOURS = ["#d62728", "#2ca02c", "#9467bd", "#17becf"];
const NINE_STEPS = [
  "wait for the weighted activities of all inputs",
  "activity a = f(Σ w·a + b)",
  "weight it for each outgoing synapse: w·a",
  "send each weighted activity to its target",
  "wait for an error from every target",
  "own error δ = f′(z) · Σ δ_j·w_j",
  "send δ back to every input",
  "gradient of each outgoing weight: δ_j·a",
  "update: w_j −= rate·δ_j·a, b −= rate·δ",
];
let traced = null;     // {examples, events, ticks (messages and steps, in order), updates}
let playhead = 0;      // ticks done, with a fraction: the message in flight at floor(playhead)
let playing = false, lastTime = 0;
let inspected = null;  // the neuron the inspector shows

const isMessage = (e) => e.kind === "activity" || e.kind === "error" || e.kind === "desired";
const colourOf = (example) => EXAMPLE_COLOURS[traced.examples.indexOf(example) % EXAMPLE_COLOURS.length];

function setUpTrace() {
  $("trace").addEventListener("click", () => traceExample(null));
  $("play").addEventListener("click", play);
  $("stop").addEventListener("click", () => { playing = false; renderTrace(); });
  $("forward-one").addEventListener("click", () => moveByMessage(1));
  $("back-one").addEventListener("click", () => moveByMessage(-1));
  $("close-inspector").addEventListener("click", () => { inspected = null; $("inspector").hidden = true; renderTrace(); });
}

async function traceExample(example) {
  const asked = new URLSearchParams({ in_flight: $("in-flight").value });
  if (example !== undefined && example !== null) asked.set("example", example);  // else the current one
  if (inspected !== null) asked.set("neuron", inspected);
  $("trace-title").textContent = "tracing…";
  try {
    const answer = await fetch(withToken("/trace?" + asked));
    const body = await answer.json();
    if (!answer.ok) throw new Error(body.error);
    traced = { ...body, ticks: body.events.filter((e) => e.kind !== "update"), updates: body.events.filter((e) => e.kind === "update") };
    playing = false;
    playhead = 0;
    $("trace-examples").replaceChildren(...traced.examples.map((example) => {
      const key = document.createElement("span");
      key.style.background = colourOf(example);
      key.textContent = `example ${example}`;
      key.dataset.example = example;
      return key;
    }));
    renderTrace();
  } catch (error) {
    $("trace-title").textContent = `could not trace: ${error.message}`;
  }
}

function play() {
  if (!traced) return;
  if (playhead >= traced.ticks.length) playhead = 0;
  playing = true;
  lastTime = performance.now();
  requestAnimationFrame(advance);
  renderTrace();
}

function advance(now) {
  if (!playing || !traced) return;
  playhead = Math.min(traced.ticks.length, playhead + (now - lastTime) / 1000 * Number($("speed").value));
  lastTime = now;
  if (playhead >= traced.ticks.length) playing = false;
  renderTrace();
  if (playing) requestAnimationFrame(advance);
}

function moveByMessage(direction) {  // to the middle of the next (or previous) message's journey
  if (!traced) return;
  playing = false;
  const ticks = traced.ticks;
  let k = direction > 0 ? Math.ceil(playhead - 0.5) : Math.floor(playhead - 0.5);  // the next one after (or before) the playhead
  if (k + 0.5 === playhead) k += direction;
  while (k >= 0 && k < ticks.length && !isMessage(ticks[k])) k += direction;
  if (k < 0 || k >= ticks.length) return;
  playhead = k + 0.5;
  renderTrace();
}

function spot(name) {  // where a process is drawn: the feeder left of the sensors, the teacher right of the outputs
  if (typeof name === "number") return drawing.positions[name];
  const layer = name === "feeder" ? network.layers[0] : network.layers[network.layers.length - 1];
  const xs = layer.map((n) => drawing.positions[n][0]);
  return name === "feeder" ? [Math.max(8, Math.min(...xs) - 40), drawing.height / 2] : [Math.min(drawing.width - 8, Math.max(...xs) + 46), drawing.height / 2];
}

function slots(n, phase) {  // a neuron's mailbox: a slot per incoming synapse (forward) or outgoing one (back)
  let count = 0;
  const ends = phase === "forward" ? network.targets : network.sources;
  for (const m of ends) if (m === n) count++;
  return count || 1;  // a sensor hears the feeder, an output neuron the teacher
}

function stateAt(upto) {
  // What has happened before tick `upto`: each mailbox's filled slots, and when each neuron last fired
  const boxes = new Map(), fired = new Map();
  for (let i = 0; i < upto; i++) {
    const e = traced.ticks[i];
    if (isMessage(e) && typeof e.to === "number") {
      const key = `${e.to}|${e.example}|${e.kind === "error" ? "backward" : "forward"}`;
      boxes.set(key, (boxes.get(key) || 0) + 1);
    } else if (e.kind === "step" && typeof e.from === "number") {
      boxes.delete(`${e.from}|${e.example}|${e.phase}`);
      fired.set(`${e.from}|${e.example}|${e.phase}`, i);
    }
  }
  return { boxes, fired };
}

function renderTrace() {
  const canvas = $("messages");
  if (!drawing) return;
  const scale = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(drawing.width * scale)) { canvas.width = Math.round(drawing.width * scale); canvas.height = Math.round(drawing.height * scale); }
  const context = canvas.getContext("2d");
  context.setTransform(scale, 0, 0, scale, 0, 0);
  context.clearRect(0, 0, drawing.width, drawing.height);
  const ready = !!traced;
  for (const id of ["play", "back-one", "forward-one"]) $(id).disabled = !ready;
  $("stop").disabled = !playing;
  if (!traced) return;
  const ticks = traced.ticks, upto = Math.min(Math.floor(playhead), ticks.length), { boxes, fired } = stateAt(upto);
  for (const name of ["feeder", "teacher"]) {
    const [x, y] = spot(name);
    context.fillStyle = "#eef0f4"; context.strokeStyle = "#9aa2ae";
    context.fillRect(x - 22, y - 9, 44, 18); context.strokeRect(x - 22, y - 9, 44, 18);
    context.fillStyle = "#1d2430"; context.font = "10px system-ui"; context.textAlign = "center"; context.fillText(name, x, y + 3);
  }
  const rings = new Map();  // how many examples' arcs a neuron already has: each next one a ring further out
  for (const [key, count] of boxes) {  // mailboxes filling: an arc per example, the share of slots filled
    const [n, example, phase] = key.split("|"), neuron = Number(n), [x, y] = drawing.positions[neuron];
    const ring = rings.get(neuron) || 0, r = drawing.radius[neuron] + 4 + 3 * ring;
    rings.set(neuron, ring + 1);
    const share = Math.min(1, count / slots(neuron, phase));
    context.strokeStyle = colourOf(Number(example)); context.lineWidth = 2.5;
    context.setLineDash(phase === "backward" ? [3, 2] : []);
    context.beginPath(); context.arc(x, y, r, -Math.PI / 2, -Math.PI / 2 + 2 * Math.PI * share); context.stroke();
  }
  context.setLineDash([]);
  for (const [key, at] of fired) {  // a neuron that just fired (or sent its error back) flashes
    if (upto - at > 3) continue;
    const [n, example] = key.split("|"), [x, y] = drawing.positions[Number(n)];
    context.fillStyle = colourOf(Number(example)); context.globalAlpha = 0.35;
    context.beginPath(); context.arc(x, y, drawing.radius[Number(n)] + 7, 0, 2 * Math.PI); context.fill();
    context.globalAlpha = 1;
  }
  const current = ticks[upto];
  if (current && isMessage(current)) {  // the message on its way
    const [x1, y1] = spot(current.from), [x2, y2] = spot(current.to), f = Math.min(1, playhead - upto);
    context.fillStyle = colourOf(current.example); context.strokeStyle = colourOf(current.example); context.lineWidth = 2;
    const x = x1 + (x2 - x1) * f, y = y1 + (y2 - y1) * f;
    context.beginPath(); context.arc(x, y, 5, 0, 2 * Math.PI);
    if (current.kind === "error") context.stroke(); else context.fill();
    Object.assign(canvas.dataset, { dotX: x.toFixed(1), dotY: y.toFixed(1), dotExample: current.example });
  } else {
    for (const key of ["dotX", "dotY", "dotExample"]) delete canvas.dataset[key];
  }
  const messages = ticks.filter(isMessage).length, sent = ticks.slice(0, upto + (current && isMessage(current) ? 1 : 0)).filter(isMessage).length;
  const position = $("trace-position");
  position.textContent = `message ${sent.toLocaleString("en")} of ${messages.toLocaleString("en")}`;
  Object.assign(position.dataset, { message: sent, messages, tick: upto });
  $("trace-title").textContent = current ? describe(current) : "every message delivered: the example has left the network";
  $("trace-title").dataset.kind = current ? current.kind : "done";
  renderInspector(upto);
}

function who(name) { return typeof name === "number" ? `neuron ${name}` : `the ${name}`; }

function describe(e) {
  const example = `example ${e.example}: `;
  if (e.kind === "activity") return example + `weighted activity ${fmt(e.value, 5)} = weight ${fmt(e.weight, 4)} × activity ${fmt(e.activity, 4)}, ${who(e.from)} → ${who(e.to)}`;
  if (e.kind === "error") return example + `error ${Array.isArray(e.value) ? "" : fmt(e.value, 5)} from ${who(e.from)} back to ${who(e.to)}`;
  if (e.kind === "desired") return example + "the feeder tells the teacher the desired outputs";
  if (e.from === "teacher") return example + `the teacher: loss ${fmt(e.value, 5)}; an error dLoss/da for each output neuron`;
  if (e.phase === "forward") return example + `neuron ${e.from}'s mailbox is full: it runs and fires, z = ${fmt(e.total_input, 5)}, a = ${fmt(e.value, 5)}`;
  return example + `neuron ${e.from} has every error: δ = ${fmt(e.value, 5)}, and it updates its weights`;
}

// -- the neuron inspector ------------------------------------------------------------------------------

function inspect(n) {
  inspected = n;
  $("inspector").hidden = false;
  $("inspected").textContent = `${n}`;
  $("inspected").dataset.neuron = n;
  $("inspected-where").textContent = `(${network.kinds[n]}, ${network.activations[n]})${onShard(n)}`;
  const whole = traced && (traced.neurons === null || traced.neurons.includes(n)) &&
    traced.ticks.some((e) => e.kind === "step" && e.from === n && e.phase === "forward" && e.inputs);
  if (!whole) traceExample(traced ? traced.examples[0] : undefined);
  else renderTrace();
}

function cell(row, text, key, value) {
  const td = document.createElement("td");
  td.textContent = text;
  if (key) { td.dataset.key = key; td.dataset.value = value === undefined || value === null ? "" : value; }
  row.appendChild(td);
  return td;
}

function table(id, heads, rows) {
  const box = $(id);
  box.replaceChildren();
  if (heads) { const head = box.insertRow(); for (const h of heads) { const th = document.createElement("th"); th.textContent = h; head.appendChild(th); } }
  rows.forEach((fill) => fill(box.insertRow()));
}

function renderInspector(upto) {
  if (inspected === null || !traced) return;
  const n = inspected, example = traced.examples[0], done = (e) => e && traced.ticks.indexOf(e) < upto;
  const mine = traced.ticks.filter((e) => e.example === example);
  const forward = mine.find((e) => e.kind === "step" && e.from === n && e.phase === "forward");
  const backward = mine.find((e) => e.kind === "step" && e.from === n && e.phase === "backward");
  const incoming = mine.filter((e) => isMessage(e) && e.to === n && e.kind !== "error");
  const errors = mine.filter((e) => e.kind === "error" && e.to === n);
  const outgoing = mine.filter((e) => isMessage(e) && e.from === n);
  const updates = traced.updates.filter((e) => e.example === example && e.from === n);
  $("inspector").dataset.example = example;
  const senders = forward && forward.senders ? forward.senders : incoming.map((e) => e.from);
  table("mailbox", ["from", "w·a", "slot"], senders.map((sender, k) => (row) => {
    const message = incoming.find((e) => e.from === sender), filled = done(message);
    row.className = filled ? "filled" : "waiting";
    cell(row, String(sender));
    cell(row, filled ? fmt(message.value, 6) : "…", "slot", filled ? message.value : null).dataset.slot = k;
    cell(row, filled ? "filled" : "waiting");
  }));
  const fired = done(forward), erred = done(backward);
  const sum = forward && forward.inputs ? forward.inputs.reduce((a, b) => a + b, 0) : null;
  const back = backward && backward.errors && backward.weights ? backward.errors.reduce((a, d, j) => a + d * backward.weights[j], 0) : null;
  const figures = [
    ["Σ w·a", "sum", fired ? sum : null], ["bias b", "bias", fired && forward ? forward.bias : null],
    ["z = Σ w·a + b", "z", fired && forward ? forward.total_input : null], ["a = f(z)", "a", fired && forward ? forward.value : null],
    ["Σ δ_j·w_j", "back", erred ? back : null], ["f′(z)", "derivative", erred ? backward.derivative : null],
    ["δ = f′(z) · Σ δ_j·w_j", "delta", erred ? backward.value : null],
  ];
  table("computed", null, figures.map(([name, key, value]) => (row) => { cell(row, name); cell(row, value === null ? "…" : fmt(value, 6), key, value); }));
  table("updates", ["to", "old", "new", "gradient"], updates.map((u) => (row) => {
    cell(row, u.parameter === "bias" ? "bias" : `→ ${u.to}`);
    cell(row, fmt(u.old, 6), "old", u.old);
    cell(row, erred ? fmt(u.value, 6) : "…", "new", erred ? u.value : null).dataset.parameter = u.parameter === "bias" ? "bias" : u.to;
    cell(row, erred ? fmt(u.gradient, 6) : "…", "gradient", erred ? u.gradient : null);
  }));
  const allIn = incoming.length >= slots(n, "forward") && incoming.every(done);
  const sentAll = (list) => list.length > 0 && list.every(done);
  const ticks = [allIn, fired, fired, sentAll(outgoing.filter((e) => e.kind !== "error")),
    errors.length > 0 && errors.every(done), erred, sentAll(outgoing.filter((e) => e.kind === "error")), erred, erred];
  const list = $("nine-steps");
  list.replaceChildren(...NINE_STEPS.map((text, k) => {
    const item = document.createElement("li");
    item.textContent = text;
    item.className = ticks[k] ? "done" : "";
    return item;
  }));
  list.dataset.done = ticks.filter(Boolean).length;
}
