"""Regenerate the live view's screenshots, one per feature, into docs/ (or the folder given).

    python docs/screenshots.py [FOLDER]

Each picture is a real network served by `exmachina.watch.serve`, learning in a thread, in Debian's
Chromium driven by Playwright (as the tests drive it): nothing is staged by hand.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright
from sklearn.datasets import load_digits

from exmachina import Network
from exmachina.watch import serve

CHROMIUM = "/usr/bin/chromium"
WAIT = 60_000


def learning(net, x, y, held_out=None, epochs=1, paused=False, rate=0.1, pace=None):
    """Serve `net` and learn in a thread; returns the watcher and the thread."""
    watcher = serve(net, x, y, held_out=held_out, learning_rate=rate, epochs=epochs, paused=paused, quiet=True)
    if pace:
        watcher.session.control("pace", pace)

    def learn():
        watcher.hold()
        net.fit(x, y, epochs=epochs, learning_rate=rate, on_progress=watcher.on_progress)
        watcher.finish()

    thread = threading.Thread(target=learn, daemon=True)
    thread.start()
    return watcher, thread


def shoot(page, folder: Path, name: str, selector: str | None = None) -> Path:
    page.wait_for_timeout(400)
    path = folder / f"view-{name}.png"
    (page.locator(selector) if selector else page).screenshot(path=str(path))
    print(f"wrote {path}")
    return path


def digits_learning(browser, folder: Path) -> None:
    """The digits at 100 examples/s: curves, figures, predictions, the weights as images."""
    data = load_digits()
    x, y = data.data / 16, data.target
    watcher, _ = learning(Network.layered([64, 16, 10], seed=0), x[:1400], y[:1400], (x[1400:], y[1400:]),
                          epochs=3, pace=100)
    page = browser.new_page(viewport={"width": 1300, "height": 1500})
    page.goto(watcher.address)
    while int(page.get_attribute("#examples", "data-value") or 0) < 600:  # the page's CSP forbids eval
        page.wait_for_timeout(200)
    shoot(page, folder, "learning")
    # the inspector: a hidden neuron, after its example's messages have all been delivered
    page.click("#pause")
    page.wait_for_selector("#status[data-state='paused']", timeout=WAIT)
    page.click("#network .neuron[data-neuron='70']")
    page.wait_for_selector("#mailbox tr", timeout=WAIT)
    page.select_option("#speed", "1000")
    page.click("#play")
    page.wait_for_selector("#trace-title[data-kind='done']", timeout=WAIT)
    shoot(page, folder, "inspector", "#inspector")
    page.close()
    watcher.close()


def messages_in_flight(browser, folder: Path) -> None:
    """Two examples in flight on a 2-4-3-2 network, half-way through their messages."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(200, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    watcher, _ = learning(Network.layered([2, 4, 3, 2], activation="tanh", seed=1), x, y, paused=True)
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(watcher.address)
    page.wait_for_selector("#status[data-state='paused']", timeout=WAIT)
    page.select_option("#in-flight", "2")
    page.click("#trace")
    page.wait_for_selector("#trace-examples span", timeout=WAIT)
    page.click("#network .neuron[data-neuron='4']")
    page.wait_for_selector("#mailbox tr", timeout=WAIT)
    for _ in range(21):
        page.click("#forward-one")
    shoot(page, folder, "messages", "#network-panel")
    page.close()
    watcher.close()


def one_step_at_a_time(browser, folder: Path) -> None:
    """The run's own update, one step at a time: a hidden neuron's step 9 on one synapse, with its Δw."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(200, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    watcher, _ = learning(Network.layered([2, 4, 3, 2], activation="tanh", seed=1), x, y, paused=True, rate=0.3)
    page = browser.new_page(viewport={"width": 1300, "height": 1300})
    page.goto(watcher.address)
    page.wait_for_selector("#status[data-state='paused']", timeout=WAIT)
    page.click("#step")  # one example: the trace starts from the weights the run learns it from
    page.wait_for_selector("#examples[data-value='1']", timeout=WAIT)
    page.click("#network .neuron[data-neuron='4']")
    page.wait_for_selector("#trace-note[data-on='before']", timeout=WAIT)
    title = ""
    while "step 9: synapse" not in title or "neuron 4 →" not in title:  # a synapse of neuron 4 changes
        page.click("#forward-one")
        title = page.inner_text("#trace-title")
    top = page.locator("#network-panel").bounding_box()
    bottom = page.locator("#inspector").bounding_box()
    page.wait_for_timeout(300)
    path = folder / "view-steps.png"
    page.screenshot(path=str(path), clip={"x": top["x"], "y": top["y"], "width": top["width"],
                                          "height": bottom["y"] + bottom["height"] - top["y"]})
    print(f"wrote {path}")
    page.close()
    watcher.close()


def weights_of_mnist_size(browser, folder: Path) -> None:
    """Every synapse of 784-100-10, on the absolute scale, with a synapse's weight on hover."""
    net = Network.layered([784, 100, 10], seed=0)
    x = np.random.default_rng(0).random((20, 784))
    watcher, _ = learning(net, x, np.arange(20) % 10, paused=True)
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(watcher.address)
    page.wait_for_selector("#synapses[data-drawn='79400']", timeout=WAIT)
    box = page.locator("#network .neuron[data-neuron='830']").bounding_box()
    target = page.locator("#network .neuron[data-neuron='889']").bounding_box()
    page.mouse.move((box["x"] + target["x"]) / 2 + 4, (box["y"] + target["y"]) / 2 + 4)
    shoot(page, folder, "weights", "#network-panel")
    page.close()
    watcher.close()


def plane(browser, folder: Path) -> None:
    """XOR on the plane, learned for a while: maps in the nodes, the confidence with train and test points."""
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, size=(400, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    watcher, thread = learning(Network.layered([2, 8, 8, 2], activation="tanh", seed=0), x[:300], y[:300],
                               (x[300:], y[300:]), epochs=40, rate=0.03)
    thread.join(120)
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(watcher.address)
    page.wait_for_selector("#status[data-state='finished']", timeout=WAIT)
    shoot(page, folder, "plane", "#network-panel")
    page.close()
    watcher.close()


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else Path(__file__).parent
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        for picture in (digits_learning, messages_in_flight, one_step_at_a_time, weights_of_mnist_size, plane):
            picture(browser, folder)
        browser.close()
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
