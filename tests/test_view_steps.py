"""Stepping through an example stops at each step of the protocol, in its order, and shows the update
the run really made: the trace of the example just learned starts from the weights it was learned
on, so its "old -> new" and Δw are the run's own.
"""

from __future__ import annotations

import numpy as np
import pytest

from exmachina import Network

from viewing import WAIT, wait_state

STEP_BY_STEP = """() => { const out = [];
    for (let i = 0; i < 400; i++) {
        document.getElementById('forward-one').click();
        const title = document.getElementById('trace-title'), canvas = document.getElementById('messages');
        out.push({title: title.textContent, kind: title.dataset.kind, highlight: canvas.dataset.highlight ?? null,
                  done: [...document.querySelectorAll('#nine-steps li')].map((li) => li.classList.contains('done'))});
        if (title.dataset.kind === 'done') break;
    }
    return out; }"""


def test_stepping_stops_at_each_of_the_nine_steps_in_order_and_shows_the_runs_own_update(page, runs):
    x = np.random.default_rng(0).normal(size=(40, 2))
    y = (x[:, 0] > 0).astype(int)
    net = Network.layered([2, 3, 2], activation="tanh", seed=1)
    first = net.snapshot()
    run = runs(net, x, y, learning_rate=0.3, paused=True).start()
    page.goto(run.watcher.address)
    wait_state(page, "paused")
    page.click("#step")  # one example learned: the run's own update
    page.wait_for_selector("#examples[data-value='1']", timeout=WAIT)
    wait_state(page, "paused")
    index = int(run.scored[0][0][0])
    n = 3  # a hidden neuron: two inputs, two targets
    page.click(f"#network .neuron[data-neuron='{n}']")
    page.wait_for_selector(f"#inspector[data-example='{index}']", timeout=WAIT)
    ticks = page.evaluate(STEP_BY_STEP)
    assert ticks[-1]["kind"] == "done"
    titles = [t["title"] for t in ticks]
    # the feeder presents the inputs themselves (no weight, no activity of its own)
    presented = [t for t in titles if "the feeder" in t and "sensor" in t]
    assert len(presented) == 2 and f"{x[index, 0]:.5g}"[:6] in presented[0], presented
    assert not [t for t in titles if "–" in t]
    # stepping shows the neuron firing and the teacher's loss, each at its own stop
    assert any(t.startswith(f"example {index}: step 2: neuron {n} fires") for t in titles), titles
    assert any("the teacher" in t and "loss" in t for t in titles), titles
    # the nine steps of the inspected neuron tick one at a time, in the order the runtime takes them: each
    # outgoing weight takes its gradient (8) and update (9) as its target's error is folded (5); the bias
    # its update after the neuron's own error (6) is sent back (7)
    order = []
    for tick in ticks:
        for k, done in enumerate(tick["done"]):
            if done and k + 1 not in order:
                order.append(k + 1)
        assert [k + 1 for k, done in enumerate(tick["done"]) if done] == sorted(order[:sum(tick["done"])])
    assert order == [1, 2, 3, 4, 5, 8, 6, 7, 9]
    became = [sum(t["done"]) for t in ticks]
    assert all(b - a <= 1 for a, b in zip(became, became[1:])), became  # never two steps at one stop
    # each weight's update is its own stop, its synapse highlighted, with Δw, right after the stop where
    # its target's error is folded (the gradient's stop between them), and before the neuron's step 6
    outgoing = np.flatnonzero(first.sources == n)
    own_error = next(i for i, t in enumerate(titles) if t.startswith(f"example {index}: step 6: neuron {n} "))
    for k in outgoing:
        at = next(i for i, t in enumerate(ticks) if t["highlight"] == str(k) and "Δw" in t["title"])
        assert f"neuron {n} → {first.targets[k]}" in titles[at], titles[at]
        folded = titles[at - 2]  # the stop before the gradient's: the target's error, folded
        assert folded.startswith(f"example {index}: step 7: neuron {first.targets[k]} sends its error"), folded
        assert folded.endswith(f"back to neuron {n}, whose dendrite folds δ·w into its error sum in slot order "
                               "(its step 5) and steps that weight (8, 9)"), folded
        assert at < own_error
    # the update the run really made: old is the weight the example was learned from, new the one the run
    # holds once the example has left the network (the next step lets it go, and stops at the next)
    assert page.get_attribute("#trace-note", "data-on") == "before"
    page.click("#step")
    page.wait_for_selector("#examples[data-value='2']", timeout=WAIT)
    wait_state(page, "paused")
    learned = run.watcher.session.snapshot
    for k in outgoing:
        cell = f"#updates [data-key='new'][data-parameter='{first.targets[k]}']"
        row = page.locator(cell).locator("xpath=..")
        assert float(row.locator("[data-key='old']").get_attribute("data-value")) == first.weights[k]
        assert float(page.get_attribute(cell, "data-value")) == learned.weights[k]
        assert float(row.locator("[data-key='change']").get_attribute("data-value")) == pytest.approx(
            learned.weights[k] - first.weights[k], rel=1e-12)
    bias = page.locator("#updates [data-key='new'][data-parameter='bias']")
    assert float(bias.get_attribute("data-value")) == learned.biases[n]
    assert learned.weights[outgoing[0]] != first.weights[outgoing[0]]  # it did learn something
    # once the run is over it has learned from every example: a trace says it starts from those weights
    page.click("#resume")
    wait_state(page, "finished")
    page.click("#trace")
    page.wait_for_selector("#trace-note[data-on='now']", timeout=WAIT)
    assert "already learned" in page.inner_text("#trace-note")
