// The messages of one example (or a few in flight, each in its own colour) on the network drawing, one
// stop at a time in the protocol's order: dots travel along the real synapses, each is folded into its
// receiver's sum (the mailbox's share of slots in), a neuron fires (step 2) and weighs its activity (3)
// before it sends (4); the teacher scores; as each target's error is folded a neuron takes that synapse's
// gradient (8) and update (9), the synapse highlighted; then its own error (6), sent back (7), its bias
// (9). The neuron inspector (inspector.js) reads its numbers from the same stops.
"use strict";

const EXAMPLE_COLOURS = ["#d62728", "#2ca02c", "#9467bd", "#17becf"];
const UNTRACED = "Trace an example to follow its activities up the synapses and its errors back, one step at a time.";
let traced = null;     // {examples, neurons, on, events, ticks (every stop, in order, each with its index `at`)}
let playhead = 0;      // stops done, with a fraction: the stop at floor(playhead) is under way
let playing = false, lastTime = 0;
let inspected = null;  // the neuron the inspector shows

const isMessage = (e) => e.kind === "activity" || e.kind === "error" || e.kind === "desired";
const colourOf = (example) => EXAMPLE_COLOURS[traced.examples.indexOf(example) % EXAMPLE_COLOURS.length];
const followed = (n) => typeof n === "number" && (traced.neurons === null || traced.followed.has(n));

function setUpTrace() {
  $("trace").addEventListener("click", () => traceExample(null));
  $("play").addEventListener("click", play);
  $("stop").addEventListener("click", () => { playing = false; renderTrace(); });
  $("forward-one").addEventListener("click", () => moveByStep(1));
  $("back-one").addEventListener("click", () => moveByStep(-1));
  $("to-end").addEventListener("click", () => { if (traced) { playing = false; playhead = traced.ticks.length; renderTrace(); } });
  $("close-inspector").addEventListener("click", () => { inspected = null; $("inspector").hidden = true; renderTrace(); });
  clearTrace();
}

function clearTrace() {  // a new network: nothing of the last trace stays on it
  traced = null; playing = false; playhead = 0; inspected = null;
  $("inspector").hidden = true;
  $("trace-examples").replaceChildren();
  $("trace-title").textContent = UNTRACED;
  delete $("trace-title").dataset.kind;
  const position = $("trace-position");
  position.textContent = "–";
  for (const key of Object.keys(position.dataset)) delete position.dataset[key];
  for (const id of ["trace-partial", "trace-note"]) { $(id).hidden = true; $(id).textContent = ""; }
  renderTrace();
}

function stops(events) {
  // Every stop, in the order things happen in the runtime: a neuron's step 2 (it fires) is followed by its
  // step 3 (it weighs its activity for each synapse), then the messages of step 4. Each outgoing weight's
  // update is two stops, its gradient (8) and its update (9), taken where the dendrites take them: as the
  // error of that synapse's target is folded, in slot order (the tracer reports them after the neuron's
  // step 7, with the values the run computed); the bias's update is one stop, after step 7.
  const folds = foldedAt(events), later = new Map(), ticks = [];
  const foldOf = (e) => e.kind === "update" && e.parameter === "weight" ? folds.get(`${e.example}|${e.to}|${e.from}`) : undefined;
  for (const e of events) {
    const at = foldOf(e);
    if (at !== undefined) (later.get(at) || later.set(at, []).get(at)).push(e);
  }
  events.forEach((e, i) => {
    if (foldOf(e) !== undefined) return;  // shown at its fold
    if (e.kind === "update") {
      if (e.parameter === "weight") ticks.push({ ...e, kind: "gradient" });
      ticks.push(e);
      return;
    }
    ticks.push(e);
    if (e.kind === "step" && e.phase === "forward") ticks.push({ kind: "weigh", example: e.example, from: e.from, to: e.from, fired: e });
    for (const u of later.get(i) || []) ticks.push({ ...u, kind: "gradient" }, u);
  });
  ticks.forEach((t, i) => { t.at = i; });
  return ticks;
}

