"""What the live view's tests share: Debian's Chromium through Playwright, a network learning in a
thread while a real server serves it, and readers of what the page shows.

If Chromium is missing the tests fail, saying how to install it: a browser test that skips would
hide a view nobody checked.
"""

from __future__ import annotations

import http.client
import threading
import time
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent
WAIT = 30_000  # ms: generous, the machine is shared

@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the live view's tests need Debian's Chromium "
                    "(apt-get update && apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 1400})
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"the page raised: {errors}"


def digits(count: int = 1797):
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data[:count] / 16.0, data.target[:count]


class Stopped(Exception):
    """Ends a test's training early."""


class Run:
    """A network served live and learning in a thread, the way `learn --watch` runs it.

    It keeps what `fit` reported, for the tests to compare with the page: `scored` holds each call's
    (indices, outputs) as the teacher scored them, `hits` whether each example was right (across
    passes: a pass's scoreboard starts empty).
    """

    def __init__(self, net, x, y, epochs=1, learning_rate=0.5, paused=False, held_out=None, **fit):
        self.net, self.x, self.y, self.epochs, self.rate, self.fit = net, x, y, epochs, learning_rate, fit
        from exmachina.watch import serve  # imported by the tests that serve, not by every test's conftest

        self.watcher = serve(net, x, y, held_out=held_out, learning_rate=learning_rate, epochs=epochs,
                             paused=paused, engine=fit.get("engine", "actors"), quiet=True)
        self.rates = []  # what on_progress handed back to fit
        self.scored = []
        self.hits = []
        self.stopping = False
        self.thread = threading.Thread(target=self._learn, daemon=True)

    def _learn(self):
        def progress(epoch, board):
            if self.stopping:
                raise Stopped
            self.scored.append((board.last[0].copy(), np.array(board.last[1])))
            self.hits.extend(list(board.recent)[-len(board.last[0]):])
            rate = self.watcher.on_progress(epoch, board)
            if rate is not None:
                self.rates.append(rate)
            return rate

        try:
            self.watcher.hold()
            self.net.fit(self.x, self.y, epochs=self.epochs, learning_rate=self.rate, on_progress=progress,
                         **self.fit)
        except Stopped:
            return
        self.watcher.finish()

    def start(self):
        self.thread.start()
        return self

    def close(self):
        self.stopping = True
        self.watcher.close()  # lets a paused training go on
        if self.thread.ident:
            self.thread.join(60)


@pytest.fixture
def runs():
    started = []
    yield lambda *a, **k: started.append(Run(*a, **k)) or started[-1]
    for run in started:
        run.close()


def number(page, selector: str) -> float | None:
    raw = page.get_attribute(selector, "data-value")
    return float(raw) if raw not in (None, "") else None


def wait_state(page, state: str) -> None:
    page.wait_for_selector(f"#status[data-state='{state}']", timeout=WAIT)


def examples(page) -> int:
    return int(number(page, "#examples"))


def wait_examples(page, condition, seconds: float = 30) -> int:
    """Poll the example counter the page shows until `condition(count)` holds (the page's CSP forbids eval)."""
    deadline = time.monotonic() + seconds
    while True:
        count = number(page, "#examples")
        if count is not None and condition(int(count)):
            return int(count)
        assert time.monotonic() < deadline, f"the page shows {count} examples"
        page.wait_for_timeout(50)



def tip_of(page, selector: str, **where) -> str:
    page.hover(selector, **where)
    page.wait_for_selector("#tip:not([hidden])", timeout=WAIT)
    text = page.inner_text("#tip")
    page.mouse.move(0, 0)
    return text



def request(address: str, method: str, path: str, headers: dict, body: str | None = None) -> int:
    host, port = address.split("//")[1].strip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request(method, path, body=body, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


