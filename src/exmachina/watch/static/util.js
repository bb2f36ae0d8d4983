// The live view's small helpers, shared by the other scripts (classic scripts: one global scope).
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const POSITIVE = [42, 111, 219], NEGATIVE = [232, 130, 42];
const SHARD_COLOURS = ["#1b9e77", "#7570b3", "#e7298a", "#a6761d", "#66a61e", "#e6ab02", "#17becf", "#666666"];  // not the weights' blue and orange
const $ = (id) => document.getElementById(id);
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
function diverging(t) {  // -1..1 -> [r, g, b]: orange, white at zero, blue
  const c = t >= 0 ? POSITIVE : NEGATIVE, a = Math.min(1, Math.abs(t));
  return c.map((x) => Math.round(255 + (x - 255) * a));
}
const onScale = (v) => diverging((v - 128) / 127);  // a byte on the fixed scale: 0 -> -1, 128 -> 0, 255 -> +1
function bytes(base64) { const s = atob(base64), out = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i); return out; }
const palettes = new Map();  // colour function -> its 256 colours, worked out once: pictures are redrawn every frame
function palette(colour) {
  let table = palettes.get(colour);
  if (!table) {
    table = new Uint8ClampedArray(4 * 256);
    for (let v = 0; v < 256; v++) table.set([...colour(v), 255], 4 * v);
    palettes.set(colour, table);
  }
  return table;
}
function fillImage(data, values, table) {  // each value's colour from the table, into an image's RGBA bytes
  for (let i = 0, j = 0; i < values.length; i++, j += 4) {
    const k = 4 * values[i];
    data[j] = table[k]; data[j + 1] = table[k + 1]; data[j + 2] = table[k + 2]; data[j + 3] = table[k + 3];
  }
}
function paint(canvas, pixels, width, height, colour) {  // 0..255 values -> an image
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = canvas.getContext("2d"), image = context.createImageData(width, height);
  fillImage(image.data, pixels.subarray(0, width * height), palette(colour));
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

