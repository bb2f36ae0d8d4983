"""The web side of the live view: a Starlette app on uvicorn, in a background thread.

The page gets its pictures as server-sent events (`/events`), the messages of an example from
`/trace`, and steers the training with `POST /control`. Nothing else changes anything, and nothing
is served but the package's own static files; `guard.py` says who may ask.
"""

from __future__ import annotations

import json
import secrets
import socket
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import messages
from .guard import SameOrigin, is_loopback, read_control
from .pictures import Pictures
from .session import Curve, Session

STATIC = Path(__file__).parent / "static"
FRAME_EVERY = 0.2  # seconds: the fastest the page is redrawn
FRAME_SHARE = 0.05  # and at most this share of the time goes into building frames
FRAME_LONGEST = 1.0  # seconds: however slow the frames, one a second at least
HEARTBEAT = 5.0  # seconds between keep-alive comments on a quiet stream
STARTING = 10.0  # seconds the server may take to start


class Watcher:
    """A training run served as a live page. Pass `on_progress` to `Network.fit`; `finish()` after."""

    def __init__(self, session: Session, pictures: Pictures) -> None:
        self.generation = -1  # counts the runs served: a new one is a new network for the page
        self.on_restart: Any = None  # set by a Playground: called with the settings the page asks for
        self.closing = False
        self.viewers = 0  # pages whose event stream is open
        self.address = ""
        self._lock = threading.Lock()
        self._frame_cost = 0.0  # seconds the last frame took to build
        self._stirred = threading.Event()  # a new run is served, or the server closes: the painter looks again
        self.swap(session, pictures, None)
        self.token: str | None = None  # asked of every request beyond the loopback
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._painter: threading.Thread | None = None

    # -- for the training loop ---------------------------------------------------------------------

    def on_progress(self, epoch: int, board: Any) -> float | None:
        """Give this to `Network.fit(on_progress=...)`."""
        return self.session.on_progress(epoch, board)

    def swap(self, session: Session, pictures: Pictures, settings: dict[str, Any] | None) -> None:
        """Serve this run from now on (the first, or one the page restarted): its network, session, curves.

        `settings` are the playground's, when the page may restart the run with others.
        """
        with self._lock:
            bp = session.snapshot
            self.session, self.pictures = session, pictures
            # messages/s is computed, not counted (fit's progress does not carry the runtime's count): one
            # message per synapse each way, the feeder's and the teacher's, and the desired outputs, per
            # example or batch; tests check this against the runtime's count over a pass
            self.messages_per_call = 2 * len(bp.sources) + 2 * len(bp.sensors) + 2 * len(bp.outputs) + 1
            self.network = {**pictures.network(bp), "messages_per_example": self.messages_per_call,
                            "shards": None, "partition": None,  # shards: each neuron's, when it runs on shards
                            "playground": settings}
            self.held_curve = Curve("loss", "accuracy")
            self._held: tuple[Any, dict | None] = (None, None)  # the snapshot last scored on the held-out set
            self._frame: dict[str, Any] | None = None
            self._built = (-1, 0.0)  # the session version and time of the last frame
            self._readings: deque = deque()  # (time, examples, calls) over the last two seconds
            self.held_out()  # the untrained network's score: where the held-out curve starts
            self.generation += 1  # last: whoever sees the new run sees it whole
        self._stirred.set()

    def hold(self) -> None:
        """Call before `fit`: a run that starts paused waits here for the page."""
        self.session.hold()

    def finish(self, message: str = "", failed: bool = False) -> None:
        """The run is over (or `failed`, with a message); pages still open say so."""
        self.session.finish(message, failed)

    # -- pictures ----------------------------------------------------------------------------------

    def held_out(self) -> dict[str, Any] | None:
        """The current snapshot's held-out score; each new snapshot adds a point to the held-out curve."""
        snapshot, examples = self.session.snapshot, self.session.examples
        if snapshot is not self._held[0]:
            score = self.pictures.held_out_score(snapshot)
            self._held = (snapshot, score)
            if score is not None:
                self.held_curve.add(examples, **score)
        return self._held[1]

    def _paint(self) -> None:
        """Keeps the held-out curve growing from the first example, whether or not a page is open. A run
        without held-out examples gives it nothing to do: it sleeps until another run is served."""
        version = -1
        while not self.closing:
            if self.pictures.held_out is None:
                self._stirred.wait()
                self._stirred.clear()
                continue
            version = self.session.wait_for_change(version, HEARTBEAT)
            with self._lock:
                self.held_out()
            time.sleep(FRAME_EVERY)

    def frame(self) -> dict[str, Any]:
        """The latest picture of the run; redrawn when something changed, at most every FRAME_EVERY s
        and with at most FRAME_SHARE of the time spent building frames (the training shares the GIL)."""
        with self._lock:
            figures = self.session.figures()
            version, built_at = self._built
            now = time.monotonic()
            if self._frame is not None and (figures["version"] == version or (
                    now - built_at < max(FRAME_EVERY, min(FRAME_LONGEST, self._frame_cost / FRAME_SHARE))
                    and figures["state"] == self._frame["state"]
                    and figures["blocked"] == self._frame["blocked"])):
                return self._frame
            # read after the figures: a newer example than their version says is redrawn, never an older
            frame = self.pictures.frame(self.session.snapshot, self.session.last_scored())
            frame.update(figures)
            frame.update(self._rates(now, figures))
            frame["held_out"] = self.held_out()
            with self.session.changed:
                frame["curve"] = {"train": {k: list(v) for k, v in self.session.curve.points.items()},
                                  "held": {k: list(v) for k, v in self.held_curve.points.items()}}
            self._frame, self._built = frame, (figures["version"], now)
            self._frame_cost = time.monotonic() - now
            return frame

    def _rates(self, now: float, figures: dict) -> dict[str, float | None]:
        readings = self._readings
        readings.append((now, figures["examples"], figures["calls"]))
        while len(readings) > 2 and now - readings[0][0] > 2.0:
            readings.popleft()
        then, examples, calls = readings[0]
        seconds = now - then
        if figures["state"] != "running" or seconds <= 0:
            return {"examples_per_second": 0.0, "messages_per_second": 0.0 if figures["engine"] == "actors" else None}
        per_second = (figures["calls"] - calls) / seconds
        return {"examples_per_second": (figures["examples"] - examples) / seconds,
                "messages_per_second": per_second * self.messages_per_call if figures["engine"] == "actors" else None}

    def trace(self, example: int | None = None, in_flight: int = 1, neuron: int | None = None) -> dict[str, Any]:
        """The messages of `example` (the current one by default) and the next `in_flight - 1` rows.

        The example just scored, alone, is traced on the weights the run learned it from when they are
        known (the run was let go from a pause for it), so that its updates are the run's own; any
        other trace starts from the weights as they are now, and says so ("on").
        """
        with self._lock:
            session = self.session
            with session.changed:
                scored, before, calls = session.last_scored(), session.learned_from(), session.scored
                last_call = len(calls[-1][0]) if calls else 0
                rate = session.learning_rate
                if before is not None and scored and (example is None or example == scored[0][0]) \
                        and in_flight == 1 and last_call == 1:
                    snapshot, on, rate = before, "before", session.scored_rate
                else:
                    snapshot, on = session.snapshot, "now"
            example = (scored[0][0] if scored else 0) if example is None else example
            pictures = self.pictures
            rows = len(pictures.x)
            examples = [(example + k) % rows for k in range(min(in_flight, rows))]
            rate = rate or snapshot.training.get("learning_rate", 0.1)
            traced = messages.trace(snapshot, pictures.x, pictures.targets, pictures.classes(snapshot), examples,
                                    rate, neuron)
            return {**traced, "on": on, "generation": self.generation}

    # -- serving -----------------------------------------------------------------------------------

    def start(self, host: str, port: int) -> str:
        """Bind (port 0: a free one), serve in a daemon thread, and return the page's address.

        Beyond the loopback the address carries a random token that every request must show.
        A ValueError with one line says why it cannot serve; nothing is left open then.
        """
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = None
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host.strip("[]"), port))
        except OSError as bad:
            if sock is not None:
                sock.close()
            raise ValueError(f"cannot serve on {host}:{port}: {bad.strerror or bad}") from None
        port = sock.getsockname()[1]
        shown = f"[{host.strip('[]')}]" if family == socket.AF_INET6 else host
        self.address = f"http://{shown}:{port}/"
        allowed = None if not is_loopback(host) else {f"{name}:{port}" for name in (
            "127.0.0.1", "localhost", "[::1]", shown)}
        if allowed is None:
            self.token = secrets.token_urlsafe(16)
            self.address += f"?token={self.token}"
        app = SameOrigin(build_app(self), allowed, port, self.token)
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                                timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        failures: list[BaseException] = []
        self._thread = threading.Thread(target=self._serve, args=(sock, failures), name="exmachina-watch",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTING
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._server.started:
            failure = next((f for f in failures if not isinstance(f, SystemExit)), None)
            reason = (f"the server stopped while starting ({type(failure).__name__}: {failure})" if failure
                      else "the server stopped while starting" if not self._thread.is_alive()
                      else f"the server did not start within {STARTING:g} s")
            self.close()  # stops the thread if it is still trying
            sock.close()
            raise ValueError(f"cannot serve on {host}:{port}: {reason}")
        self._painter = threading.Thread(target=self._paint, name="exmachina-watch-painter", daemon=True)
        self._painter.start()
        return self.address

    def _serve(self, sock: socket.socket, failures: list[BaseException]) -> None:
        """The server thread: a failure is kept for `start` to report, not printed as a traceback."""
        try:
            self._server.run(sockets=[sock])
        except BaseException as bad:  # uvicorn may even call sys.exit when it cannot start
            if self._server.started:
                raise  # a failure after the start is not start's to report
            failures.append(bad)

    def close(self) -> None:
        """Stop serving; a paused training goes on."""
        self.closing = True
        self._stirred.set()
        self.session.close()
        if self._server is not None:
            self._server.should_exit = True
        for thread in (self._thread, self._painter):
            if thread is not None:
                thread.join(5)

    def serve_until_interrupted(self, say: Any) -> None:
        """Keep the final state on the page until Ctrl-C (the run is over; the server is not)."""
        try:
            say(f"the run is over; its page keeps the final state at {self.address} until Ctrl-C")
            while True:
                time.sleep(0.5)
        except KeyboardInterrupt:
            say("stopped")
        finally:
            self.close()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def build_app(watcher: Watcher) -> Any:
    """The routes: the page, its static files, the event stream, the traces and the controls."""

    async def index(request: Request) -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    async def events(request: Request) -> StreamingResponse:
        async def stream():
            watcher.viewers += 1  # (the event loop's one thread counts)
            watcher.session.page_opened()
            try:
                async for chunk in frames():
                    yield chunk
            finally:
                watcher.viewers -= 1

        async def frames():
            generation = None
            while not watcher.closing:
                if watcher.generation != generation:  # the first, or the page restarted the run
                    generation = watcher.generation
                    yield f"event: network\ndata: {json.dumps({**watcher.network, 'generation': generation})}\n\n"
                    sent, weights_sent, quiet = None, None, time.monotonic()
                frame = await anyio.to_thread.run_sync(watcher.frame)
                if frame["version"] != sent:
                    sent, quiet = frame["version"], time.monotonic()
                    if frame["snapshot"] == weights_sent:  # only what changed: the weights have not
                        frame = {k: v for k, v in frame.items() if k not in ("weights", "biases")}
                    weights_sent = frame["snapshot"]
                    yield f"event: frame\ndata: {json.dumps(frame)}\n\n"
                elif time.monotonic() - quiet > HEARTBEAT:
                    quiet = time.monotonic()
                    yield ": still here\n\n"
                await anyio.sleep(FRAME_EVERY / 2)
            yield "event: closed\ndata: {}\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"X-Accel-Buffering": "no"})

    async def trace(request: Request) -> JSONResponse:
        asked = {}
        for name in ("example", "in_flight", "neuron"):
            value = request.query_params.get(name)
            if value is not None:
                if not value.isdigit() or len(value) > 9:
                    return JSONResponse({"error": f"{name} must be a whole number, got {value[:20]!r}"},
                                        status_code=400)
                asked[name] = int(value)
        try:
            return JSONResponse(await anyio.to_thread.run_sync(lambda: watcher.trace(**asked)))
        except ValueError as bad:
            return JSONResponse({"error": str(bad)}, status_code=400)

    async def control(request: Request) -> JSONResponse:
        body, refusal = await read_control(request)
        if refusal is not None:
            return refusal
        if body["action"] == "restart":
            if watcher.on_restart is None:
                return JSONResponse({"error": "this run cannot be restarted from the page (start one with "
                                              "exmachina watch --data SET, with no model)"}, status_code=400)
            try:
                await anyio.to_thread.run_sync(watcher.on_restart, body.get("value"))
            except ValueError as bad:
                return JSONResponse({"error": str(bad)}, status_code=400)
            return JSONResponse({"ok": True})
        if body["action"] == "open":  # a page opened an address with other settings than the run's
            if watcher.on_restart is None:
                return JSONResponse({"error": "this run is not a playground: its address carries no settings"},
                                    status_code=400)
            if watcher.viewers > 1:
                others = watcher.viewers - 1
                return JSONResponse({"error": f"this address asks for other settings than the run being served, "
                                              f"which {others} other page{'s are' if others > 1 else ' is'} "
                                              "watching: it was not restarted for them; press restart to start "
                                              "these settings for everyone"}, status_code=409)
            try:
                await anyio.to_thread.run_sync(watcher.on_restart, body.get("value"))
            except ValueError as bad:
                return JSONResponse({"error": str(bad)}, status_code=400)
            return JSONResponse({"ok": True})
        try:
            watcher.session.control(body["action"], body.get("value"))
        except ValueError as bad:
            finished = watcher.session.state in ("finished", "failed", "closed")
            return JSONResponse({"error": str(bad)}, status_code=409 if finished else 400)
        if body["action"] == "learning_rate" and watcher.network["playground"] is not None:
            watcher.network["playground"]["learning_rate"] = float(body["value"])  # one rate: the run's, kept
        return JSONResponse({"ok": True, **watcher.session.figures()})

    routes = [
        Route("/", index),
        Route("/events", events),
        Route("/trace", trace),
        Route("/control", control, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes)


def serve(net: Any, inputs: Any, targets: Any, held_out: tuple | None = None, host: str = "127.0.0.1",
          port: int = 0, learning_rate: float | None = None, epochs: int | None = None,
          engine: str = "actors", paused: bool = False, shape: tuple[int, int] | None = None,
          quiet: bool = False, shards: int | None = None, partition: str = "spread",
          wait_for_page: bool = False, replayable: bool = True) -> Watcher:
    """Serve the live view of `net` learning `inputs` -> `targets`, and print its address.

    `held_out` = (inputs, targets) adds held-out curves; `shape` = (rows, columns) draws the inputs
    as images (guessed for 64, 256 and 784 sensors); `shards` and `partition`, as given to `fit`,
    let the page show the shard each neuron lives on; `wait_for_page` holds the run (in `hold`) until a
    page is open, so that a run is not over before anybody sees it; `replayable` says whether a trace
    of one example makes the run's own update (not with noise, several examples in flight, or
    shards: then a trace says it starts from the weights as they are). Returns the running `Watcher`.
    """
    session = Session(net, learning_rate, epochs, paused, engine, wait_for_page and not paused,
                      replayable and shards is None)
    watcher = Watcher(session, Pictures(session.snapshot, inputs, targets, held_out, shape))
    if shards is not None:  # the same placement `fit` computes, without Ray
        from ..shards.placement import place

        home = place(session.snapshot, shards, partition)
        watcher.network.update(shards=home[:session.snapshot.size].tolist(), partition=partition)
    address = watcher.start(host, port)
    if not is_loopback(host) and not quiet:
        print(f"warning: serving on {host}, not on the loopback: anyone who can reach it and has the "
              "token in the address below can watch, pause and steer the training (without the token "
              "a page from another site, even one that renames itself to this address, cannot)",
              file=sys.stderr, flush=True)
    if not quiet:
        print(f"watch it learn at {address}", file=sys.stderr, flush=True)
        if paused:
            print("paused: press resume (or step) on the page to start", file=sys.stderr, flush=True)
        elif wait_for_page:
            print("waiting for a page to open at that address before learning", file=sys.stderr, flush=True)
    return watcher
