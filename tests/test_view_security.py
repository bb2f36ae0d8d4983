"""The live view's control endpoint against what anyone may post: bounded bodies, bounded nesting,
sane learning rates, never a traceback, and a token beyond the loopback. Each on a real server.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
from contextlib import contextmanager

import pytest

from exmachina import Network

from test_cli import environment
from viewing import WAIT, wait_state


def answer(address: str, method: str, path: str, headers: dict, body: bytes | str | None = None) -> tuple[int, str]:
    host, port = re.match(r"http://([^/]+):(\d+)/", address).groups()
    connection = http.client.HTTPConnection("127.0.0.1" if host == "0.0.0.0" else host, int(port), timeout=10)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    status, text = response.status, response.read().decode("utf-8", "replace")
    connection.close()
    return status, text


@contextmanager
def watching(tmp_path, *options: str):
    """`exmachina watch` learning a small model, paused, in a subprocess; yields (address, stderr lines)."""
    model = tmp_path / "model.json"
    Network.layered([2, 3, 1], loss="squared", seed=0).save(model)
    process = subprocess.Popen([sys.executable, "-m", "exmachina", "watch", str(model), "--data", "xor",
                                "--epochs", "5", "--paused", *options],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=tmp_path,
                               env=environment())
    said = []
    try:
        while not said or "watch it learn at" not in said[-1]:
            line = process.stderr.readline()
            assert line, "".join(said)
            said.append(line)
        yield re.search(r"http://\S+", said[-1]).group(0), said
    finally:
        process.send_signal(signal.SIGINT)
        said.extend(process.stderr.read().splitlines(keepends=True))
        assert process.wait(20) == 130, "".join(said)  # served until Ctrl-C: 128 + SIGINT, as any command stops
        assert "Traceback" not in "".join(said), "".join(said)


@pytest.mark.subprocess
def test_whatever_is_posted_is_a_status_and_a_line_never_a_traceback(tmp_path):
    with watching(tmp_path) as (address, said):
        own = {"Content-Type": "application/json", "Origin": address.rstrip("/")}
        cases = [
            (b"x" * 5000, 413),  # too big
            (json.dumps({"action": "pause", "value": "y" * 5000}), 413),
            (b"[" * 5000, 413),
            (b"[" * 2000 + b"]" * 2000, 400),  # deep: within the size, beyond any sane nesting
            (b'{"action": "pause", "value": ' + b"[" * 900 + b"]" * 900 + b"}", 400),
            (json.dumps({"action": "pause", "value": [[[[1]]]]}), 400),
            (b"\xff\xfe\x00 not utf-8", 400),
            (b"", 400),
            (b"null", 400),
            (b"[]", 400),
            (json.dumps({"action": 7}), 400),
            (json.dumps({"action": ["pause"]}), 400),
            (json.dumps({"action": "learning_rate", "value": 1e-9}), 400),  # too small to be meant
            (json.dumps({"action": "learning_rate", "value": 11}), 400),
            (json.dumps({"action": "learning_rate", "value": 1e308}), 400),
            (b'{"action": "learning_rate", "value": NaN}', 400),
            (b'{"action": "learning_rate", "value": Infinity}', 400),
            (json.dumps({"action": "learning_rate", "value": "0.5"}), 400),
            (json.dumps({"action": "learning_rate", "value": True}), 400),
            (json.dumps({"action": "learning_rate", "value": {"a": 1}}), 400),
            (json.dumps({"action": "pace", "value": 10 ** 400}), 400),
            (json.dumps({"action": "\u0000" * 100}), 400),
            (json.dumps({"action": "pause"}), 200),
            (json.dumps({"action": "learning_rate", "value": 0.5}), 200),
            (json.dumps({"action": "pace", "value": 10}), 200),
        ]
        for body, expected in cases:
            status, text = answer(address, "POST", "/control", own, body)
            assert status == expected, (body[:60], status, text)
            assert len(text.splitlines()) == 1 and len(text) < 400, text
        status, text = answer(address, "POST", "/control", {**own, "Content-Length": "99999999"}, b"{}")
        assert status in (400, 413)  # a length that lies is refused, whatever the server makes of it
    assert "Traceback" not in "".join(said)


@pytest.mark.subprocess
def test_beyond_the_loopback_every_request_needs_the_printed_token(tmp_path, page):
    with watching(tmp_path, "--host", "0.0.0.0") as (address, said):
        warning = "".join(said)
        assert warning.startswith("warning: serving on 0.0.0.0") and "token" in warning
        token = re.search(r"\?token=([\w-]+)", address).group(1)
        assert len(token) >= 20
        port = re.search(r":(\d+)/", address).group(1)
        here = f"http://127.0.0.1:{port}"
        for path in ("/", "/events", "/flow"):
            assert answer(address, "GET", path, {})[0] == 403, path
            assert answer(address, "GET", f"{path}?token=wrong{token}", {})[0] == 403, path
        assert answer(address, "GET", "/static/app.js", {})[0] == 200  # the code is no secret
        pause = json.dumps({"action": "pause"})
        as_json = {"Content-Type": "application/json"}
        # a DNS-rebinding page: its own name for this address, its own origin, but no token
        rebound = {**as_json, "Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}
        assert answer(address, "POST", "/control", rebound, pause)[0] == 403
        assert answer(address, "POST", "/control", {**rebound, "X-Exmachina-Token": "guess"}, pause)[0] == 403
        assert answer(address, "GET", f"/?token={token}", {"Host": "evil.example"})[0] == 403  # not our port
        with_token = {**as_json, "Origin": here, "X-Exmachina-Token": token}
        status, text = answer(address, "POST", "/control", with_token, json.dumps({"action": "resume"}))
        assert status == 200, text
        # the page itself, opened at the printed address, carries the token in what it asks
        page.goto(f"{here}/?token={token}")
        page.wait_for_selector("#network .neuron", timeout=WAIT)
        wait_state(page, "finished")
