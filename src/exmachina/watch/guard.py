"""What stands between the live view and anyone who can reach it.

A request that names another origin (the `Origin` header a browser adds to cross-site requests) is
refused, a control without an `Origin` too, and on a loopback address the `Host` header must name
the loopback too (no DNS rebinding). Beyond the loopback the `Host` must carry the server's port and
every request but the static files a random token, printed with the address: a page from elsewhere
cannot guess it. A control is at most `BODY_LIMIT` bytes of JSON nested at most `DEPTH_LIMIT` deep,
and whatever is posted, the answer is a status and a line, never a traceback.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse

BODY_LIMIT = 4096  # bytes a control may have
DEPTH_LIMIT = 3  # how deeply a control's JSON may nest: settings holding a list of layers
TOKEN_HEADER = "x-exmachina-token"
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine's loopback (where no token is asked)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SameOrigin:
    """ASGI guard: refuse other origins, foreign Host names and a missing token; add security headers.

    Whatever fails behind it is answered with a 500 and one line, never a traceback.
    """

    def __init__(self, app: Any, allowed_hosts: set[str] | None, port: int, token: str | None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts  # None: bound beyond the loopback, any name with our port
        self.port = port
        self.token = token

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self.refusal(scope["method"], headers)
        if not refusal and self.token is not None and not scope["path"].startswith("/static/"):
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            shown = headers.get(TOKEN_HEADER) or query.get("token", "")
            if not secrets.compare_digest(shown.encode(), self.token.encode()):
                refusal = "refused: this server wants the token printed with its address"
        if refusal:
            response = PlainTextResponse(refusal, status_code=403, headers=HEADERS)
            return await response(scope, receive, send)
        started = False

        async def secured(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = list(message.get("headers", [])) + [
                    (k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
            await send(message)

        try:
            await self.app(scope, receive, secured)
        except Exception as bad:  # noqa: BLE001 - a line for the page, not a traceback on the terminal
            if not started:
                line = f"internal error: {type(bad).__name__}: {str(bad)[:200]}"
                await PlainTextResponse(line, status_code=500, headers=HEADERS)(scope, receive, send)

    def refusal(self, method: str, headers: dict[str, str]) -> str:
        host = headers.get("host", "")
        if self.allowed_hosts is not None and host not in self.allowed_hosts:
            return f"refused: unknown host {host[:100]!r}"
        if self.allowed_hosts is None and not host.endswith(f":{self.port}"):
            return f"refused: the host {host[:100]!r} does not name this server's port {self.port}"
        origin = headers.get("origin")
        if origin is not None and origin != f"http://{host}":
            return f"refused: requests from {origin[:100]} are not allowed"
        if method not in ("GET", "HEAD") and origin is None:
            return "refused: a control must come from the page (no Origin header)"
        if headers.get("sec-fetch-site") not in (None, "same-origin", "none"):
            return "refused: cross-site request"
        return ""


def nesting(body: bytes) -> int:
    """How deeply JSON text nests, read before parsing it (a parser recurses: the text could be deep)."""
    depth = deepest = 0
    quoted = escaped = False
    for byte in body:
        if quoted:
            escaped, quoted = (False, True) if escaped else (byte == 0x5C, byte != 0x22)
        elif byte == 0x22:
            quoted = True
        elif byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"]}":
            depth -= 1
    return deepest


async def read_control(request: Request) -> tuple[dict | None, JSONResponse | None]:
    """The control's JSON object, or the answer that refuses it: too big, not JSON, too deep."""
    def refuse(error: str, status: int = 400) -> tuple[None, JSONResponse]:
        return None, JSONResponse({"error": error}, status_code=status)

    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return refuse("send the control as application/json", 415)
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > BODY_LIMIT:
        return refuse(f"a control is at most {BODY_LIMIT} bytes", 413)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > BODY_LIMIT:
            return refuse(f"a control is at most {BODY_LIMIT} bytes", 413)
    if nesting(body) > DEPTH_LIMIT:
        return refuse(f"the control nests deeper than {DEPTH_LIMIT} levels")
    try:
        parsed = json.loads(body)
    except ValueError:
        return refuse("the control is not valid JSON")
    if not isinstance(parsed, dict) or not isinstance(parsed.get("action"), str):
        return refuse('expected {"action": "pause" | "resume" | "step" | "pace" | "learning_rate" | "restart"}')
    return parsed, None


