"""Honest weights in the live view: every synapse drawn (784-100-10 too), line widths on one absolute
scale, and hovering shows a synapse's weight and a neuron's bias, the library's own numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from exmachina import Network

from viewing import WAIT, digits, wait_examples, wait_state


def centre(page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def hover_synapse(page, source: int, target: int, synapse: int | None = None) -> dict:
    """Hover along the line from `source` to `target` (until the tip names `synapse`); the tip's numbers."""
    (x1, y1), (x2, y2) = (centre(page, f"#network .neuron[data-neuron='{n}']") for n in (source, target))
    for along in (1 / 3, 0.5, 0.4, 0.6, 0.25, 0.7):  # lines cross: somewhere along it, this one is nearest
        page.mouse.move(x1 + (x2 - x1) * along, y1 + (y2 - y1) * along)
        page.wait_for_selector("#tip:not([hidden])", timeout=WAIT)
        tip = {key: page.get_attribute("#tip", f"data-{key}") for key in ("synapse", "weight", "width")}
        tip["text"] = page.inner_text("#tip")
        page.mouse.move(0, 0)
        if tip["synapse"] is not None and (synapse is None or int(tip["synapse"]) == synapse):
            return tip  # not over a neuron, and this synapse's line
    raise AssertionError(f"no point along {source} -> {target} shows synapse {synapse}")


def width_of(weight: float) -> float:
    """The page's rule, the same in every frame: 0.3 px plus 1.5 px per unit of |weight|, at most 6."""
    return min(6.0, 0.3 + 1.5 * abs(weight))


def test_every_synapse_of_a_784_100_10_network_is_drawn_and_hovering_shows_its_weight(page, runs):
    net = Network.layered([784, 100, 10], seed=0)
    x = np.random.default_rng(0).random((20, 784))
    run = runs(net, x, np.arange(20) % 10, paused=True)
    page.goto(run.watcher.address)
    page.wait_for_selector("#synapses[data-drawn='79400']", timeout=WAIT)
    weights = net.blueprint.weights
    for source, target in ((784 + 7, 884 + 3), (784 + 99, 884 + 9)):  # hidden -> output lines
        tip = hover_synapse(page, source, target)
        k = int(tip["synapse"])
        assert float(tip["weight"]) == weights[k]  # every bit
        assert f"neuron {net.blueprint.sources[k]} → {net.blueprint.targets[k]}\nweight {weights[k]:.6g}" in tip["text"]


def test_line_widths_are_on_an_absolute_scale_and_follow_a_weight_as_it_grows(page, runs):
    x = np.random.default_rng(1).normal(size=(60, 2))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)  # a line splits them: the weights grow as it is learned
    net = Network.layered([2, 3, 2], activation="tanh", seed=0)
    net.blueprint.weights *= 0.05  # tiny weights: a per-frame scale would still draw the largest thick
    run = runs(net, x, y, epochs=2000, learning_rate=0.5, paused=True)  # more than the test waits for
    page.goto(run.watcher.address)
    run.start()
    page.wait_for_selector("#synapses[data-drawn='12']", timeout=WAIT)
    wait_state(page, "paused")
    largest = int(np.argmax(np.abs(net.blueprint.weights)))
    s, t = net.blueprint.sources[largest], net.blueprint.targets[largest]
    before = hover_synapse(page, s, t, largest)
    assert int(before["synapse"]) == largest
    assert float(before["weight"]) == net.blueprint.weights[largest]
    assert float(before["width"]) == pytest.approx(width_of(net.blueprint.weights[largest]))
    assert float(before["width"]) < 1
    page.click("#resume")
    wait_examples(page, lambda count: count > 3000, seconds=60)
    page.click("#pause")
    wait_state(page, "paused")
    page.wait_for_timeout(500)
    weights = run.watcher.session.snapshot.weights
    grown = int(np.argmax(np.abs(weights)))  # the largest now, which learning made large
    after = hover_synapse(page, net.blueprint.sources[grown], net.blueprint.targets[grown], grown)
    assert float(after["weight"]) == weights[int(after["synapse"])]
    assert int(after["synapse"]) == grown
    assert float(after["width"]) == pytest.approx(width_of(weights[grown]))
    assert abs(weights[grown]) > 0.5 and float(after["width"]) > 1  # it grew, and so did its line


def test_biases_are_drawn_and_hovering_one_shows_its_value(page, runs):
    x, y = digits(50)
    net = Network.layered([64, 6, 10], seed=0)
    net.blueprint.biases[64:] = np.linspace(-1, 1, 16)
    run = runs(net, x, y, paused=True)
    page.goto(run.watcher.address)
    page.wait_for_selector("#network .bias[data-bias]", timeout=WAIT)
    assert page.locator("#network .bias").count() == 16  # every neuron but the sensors
    for n in (64, 69, 79):
        cell = f"#network .bias[data-neuron='{n}']"
        assert float(page.get_attribute(cell, "data-bias")) == net.blueprint.biases[n]
        page.hover(cell)
        page.wait_for_selector("#tip[data-bias]:not([hidden])", timeout=WAIT)
        assert page.inner_text("#tip") == f"bias of neuron {n}: {net.blueprint.biases[n]:.6g}".replace("e-0", "e-")
        page.mouse.move(0, 0)
    page.hover("#network .neuron[data-neuron='70']")
    page.wait_for_selector("#tip[data-neuron='70']:not([hidden])", timeout=WAIT)
    assert f"bias {net.blueprint.biases[70]:.6g}" in page.inner_text("#tip")
