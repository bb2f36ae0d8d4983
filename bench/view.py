"""What the live view costs the training: paired runs with and without a page open.

    python bench/view.py [--pairs 5] [--json bench/results/view.json]      (or: python bench/run.py --view)

Each pair learns the same passes from the same weights three ways, in an order that turns round each
pair: plainly (`fit` alone), served with nobody watching, and served with a real page open in Debian's
Chromium (its frames streaming, its canvases redrawn). The cost is the share of examples per
CPU-second of the training process lost (every thread of it: the server's frames count, the browser's
own drawing does not), as medians over the pairs with their range; ratios in one run hold on a noisy
host, rates do not, and wall-clock rates on a shared 2-core host measured the neighbours more than the
view (a cost of -66% to +31% across five pairs). Each run is several passes, a few seconds of learning:
one pass of digits (0.15 s) was too short to measure, its start-up weighing as much as the passes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from exmachina import Network  # noqa: E402
from exmachina.data.files import atomic_file  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
WAYS = ("plain", "served", "page open")


def workloads() -> list[dict[str, Any]]:
    """The default `learn` (digits, 64-32-10) and a 2-D set with its maps (2-8-8-2)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(0)
    plane = rng.uniform(-1, 1, size=(1000, 2))
    return [
        {"name": "digits 64-32-10", "layers": [64, 32, 10], "x": digits.data / 16, "y": digits.target,
         "activation": "sigmoid", "rate": 0.1, "epochs": 20},
        {"name": "plane 2-8-8-2", "layers": [2, 8, 8, 2], "x": plane, "y": (plane[:, 0] * plane[:, 1] > 0).astype(int),
         "activation": "tanh", "rate": 0.03, "epochs": 50},
    ]


def learn(case: dict[str, Any], way: str, browser: Any) -> float:
    """Examples per CPU-second of this process over the case's passes, learned `way`."""
    net = Network.layered(case["layers"], activation=case["activation"], seed=0)
    x, y, epochs = case["x"], case["y"], case["epochs"]
    if way == "plain":
        started = time.process_time()
        net.fit(x, y, epochs=epochs, learning_rate=case["rate"])
        return epochs * len(x) / (time.process_time() - started)
    from exmachina.watch import serve

    with serve(net, x, y, learning_rate=case["rate"], epochs=epochs, quiet=True) as watcher:
        page = None
        if way == "page open":
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.goto(watcher.address)
            page.wait_for_selector("#network .neuron", timeout=30_000)
            page.wait_for_timeout(500)
        started = time.process_time()
        net.fit(x, y, epochs=epochs, learning_rate=case["rate"], on_progress=watcher.on_progress)
        seconds = time.process_time() - started
        watcher.finish()
        if page is not None:
            page.close()
    return epochs * len(x) / seconds


def measure(pairs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results = {"load_before": os.getloadavg(), "cases": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        for case in workloads():
            rates: dict[str, list[float]] = {way: [] for way in WAYS}
            for pair in range(pairs):
                order = WAYS if pair % 2 == 0 else WAYS[::-1]
                for way in order:
                    rates[way].append(learn(case, way, browser))
            results["cases"].append({"name": case["name"], "examples": len(case["x"]), "epochs": case["epochs"],
                                     "rates": rates})
        browser.close()
    results["load_after"] = os.getloadavg()
    return results


def cost(found: dict[str, Any], way: str) -> list[float]:
    """Each pair's share of the plain speed lost, `way`."""
    return [1 - w / p for w, p in zip(found["rates"][way], found["rates"]["plain"])]


def show(console: Console, results: dict[str, Any]) -> None:
    table = Table(title="What the live view costs: examples per CPU-second, medians (least to most) over the pairs",
                  title_justify="left")
    for column in ("workload", "plain", "served", "page open", "cost served", "cost page open"):
        table.add_column(column, justify="left" if column == "workload" else "right")
    for found in results["cases"]:
        rates = found["rates"]

        def spread(values: list[float], form: str) -> str:
            return f"{form.format(statistics.median(values))} ({form.format(min(values))}-{form.format(max(values))})"

        name = f"{found['name']}, {found.get('epochs', 1)} passes"
        table.add_row(name, *(spread(rates[way], "{:,.0f}") for way in WAYS),
                      spread(cost(found, "served"), "{:.1%}"), spread(cost(found, "page open"), "{:.1%}"))
    console.print(table)
    console.print(f"load average before {results['load_before'][0]:.2f}, after {results['load_after'][0]:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python bench/view.py", description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="pairs of runs per workload (5)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "view.json")
    found = parser.parse_args(argv)
    if found.pairs < 1:
        parser.error(f"--pairs must be at least 1, got {found.pairs}")
    results = measure(found.pairs)
    show(Console(), results)
    found.json.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(found.json) as out:
        out.write(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