function foldedAt(events) {
  // For each error message to a neuron (example|from|to), the index of the event at which the neuron's
  // dendrites fold it: its own arrival, or a later one's if an earlier slot came after it (slot order)
  const arrived = new Map(), folds = new Map();
  events.forEach((e, i) => { if (e.kind === "error" && typeof e.to === "number") arrived.set(`${e.example}|${e.from}|${e.to}`, i); });
  for (const e of events) {
    if (e.kind !== "step" || e.phase !== "backward" || typeof e.from !== "number") continue;
    let gap = -1;  // the last arrival among the slots so far
    for (const target of e.senders || []) {
      const key = `${e.example}|${target}|${e.from}`, at = arrived.get(key);
      if (at === undefined) break;  // not in this (partial) trace: the folds after it are not known
      gap = Math.max(gap, at);
      folds.set(key, gap);
    }
  }
  return folds;
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
    if (network && body.generation !== undefined && body.generation !== network.generation) return;  // another network's
    traced = { ...body, ticks: stops(body.events), followed: new Set(body.neurons || []) };
    playing = false;
    playhead = 0;
    $("trace-examples").replaceChildren(...traced.examples.map((example) => {
      const key = document.createElement("span");
      key.style.background = colourOf(example);
      key.textContent = `example ${example}`;
      key.dataset.example = example;
      return key;
    }));
    describeTrace();
    renderTrace();
  } catch (error) {
    $("trace-title").textContent = `could not trace: ${error.message}`;
  }
}

