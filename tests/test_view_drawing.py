"""What the network drawing shows is true: a negative weight's line as wide and as faint as a positive
one's, every layer of 784-100-10 visible, a partial trace that says so and leaves no half-filled
mailbox, the feeder and the teacher clear of everything else, hidden neurons with their biases.
The pixels and boxes are the page's own, read back from Chromium.
"""

from __future__ import annotations

import numpy as np
import pytest

from exmachina import Network

from viewing import WAIT, Run, digits


def line_profile(page, x: float, y: float, reach: float = 12) -> tuple[float, float, list[int]]:
    """Down a column of the synapses' canvas across a horizontal line at (x, y) (CSS px): the sum and
    the largest of the alpha (0..1) of its device pixels, and the colour where alpha is largest."""
    return page.evaluate("""([x, y, reach]) => {
        const s = window.devicePixelRatio, context = document.getElementById('synapses').getContext('2d');
        const from = Math.round((y - reach) * s), rows = Math.round(2 * reach * s);
        const data = context.getImageData(Math.round(x * s), from, 1, rows).data;
        let sum = 0, top = 0, colour = null;
        for (let i = 0; i < data.length; i += 4) {
            sum += data[i + 3] / 255;
            if (data[i + 3] > top) { top = data[i + 3]; colour = [data[i], data[i + 1], data[i + 2]]; }
        }
        return [sum / s, top / 255, colour]; }""", [x, y, reach])


def centre_of(page, n: int) -> tuple[float, float]:
    node = page.locator(f"#network .neuron[data-neuron='{n}']")
    return float(node.get_attribute("cx")), float(node.get_attribute("cy"))


def test_a_negative_weight_is_drawn_as_wide_and_as_faint_as_a_positive_one(browser):
    # 1-1-1: two horizontal lines, one of weight -0.5, one of +0.5; drawn at 4 device pixels per CSS pixel
    net = Network.layered([1, 1, 1], activation="tanh", loss="squared", seed=0)
    net.blueprint.weights[:] = [-0.5, 0.5]
    run = Run(net, np.zeros((4, 1)), np.zeros((4, 1)), paused=True)
    context = browser.new_context(viewport={"width": 1000, "height": 700}, device_scale_factor=4)
    try:
        page = context.new_page()
        page.goto(run.watcher.address)
        page.wait_for_selector("#synapses[data-drawn='2']", timeout=WAIT)
        (x0, y0), (x1, y1), (x2, y2) = (centre_of(page, n) for n in range(3))
        assert y0 == y1 == y2
        negative, positive = line_profile(page, (x0 + x1) / 2, y0), line_profile(page, (x1 + x2) / 2, y1)
        # the rule: 0.3 px + 1.5 px per unit of |weight| = 1.05 px, at an opacity of 0.2 + |w|/2 = 0.45
        for (coverage, opacity, colour), ink in ((negative, [232, 130, 42]), (positive, [42, 111, 219])):
            assert opacity == pytest.approx(0.45, abs=0.01)
            assert coverage == pytest.approx(1.05 * 0.45, rel=0.05)
            assert np.abs(np.array(colour) - ink).max() <= 3, colour
    finally:
        context.close()
        run.close()


def test_784_100_10_every_layer_is_visible_and_a_partial_trace_says_so_and_ends_clean(page, runs):
    net = Network.layered([784, 100, 10], seed=0)
    x = np.random.default_rng(0).random((20, 784))
    run = runs(net, x, np.arange(20) % 10, paused=True)
    page.goto(run.watcher.address)
    page.wait_for_selector("#synapses[data-drawn='79400']", timeout=WAIT)
    # the 78,400 lines from the sensors to the hidden layer: seen between the two columns
    sensors = page.locator("#network .neuron.sensor").evaluate_all(
        "nodes => nodes.map(n => Number(n.getAttribute('x')) + Number(n.getAttribute('width')))")
    hidden = page.locator("#network .neuron.hidden").evaluate_all(
        "nodes => nodes.map(n => Number(n.getAttribute('cx')))")
    middle = (max(sensors) + min(hidden)) / 2
    height = float(page.locator("#network").get_attribute("viewBox").split()[3])
    seen = [line_profile(page, middle, y, 2)[1] for y in np.linspace(0.3 * height, 0.7 * height, 9)]
    assert min(seen) > 0.08, seen  # drawn faint (there are 78,400), but drawn
    caption = page.inner_text("#network-caption")
    assert "every one drawn" in caption and "%" in caption, caption  # and the caption says how faint
    # a trace of 784-100-10 follows a few neurons, and says so
    page.click("#trace")
    page.wait_for_selector("#trace-position[data-messages]", timeout=WAIT)
    note = page.inner_text("#trace-partial")
    followed = run.watcher.trace()["neurons"]
    assert followed is not None and len(followed) < net.blueprint.size
    assert f"follows {len(followed)} of {net.blueprint.size} neurons" in note, note
    assert ", ".join(map(str, followed)) in note, note  # which ones
    assert "160,389" in note, note  # what the example really sends: 2 per synapse, sensors, outputs, and 1
    page.click("#to-end")
    page.wait_for_selector("#trace-title[data-kind='done']", timeout=WAIT)
    drawn = page.evaluate("""() => { const c = document.getElementById('messages');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }""")
    assert drawn == 0  # no mailbox left half-filled once the example has left the network


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def boxes(page, selector: str) -> list[dict]:
    return page.locator(selector).evaluate_all("nodes => nodes.map(n => { const b = n.getBoundingClientRect(); "
                                               "return {x: b.x, y: b.y, width: b.width, height: b.height}; })")


def test_feeder_and_teacher_are_clear_of_everything_and_hidden_neurons_show_their_biases(page, runs):
    rng = np.random.default_rng(0)
    plane = rng.uniform(-1, 1, size=(40, 2))
    x, y = digits(40)
    for net, inputs, labels in ((Network.layered([64, 32, 10], seed=0), x, y),
                                (Network.layered([2, 8, 2], activation="tanh", seed=0), plane, plane[:, 0] > 0)):
        run = runs(net, inputs, labels, paused=True)
        page.goto(run.watcher.address)
        page.wait_for_selector("#network .bias[data-bias]", timeout=WAIT)
        frame = page.locator("#network").bounding_box()
        others = boxes(page, "#network .neuron") + boxes(page, "#network .class-label")
        assert len(others) == net.blueprint.size + len(net.blueprint.outputs)  # each output: its class's name
        for name in ("feeder", "teacher"):
            box = page.locator(f"#network .process[data-process='{name}']").bounding_box()
            assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"], name
            assert not any(overlap(box, other) for other in others), name
        hidden = [n for n in range(net.blueprint.size) if net.blueprint.kinds[n] == "hidden"]
        for n in hidden:  # a neuron, not a dot, with its bias beside it
            assert page.locator(f"#network .bias[data-neuron='{n}']").count() == 1
            assert float(page.get_attribute(f"#network .neuron[data-neuron='{n}']", "r") or 99) >= 4
        if inputs is x:  # before the first example the sensors' grid is drawn, not blank
            cell = page.locator("#network .neuron.sensor").first
            assert float(cell.get_attribute("stroke-width")) > 0
            assert cell.get_attribute("stroke") not in ("none", "#fff")
