// The neuron inspector: one neuron's mailbox, what it computed, its updates (old, Δ, new) and its nine
// steps, each ticked at the stop where it happens, read from the trace's stops (trace.js).
"use strict";

const NINE_STEPS = [  // as the design states them
  "wait for the weighted activities of all inputs, folding each into the sum in slot order as it arrives",
  "own activity a = f(Σ w·a + b)",
  "weight the activity for each outgoing synapse: w_j·a",
  "send each weighted activity to its target",
  "wait for an error δ_j from every target, folding δ_j·w_j (w_j as in step 3) into the error sum in slot order",
  "own error δ = f′(z) · Σ δ_j·w_j",
  "send δ back to every input of step 1",
  "gradient of each outgoing weight: δ_j·a",
  "update: w_j −= rate·δ_j·a (each once its term is taken), b −= rate·δ",
];

function inspect(n) {
  inspected = n;
  $("inspector").hidden = false;
  $("inspected").textContent = `${n}`;
  $("inspected").dataset.neuron = n;
  $("inspected-where").textContent = `(${network.kinds[n]}, ${network.activations[n]})${onShard(n)}`;
  const whole = traced && followed(n) && traced.ticks.some((e) => e.kind === "step" && e.from === n && e.phase === "forward" && e.inputs);
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

function renderInspector(reached) {
  if (inspected === null || !traced) return;
  const n = inspected, example = traced.examples[0], done = (e) => !!e && e.at < reached;
  const all = (list) => list.length > 0 && list.every(done);
  const mine = traced.ticks.filter((e) => e.example === example && (e.from === n || e.to === n));
  const find = (kind, phase) => mine.find((e) => e.kind === kind && e.from === n && (!phase || e.phase === phase));
  const forward = find("step", "forward"), weighed = find("weigh"), backward = find("step", "backward");
  const incoming = mine.filter((e) => (e.kind === "activity" || e.kind === "desired") && e.to === n);
  const errors = mine.filter((e) => e.kind === "error" && e.to === n);
  const sent = mine.filter((e) => e.kind === "activity" && e.from === n), sentBack = mine.filter((e) => e.kind === "error" && e.from === n);
  const gradients = mine.filter((e) => e.kind === "gradient" && e.from === n), updates = mine.filter((e) => e.kind === "update" && e.from === n);
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
  table("updates", ["to", "old", "gradient", "Δ", "new"], updates.map((u) => (row) => {
    const gradient = u.parameter === "bias" ? u : gradients.find((g) => g.synapse === u.synapse), known = done(gradient), made = done(u);
    row.className = made ? "filled" : "waiting";
    cell(row, u.parameter === "bias" ? "bias" : `→ ${u.to}`);
    cell(row, fmt(u.old, 6), "old", u.old);
    cell(row, known ? fmt(u.gradient, 6) : "…", "gradient", known ? u.gradient : null);
    cell(row, made ? fmt(u.value - u.old, 4) : "…", "change", made ? u.value - u.old : null);
    cell(row, made ? fmt(u.value, 6) : "…", "new", made ? u.value : null).dataset.parameter = u.parameter === "bias" ? "bias" : u.to;
  }));
  // each step ticks at the stop where it happens (a neuron with no weights of its own to learn, an output
  // whose line to the teacher is fixed, takes no gradient: its step 8 ticks with its update)
  const ticks = [all(incoming), fired, done(weighed), all(sent), all(errors), erred, all(sentBack),
    gradients.length ? all(gradients) : all(updates), all(updates)];
  const list = $("nine-steps");
  list.replaceChildren(...NINE_STEPS.map((text, k) => {
    const item = document.createElement("li");
    item.textContent = text;
    item.className = ticks[k] ? "done" : "";
    return item;
  }));
  list.dataset.done = ticks.filter(Boolean).length;
}