function describeTrace() {  // what the trace is: the weights it starts from, and whether it is whole
  const note = $("trace-note"), partial = $("trace-partial"), first = traced.examples[0];
  note.hidden = false;
  note.dataset.on = traced.on;
  note.textContent = traced.on === "before"
    ? `Traced on the weights the run learned example ${first} from: every update shown is the one the run made.`
    : `Traced on the weights as they are now${traced.examples.length > 1 ? "" : ", which have already learned from the examples scored so far"}: ` +
      "the updates shown are what this presentation would do (pause and step one example to follow the run's own update).";
  partial.hidden = traced.neurons === null;
  if (traced.neurons !== null) {
    const sent = network.messages_per_example * traced.examples.length, kept = traced.ticks.filter(isMessage).length;
    partial.textContent = `A partial trace: it follows ${traced.neurons.length} of ${network.neurons} neurons ` +
      `(the most active few of each wide layer, and the one inspected: click a neuron to follow it: ${traced.neurons.join(", ")}), ` +
      `so it shows ${kept.toLocaleString("en")} of the ${sent.toLocaleString("en")} messages the example${traced.examples.length > 1 ? "s send" : " sends"}; ` +
      "the mailboxes drawn are those of the neurons it follows.";
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

function moveByStep(direction) {  // to the next (or previous) stop; a message is shown half-way, as delivered
  if (!traced) return;
  playing = false;
  const count = traced.ticks.length;
  const k = direction > 0 ? Math.floor(playhead - 0.5) + 1 : Math.ceil(playhead - 0.5) - 1;
  if (k < 0 || (direction > 0 && playhead >= count)) return;
  playhead = k >= count ? count : k + 0.5;
  renderTrace();
}

function spot(name) {  // where a process is drawn: a neuron, the feeder or the teacher
  return typeof name === "number" ? drawing.positions[name] : drawing[name];
}

function slots(n, phase) {  // a neuron's mailbox: a slot per incoming synapse (forward) or outgoing one (back)
  let count = 0;
  const ends = phase === "forward" ? network.targets : network.sources;
  for (const m of ends) if (m === n) count++;
  return count || 1;  // a sensor hears the feeder, an output neuron the teacher
}

function stateAt(reached) {
  // What has happened in the first `reached` stops: the filled slots of each mailbox of a followed
  // neuron (the others hear only from the few followed), and when each neuron last stepped
  const boxes = new Map(), fired = new Map();
  for (let i = 0; i < reached; i++) {
    const e = traced.ticks[i];
    if (isMessage(e) && followed(e.to)) {
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
  for (const id of ["play", "back-one", "forward-one", "to-end"]) $(id).disabled = !traced;
  $("stop").disabled = !playing;
  for (const key of ["dotX", "dotY", "dotExample", "highlight"]) delete canvas.dataset[key];
  if (!traced) return;
  const ticks = traced.ticks, upto = Math.min(Math.floor(playhead), ticks.length), current = ticks[upto];
  const reached = upto + (current && playhead - upto >= 0.5 ? 1 : 0), { boxes, fired } = stateAt(reached);
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
  for (const [key, at] of fired) {  // a neuron that just fired (or took its error) flashes
    if (!current || reached - 1 - at > 3) continue;
    const [n, example] = key.split("|"), [x, y] = drawing.positions[Number(n)];
    context.fillStyle = colourOf(Number(example)); context.globalAlpha = 0.35;
    context.beginPath(); context.arc(x, y, drawing.radius[Number(n)] + 7, 0, 2 * Math.PI); context.fill();
    context.globalAlpha = 1;
  }
  if (current && (current.kind === "gradient" || current.kind === "update") && current.synapse !== null) {  // the synapse being changed
    const k = current.synapse, e = drawing.ends;
    context.strokeStyle = colourOf(current.example); context.lineWidth = 4; context.globalAlpha = 0.8;
    context.beginPath(); context.moveTo(e[4 * k], e[4 * k + 1]); context.lineTo(e[4 * k + 2], e[4 * k + 3]); context.stroke();
    context.globalAlpha = 1;
    canvas.dataset.highlight = k;
  }
  if (current && isMessage(current)) {  // the message on its way
    const [x1, y1] = spot(current.from), [x2, y2] = spot(current.to), f = Math.min(1, playhead - upto);
    context.fillStyle = colourOf(current.example); context.strokeStyle = colourOf(current.example); context.lineWidth = 2;
    const x = x1 + (x2 - x1) * f, y = y1 + (y2 - y1) * f;
    context.beginPath(); context.arc(x, y, 5, 0, 2 * Math.PI);
    if (current.kind === "error") context.stroke(); else context.fill();
    Object.assign(canvas.dataset, { dotX: x.toFixed(1), dotY: y.toFixed(1), dotExample: current.example });
  }
  const messages = ticks.filter(isMessage).length, sent = ticks.slice(0, upto + (current && isMessage(current) ? 1 : 0)).filter(isMessage).length;
  const position = $("trace-position");
  position.textContent = `message ${sent.toLocaleString("en")} of ${messages.toLocaleString("en")}${traced.neurons === null ? "" : " followed"}`;
  Object.assign(position.dataset, { message: sent, messages, tick: upto });
  $("trace-title").textContent = current ? describe(current) : "every message delivered: the example has left the network";
  $("trace-title").dataset.kind = current ? current.kind : "done";
  renderInspector(reached);
}

function who(name) { return typeof name === "number" ? `neuron ${name}` : `the ${name}`; }

function describe(e) {
  const example = `example ${e.example}: `;
  if (e.kind === "activity" && e.from === "feeder") return example + `step 1: the feeder presents input ${fmt(e.value, 5)} to sensor ${e.to}`;
  if (e.kind === "activity" && e.to === "teacher") return example + `output neuron ${e.from} sends its activity ${fmt(e.value, 5)} to the teacher`;
  if (e.kind === "activity") return example + `step 4: neuron ${e.from} sends w·a = ${fmt(e.value, 5)} (weight ${fmt(e.weight, 4)} × activity ${fmt(e.activity, 4)}) to neuron ${e.to}, whose dendrite folds it into its total input in slot order (its step 1)`;
  if (e.kind === "error" && e.from === "teacher") return example + `the teacher sends output neuron ${e.to} its error dLoss/da = ${fmt(e.value, 5)}`;
  if (e.kind === "error") return example + `step 7: ${who(e.from)} sends its error δ = ${fmt(e.value, 5)} back to ${who(e.to)}` + (typeof e.to === "number" ? `, whose dendrite folds δ·w into its error sum in slot order (its step 5) and steps that weight (8, 9)` : "");
  if (e.kind === "desired") return example + `the feeder tells the teacher the desired output ${fmt(e.value, 4)}`;
  if (e.kind === "weigh") return example + `step 3: neuron ${e.from} weighs its activity ${fmt(e.fired.value, 5)} for each of its ${(e.fired.receivers || []).length} outgoing synapses: w_j·a`;
  if (e.kind === "gradient") return example + `step 8: synapse ${e.synapse}, neuron ${e.from} → ${e.to}: gradient δ_j·a = ${fmt(e.gradient, 5)}`;
  if (e.kind === "update" && e.parameter === "bias") return example + `step 9: neuron ${e.from}'s bias b −= rate·δ: ${fmt(e.old, 6)} → ${fmt(e.value, 6)}, Δb = ${fmt(e.value - e.old, 4)}`;
  if (e.kind === "update") return example + `step 9: synapse ${e.synapse}, neuron ${e.from} → ${e.to}: w −= rate·gradient: ${fmt(e.old, 6)} → ${fmt(e.value, 6)}, Δw = ${fmt(e.value - e.old, 4)}`;
  if (e.from === "teacher") return example + `the teacher: loss ${fmt(e.value, 5)}; an error dLoss/da for each output neuron`;
  if (e.phase === "forward") return example + `step 2: neuron ${e.from} fires: z = Σ w·a + b = ${fmt(e.total_input, 5)}, a = f(z) = ${fmt(e.value, 5)}`;
  if (e.phase === "backward") return example + `step 6: neuron ${e.from} has every error: its own δ = f′(z) · Σ δ_j·w_j = ${fmt(e.value, 5)}`;
  return example + `${e.kind}${e.phase ? " " + e.phase : ""}: ${who(e.from)} → ${who(e.to)}`;  // an event this page does not know
}
