// The playground's controls (`exmachina watch --data SET`, with no model): the data, the layers and
// their neurons, the activation, how to learn; restart and reset. The settings live in the page's
// address, so that a view can be shared: opening it asks the server for the same run.
"use strict";

const PLAYGROUND_DATA = ["xor2d", "circle", "gauss", "spiral", "xor", "and", "or", "digits"];
const ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "step"];
let chosen = null;       // the settings on the page, applied or not
let applied = null;      // the settings of the run being served
let fromAddress = true;  // the first network: the address's settings are asked for (if nobody else watches)

function settingsOfAddress() {
  const asked = new URLSearchParams(location.search), settings = {};
  if (asked.has("data")) settings.data = asked.get("data");
  if (asked.has("hidden")) settings.hidden = asked.get("hidden") === "" ? [] : asked.get("hidden").split(",").map(Number);
  if (asked.has("activation")) settings.activation = asked.get("activation");
  for (const [key, name] of [["learning_rate", "rate"], ["batch", "batch"], ["noise", "noise"], ["test_fraction", "split"]]) {
    if (asked.has(name)) settings[key] = Number(asked.get(name));
  }
  return settings;
}

function writeAddress(settings) {
  const asked = new URLSearchParams(location.search);
  asked.set("data", settings.data); asked.set("hidden", settings.hidden.join(",")); asked.set("activation", settings.activation);
  asked.set("rate", settings.learning_rate); asked.set("batch", settings.batch); asked.set("noise", settings.noise);
  asked.set("split", settings.test_fraction);
  history.replaceState(null, "", `${location.pathname}?${asked}`);
}

function showPlayground(settings) {  // called with each new network: its settings, or null
  $("playground").hidden = !settings;
  $("rate-control").hidden = !!settings;  // one learning-rate field: the playground's
  if (!settings) return;
  applied = { ...settings, hidden: [...settings.hidden] };
  const wanted = settingsOfAddress();
  if (fromAddress && Object.keys(wanted).length && Object.entries(wanted).some(([k, v]) => JSON.stringify(v) !== JSON.stringify(settings[k]))) {
    fromAddress = false;
    chosen = { ...applied, ...wanted };
    drawPlaygroundControls();
    restart("open");  // the run the address describes, unless other pages are watching another
    return;
  }
  fromAddress = false;
  chosen = { ...applied, hidden: [...applied.hidden] };
  writeAddress(chosen);
  drawPlaygroundControls();
}

function drawPlaygroundControls() {
  const select = (id, options, value) => {
    $(id).replaceChildren(...options.map((o) => { const option = document.createElement("option"); option.value = o; option.textContent = o; return option; }));
    $(id).value = value;
  };
  select("pg-data", PLAYGROUND_DATA, chosen.data);
  select("pg-activation", ACTIVATIONS, chosen.activation);
  select("pg-batch", [1, 2, 4, 8, 16, 32, 64], chosen.batch);
  $("pg-rate").value = chosen.learning_rate; $("pg-noise").value = chosen.noise; $("pg-split").value = chosen.test_fraction;
  const layers = $("pg-layers");
  layers.replaceChildren();
  chosen.hidden.forEach((neurons, k) => {
    const box = document.createElement("span"), less = document.createElement("button"), more = document.createElement("button");
    box.className = "pg-layer"; box.dataset.layer = k; box.dataset.neurons = neurons;
    less.textContent = "−"; more.textContent = "+"; less.type = more.type = "button";
    less.className = "pg-fewer"; more.className = "pg-more";
    less.addEventListener("click", () => { chosen.hidden[k] = Math.max(1, neurons - 1); drawPlaygroundControls(); });
    more.addEventListener("click", () => { chosen.hidden[k] = Math.min(64, neurons + 1); drawPlaygroundControls(); });
    box.append(less, ` ${neurons} neurons `, more);
    layers.appendChild(box);
  });
  $("pg-layers").dataset.hidden = chosen.hidden.join(",");
}

function readPlaygroundControls() {
  chosen.data = $("pg-data").value; chosen.activation = $("pg-activation").value; chosen.batch = Number($("pg-batch").value);
  chosen.learning_rate = Number($("pg-rate").value); chosen.noise = Number($("pg-noise").value); chosen.test_fraction = Number($("pg-split").value);
}

async function restart(action = "restart") {
  readPlaygroundControls();
  $("pg-error").textContent = "";
  const headers = { "Content-Type": "application/json" };
  if (TOKEN) headers["X-Exmachina-Token"] = TOKEN;
  const answer = await fetch("/control", { method: "POST", headers, body: JSON.stringify({ action, value: chosen }) });
  if (!answer.ok) { $("pg-error").textContent = (await answer.json()).error; return; }
  writeAddress(chosen);
}

function reset() {  // the same network over: the settings of the run being served, not those changed since
  chosen = { ...applied, hidden: [...applied.hidden] };
  drawPlaygroundControls();
  restart();
}

function setRate() {  // the learning rate applies at once, to the run, and the address keeps it
  const rate = Number($("pg-rate").value);
  control("learning_rate", rate).then((ok) => {
    if (!ok) return;
    chosen.learning_rate = rate; applied.learning_rate = rate;
    writeAddress({ ...applied, learning_rate: rate });
  });
}

function setUpPlayground() {
  $("pg-add-layer").addEventListener("click", () => { if (chosen.hidden.length < 6) { chosen.hidden.push(4); drawPlaygroundControls(); } });
  $("pg-remove-layer").addEventListener("click", () => { chosen.hidden.pop(); drawPlaygroundControls(); });
  $("pg-restart").addEventListener("click", () => restart());
  $("pg-reset").addEventListener("click", reset);
  $("pg-rate").addEventListener("change", setRate);
  for (const id of ["pg-data", "pg-activation", "pg-batch", "pg-noise", "pg-split"]) $(id).addEventListener("change", readPlaygroundControls);
}
