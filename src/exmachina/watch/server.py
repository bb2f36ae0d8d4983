"""The web side of the live view: a Starlette app on uvicorn, in a background thread.

The page gets its pictures as server-sent events (`/events`), the message flow of one example
from `/flow`, and steers the training with `POST /control`. Nothing else changes anything, and
nothing is served but the package's own static files. A request that names another origin (the
`Origin` header a browser adds to cross-site requests) is refused, a control without an `Origin`
too, and on a loopback address the `Host` header must name the loopback too (no DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import json
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
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .pictures import Pictures
from .session import Session

STATIC = Path(__file__).parent / "static"
FRAME_EVERY = 0.2  # seconds: the fastest the page is redrawn
HEARTBEAT = 5.0  # seconds between keep-alive comments on a quiet stream
STARTING = 10.0  # seconds the server may take to start
CURVE_POINTS = 400  # points kept per curve (older ones thinned out)
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Watcher:
    """A training run served as a live page. Pass `on_progress` to `Network.fit`; `finish()` after."""

    def __init__(self, session: Session, pictures: Pictures) -> None:
        self.session = session
        self.pictures = pictures
        bp = session.snapshot
        # messages/s is computed, not counted (fit's progress does not carry the runtime's count): one
        # message per synapse each way, the feeder's and the teacher's, and the desired outputs, per
        # example or batch; tests check this against the runtime's count over a pass
        self.messages_per_call = 2 * len(bp.sources) + 2 * len(bp.sensors) + 2 * len(bp.outputs) + 1
        self.network = {**pictures.network(bp), "messages_per_example": self.messages_per_call,
                        "shards": None, "partition": None}  # shards: each neuron's, when it runs on shards
        self.closing = False
        self.address = ""
        self._lock = threading.Lock()
        self._frame: dict[str, Any] | None = None
        self._built = (-1, 0.0)  # the session version and time of the last frame
        self._examples = -1
        self._readings: deque = deque()  # (time, examples, calls) over the last two seconds
        self.curve: dict[str, list] = {k: [] for k in ("examples", "loss", "accuracy", "held_loss", "held_accuracy")}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- for the training loop ---------------------------------------------------------------------

    def on_progress(self, epoch: int, board: Any) -> float | None:
        """Give this to `Network.fit(on_progress=...)`."""
        return self.session.on_progress(epoch, board)

    def finish(self, message: str = "", failed: bool = False) -> None:
        """The run is over (or `failed`, with a message); pages still open say so."""
        self.session.finish(message, failed)

    # -- pictures ----------------------------------------------------------------------------------

    def frame(self) -> dict[str, Any]:
        """The latest picture of the run; redrawn when something changed, at most every FRAME_EVERY s."""
        with self._lock:
            figures = self.session.figures()
            version, built_at = self._built
            now = time.monotonic()
            if self._frame is not None and (figures["version"] == version or (
                    now - built_at < FRAME_EVERY and figures["state"] == self._frame["state"]
                    and figures["blocked"] == self._frame["blocked"])):
                return self._frame
            advance = figures["examples"] != self._examples
            self._examples = figures["examples"]
            # read after the figures: a newer example than their version says is redrawn, never an older
            frame = self.pictures.frame(self.session.snapshot, self.session.last_scored())
            frame.update(figures)
            frame.update(self._rates(now, figures))
            if advance and figures["examples"]:
                self._extend_curve(figures, frame["held_out"])
            frame["curve"] = self.curve
            frame["flow_ready"] = True
            self._frame, self._built = frame, (figures["version"], now)
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

    def _extend_curve(self, figures: dict, held: dict | None) -> None:
        curve = self.curve
        for key, value in (("examples", figures["examples"]), ("loss", figures["loss"]),
                           ("accuracy", figures["accuracy"]), ("held_loss", held and held["loss"]),
                           ("held_accuracy", held and held["accuracy"])):
            curve[key].append(value)
        if len(curve["examples"]) > CURVE_POINTS:  # keep the first and last, thin out the middle
            for key in curve:
                curve[key] = curve[key][::2] + ([curve[key][-1]] if len(curve[key]) % 2 == 0 else [])

    def flow(self) -> dict[str, Any]:
        """The message flow of the current example (the first one, before any is scored)."""
        with self._lock:
            scored = self.session.last_scored()
            index = scored[0][0] if scored else 0
            return self.pictures.flow(self.session.snapshot, index, self.session.learning_rate)

    # -- serving -----------------------------------------------------------------------------------

    def start(self, host: str, port: int) -> str:
        """Bind (port 0: a free one), serve in a daemon thread, and return the page's address.

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
        app = build_app(self, allowed)
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
        self.session.close()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class SameOrigin:
    """ASGI guard: refuse other origins and foreign Host names; add security headers to answers."""

    def __init__(self, app: Any, allowed_hosts: set[str] | None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts  # None: bound to a public address, any Host name

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self.refusal(scope["method"], headers)
        if refusal:
            response = PlainTextResponse(refusal, status_code=403, headers=HEADERS)
            return await response(scope, receive, send)

        async def secured(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + [
                    (k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
            await send(message)

        await self.app(scope, receive, secured)

    def refusal(self, method: str, headers: dict[str, str]) -> str:
        host = headers.get("host", "")
        if self.allowed_hosts is not None and host not in self.allowed_hosts:
            return f"refused: unknown host {host!r}"
        origin = headers.get("origin")
        if origin is not None and origin != f"http://{host}":
            return f"refused: requests from {origin} are not allowed"
        if method not in ("GET", "HEAD") and origin is None:
            return "refused: a control must come from the page (no Origin header)"
        if headers.get("sec-fetch-site") not in (None, "same-origin", "none"):
            return "refused: cross-site request"
        return ""


def build_app(watcher: Watcher, allowed_hosts: set[str] | None) -> Any:
    """The routes: the page, its static files, the event stream, the flow and the controls."""

    async def index(request: Request) -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    async def events(request: Request) -> StreamingResponse:
        async def stream():
            yield f"event: network\ndata: {json.dumps(watcher.network)}\n\n"
            sent, quiet = None, time.monotonic()
            while not watcher.closing:
                frame = await anyio.to_thread.run_sync(watcher.frame)
                if frame["version"] != sent:
                    sent, quiet = frame["version"], time.monotonic()
                    yield f"event: frame\ndata: {json.dumps(frame)}\n\n"
                elif time.monotonic() - quiet > HEARTBEAT:
                    quiet = time.monotonic()
                    yield ": still here\n\n"
                await anyio.sleep(FRAME_EVERY / 2)
            yield "event: closed\ndata: {}\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"X-Accel-Buffering": "no"})

    async def flow(request: Request) -> JSONResponse:
        return JSONResponse(await anyio.to_thread.run_sync(watcher.flow))

    async def control(request: Request) -> JSONResponse:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return JSONResponse({"error": "send the control as application/json"}, status_code=415)
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "the control is not valid JSON"}, status_code=400)
        if not isinstance(body, dict) or not isinstance(body.get("action"), str):
            return JSONResponse({"error": 'expected {"action": "pause" | "resume" | "step" | "learning_rate"}'},
                                status_code=400)
        try:
            watcher.session.control(body["action"], body.get("rate"))
        except ValueError as bad:
            finished = watcher.session.state in ("finished", "failed", "closed")
            return JSONResponse({"error": str(bad)}, status_code=409 if finished else 400)
        return JSONResponse({"ok": True, **watcher.session.figures()})

    routes = [
        Route("/", index),
        Route("/events", events),
        Route("/flow", flow),
        Route("/control", control, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return SameOrigin(Starlette(routes=routes), allowed_hosts)


def serve(net: Any, inputs: Any, targets: Any, held_out: tuple | None = None, host: str = "127.0.0.1",
          port: int = 0, learning_rate: float | None = None, epochs: int | None = None,
          engine: str = "actors", paused: bool = False, shape: tuple[int, int] | None = None,
          quiet: bool = False, shards: int | None = None, partition: str = "spread") -> Watcher:
    """Serve the live view of `net` learning `inputs` -> `targets`, and print its address.

    `held_out` = (inputs, targets) adds held-out curves; `shape` = (rows, columns) draws the inputs
    as images (guessed for 64, 256 and 784 sensors); `shards` and `partition`, as given to `fit`,
    let the page show the shard each neuron lives on. Returns the running `Watcher`.
    """
    session = Session(net, learning_rate, epochs, paused, engine)
    watcher = Watcher(session, Pictures(session.snapshot, inputs, targets, held_out, shape))
    if shards is not None:  # the same placement `fit` computes, without Ray
        from ..runtimes.placement import place

        home = place(session.snapshot, shards, partition)
        watcher.network.update(shards=home[:session.snapshot.size].tolist(), partition=partition)
    if not is_loopback(host) and not quiet:
        print(f"warning: serving on {host}, not on the loopback: anyone who can reach it can watch, "
              "pause and steer the training", file=sys.stderr, flush=True)
    address = watcher.start(host, port)
    if not quiet:
        print(f"watch it learn at {address}", file=sys.stderr, flush=True)
    return watcher
