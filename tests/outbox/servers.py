"""Real servers on loopback for the delivery tests: an SMTP server (aiosmtpd) that keeps every raw
message and can be stopped and started again on the same port, and an HTTP webhook receiver that
checks each request's signature the way a shop's backend would."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from reviews_service.outbox import webhooks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SMTP ----------------------------------------------------------------------------------------

class _Keep:
    def __init__(self, store: list[bytes]):
        self.store = store

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.store.append(envelope.original_content or envelope.content)
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1:<port>; `messages` holds the raw bytes of everything accepted."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[bytes] = []
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(_Keep(self.messages), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """An outage: nothing listens on the port until `start()`."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


# --- webhooks ------------------------------------------------------------------------------------

@dataclass
class Delivery:
    event_id: str
    headers: dict[str, str]
    body: dict
    valid: bool


@dataclass
class WebhookReceiver:
    """A shop's endpoint: verifies `Reviews-Signature` with `secret`, records what came in, and can
    answer 500 `fail_next` more times or stall `stall_seconds` (longer than the client waits)."""

    secret: str = ""
    fail_next: int = 0
    stall_seconds: float = 0.0
    # Hold every request until two are in flight at once: proof that two senders overlap.
    wait_for_company: bool = False
    company: threading.Event = field(default_factory=threading.Event)
    deliveries: list[Delivery] = field(default_factory=list)
    port: int = 0
    host: str = "127.0.0.1"
    ssl_context: ssl.SSLContext | None = None  # serve HTTPS with this context's certificate
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _released: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.ssl_context else 'http'}://{self.host}:{self.port}/hooks"

    @property
    def event_ids(self) -> list[str]:
        with self._lock:
            return [d.event_id for d in self.deliveries if d.valid]

    def _answer(self, raw: bytes, headers: dict[str, str]) -> tuple[int, float]:
        valid = bool(self.secret) and webhooks.verify(self.secret, raw,
                                                      headers.get(webhooks.SIGNATURE_HEADER, ""))
        with self._lock:
            self.deliveries.append(Delivery(headers.get(webhooks.EVENT_HEADER, ""), headers,
                                            json.loads(raw), valid))
            if not valid:
                return 400, 0.0
            if self.fail_next:
                self.fail_next -= 1
                return 500, 0.0
            return 200, self.stall_seconds

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver._in_flight += 1
                    if receiver._in_flight >= 2:
                        receiver.company.set()
                try:
                    if receiver.wait_for_company:
                        # Less than the sender's 10 s timeout: a late partner fails the test's
                        # check of `company`, not the delivery.
                        receiver.company.wait(8)
                    status, stall = receiver._answer(raw, dict(self.headers.items()))
                    if stall:
                        receiver._released.wait(stall)
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the client gave up waiting: that is the point of stalling
                    pass
                finally:
                    with receiver._lock:
                        receiver._in_flight -= 1

            def log_message(self, *_args):
                pass

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        if self.ssl_context is not None:
            self._server.socket = self.ssl_context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._released.set()
        self.company.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
