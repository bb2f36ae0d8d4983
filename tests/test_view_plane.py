"""The 2-D sets at TensorFlow Playground's level: each neuron's map inside its node and the output's
confidence at 100x100 points with training and test points, all on one fixed diverging scale with
zero white; the colours the page paints are checked against the library's activities.
"""

from __future__ import annotations

import numpy as np

from exmachina import Network
from exmachina.network.matrix import MatrixEngine
from exmachina.watch.plane import NODE_SIDE, SIDE, confidence, grid

from viewing import WAIT, wait_state

POSITIVE, NEGATIVE = np.array([42, 111, 219]), np.array([232, 130, 42])


def colour(value: float) -> np.ndarray:
    """The page's fixed scale: -1 orange, 0 white, +1 blue (a byte in between, as it is sent)."""
    t = (np.rint(128 + 127 * np.clip(value, -1, 1)) - 128) / 127
    ink = POSITIVE if t >= 0 else NEGATIVE
    return np.rint(255 + (ink - 255) * min(1.0, abs(t)))


def pale(rgb: np.ndarray) -> np.ndarray:
    """The output's map is drawn at half strength behind the points."""
    return np.rint(255 + (rgb - 255) * 0.5)


def pixels(page, canvas: str, points: list[tuple[float, float]]) -> list[np.ndarray]:
    """The colours of a canvas at points given in its own pixels."""
    found = page.evaluate("""([id, points]) => { const context = document.getElementById(id).getContext('2d');
        return points.map(([x, y]) => Array.from(context.getImageData(Math.floor(x), Math.floor(y), 1, 1).data)); }""",
                          [canvas, points])
    return [np.array(p[:3]) for p in found]


def test_maps_in_the_nodes_and_the_outputs_confidence_are_the_librarys_on_one_fixed_scale(page, runs):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(120, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    net = Network.layered([2, 4, 3, 2], activation="tanh", seed=3)
    net.blueprint.weights *= 2.5  # activities reaching past the scale's ends, and some near zero
    run = runs(net, x[:90], y[:90], held_out=(x[90:], y[90:]), paused=True).start()
    page.goto(run.watcher.address)
    wait_state(page, "paused")
    page.wait_for_selector("#boundary[data-side='100']", timeout=WAIT)
    scale = page.evaluate("() => window.devicePixelRatio")  # the network's canvas is drawn at the screen's pixels
    assert page.get_attribute("#boundary", "data-train") == "90"
    assert page.get_attribute("#boundary", "data-test") == "30"
    page.wait_for_selector("#synapses[data-maps='9']", timeout=WAIT)  # every neuron but the sensors
    extent = run.watcher.pictures.plane.extent
    engine = MatrixEngine(net.blueprint)
    # the output's confidence: cells away from every point
    sure = confidence(engine.predict(grid(extent, SIDE)), net.blueprint.loss)
    x0, x1, y0, y1 = extent
    spots = [((xp - x0) / (x1 - x0) * 300, (y1 - yp) / (y1 - y0) * 300) for xp, yp in x]
    cells = [k for k in range(0, SIDE * SIDE, 97)
             if min(np.hypot(3 * (k % SIDE + 0.5) - sx, 3 * (k // SIDE + 0.5) - sy) for sx, sy in spots) > 8][:40]
    shown = pixels(page, "boundary", [(3 * (k % SIDE + 0.5), 3 * (k // SIDE + 0.5)) for k in cells])
    for k, got in zip(cells, shown):
        assert np.abs(got - pale(colour(sure[k]))).max() <= 2, (k, sure[k], got)
    assert any(abs(sure[k]) > 0.9 for k in cells) and any(abs(sure[k]) < 0.3 for k in cells)
    page.check("#discretize")  # only which class wins
    page.wait_for_selector("#boundary[data-discrete='true']", timeout=WAIT)
    shown = pixels(page, "boundary", [(3 * (k % SIDE + 0.5), 3 * (k // SIDE + 0.5)) for k in cells])
    for k, got in zip(cells, shown):
        assert np.abs(got - pale(colour(np.sign(sure[k])))).max() <= 2, (k, sure[k], got)
    # every point the network gets wrong is ringed dark
    wrong = np.argmax(engine.predict(x[:90]), axis=1) != y[:90]
    assert int(page.get_attribute("#boundary", "data-wrong")) == wrong.sum() > 0
    test_wrong = np.argmax(engine.predict(x[90:]), axis=1) != y[90:]
    assert int(page.get_attribute("#boundary", "data-test-wrong")) == test_wrong.sum()
    # each training point in its class's colour (class 1 blue as +1, class 0 orange), each test point hollow
    train = [(float(xp - x0) / (x1 - x0) * 300, float(y1 - yp) / (y1 - y0) * 300) for xp, yp in x[:90]]
    alone = []  # the points no other comes near, whose colours and rings are their own
    for (sx, sy), label, got in zip(train, y[:90], pixels(page, "boundary", train)):
        others = [np.hypot(sx - ox, sy - oy) for ox, oy in spots if (ox, oy) != (sx, sy)]
        if min(others) > 12:  # not covered by another point
            assert np.abs(got - (POSITIVE if label == 1 else NEGATIVE)).max() <= 2, (label, got)
            ring = pixels(page, "boundary", [(sx + 5.4, sy)])[0]
            assert (ring.max() < 120) == wrong[train.index((sx, sy))], (label, ring)  # dark: a mistake
            alone.append(wrong[train.index((sx, sy))])
    assert len(alone) >= 5 and any(alone) and not all(alone), alone
    # each neuron's map, inside its node, on the same scale whatever its range
    _, activities = engine.forward(grid(extent, NODE_SIDE))
    for n in (2, 5, 7):
        node = page.locator(f"#network .neuron[data-neuron='{n}']")
        left, top, side = (float(node.get_attribute(a)) for a in ("x", "y", "width"))
        chosen = [0, 31, 500, 1023, 33 * 16]
        where = [(left + side * (k % NODE_SIDE + 0.5) / NODE_SIDE, top + side * (k // NODE_SIDE + 0.5) / NODE_SIDE)
                 for k in chosen]
        shown = pixels(page, "synapses", [(scale * a, scale * b) for a, b in where])
        for k, got in zip(chosen, shown):
            assert np.abs(got - colour(activities[k, n])).max() <= 2, (n, k, activities[k, n], got)


def test_clicking_a_point_on_the_plane_traces_that_example(page, runs):
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=(40, 2))
    y = (x[:, 0] > 0).astype(int)
    run = runs(Network.layered([2, 3, 2], activation="tanh", seed=0), x, y, paused=True).start()
    page.goto(run.watcher.address)
    page.wait_for_selector("#boundary[data-side='100']", timeout=WAIT)
    extent = run.watcher.pictures.plane.extent
    x0, x1, y0, y1 = extent
    index = 17
    box = page.locator("#boundary").bounding_box()
    page.mouse.click(box["x"] + (x[index, 0] - x0) / (x1 - x0) * box["width"],
                     box["y"] + (y1 - x[index, 1]) / (y1 - y0) * box["height"])
    page.wait_for_selector(f"#trace-examples span[data-example='{index}']", timeout=WAIT)
    first = page.locator("#trace-examples span")
    assert first.count() == 1 and first.get_attribute("data-example") == str(index)
