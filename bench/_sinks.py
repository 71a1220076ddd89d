"""Where the scale-out bench's outbox deliveries land: a webhook receiver and an SMTP sink on
loopback, in a process of their own (so that the bench's client threads do not hold up the
arrival clock), writing one line per delivery to a file as it arrives.

Each line is tab-separated: `webhook <Reviews-Event-Id> <event type> <arrival unix time>` or
`email <Message-ID> <recipient> <arrival unix time>`. Nothing is verified or deduplicated: a
duplicate delivery must show up as a second line.

Run: python bench/_sinks.py OUTFILE   (prints "ready <webhook port> <smtp port>", then serves
until SIGTERM)
"""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading
import time
from email.parser import BytesHeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Log:
    """Appends one line per delivery, flushed at once, so that the bench can read it any time."""

    def __init__(self, path: str):
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the process's life
        self.lock = threading.Lock()

    def write(self, *fields: str) -> None:
        line = "\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields)
        with self.lock:
            self.file.write(line + "\n")
            self.file.flush()


def webhook_handler(log: Log):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the worker's session reuses its connection

        def do_POST(self):  # noqa: N802 - http.server's hook name
            arrived = time.time()
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                event_type = str(json.loads(body).get("type", ""))
            except ValueError:
                event_type = "(not JSON)"
            log.write("webhook", self.headers.get("Reviews-Event-Id", ""), event_type, f"{arrived:.6f}")
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args):
            pass

    return Handler


class Mailbox:
    def __init__(self, log: Log):
        self.log = log

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        arrived = time.time()
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        self.log.write("email", headers.get("Message-ID", ""), ",".join(envelope.rcpt_tos), f"{arrived:.6f}")
        return "250 OK"


def main(path: str) -> None:
    log = Log(path)
    http = ThreadingHTTPServer(("127.0.0.1", 0), webhook_handler(log))
    http.daemon_threads = True
    smtp = Controller(Mailbox(log), hostname="127.0.0.1", port=free_port())
    smtp.start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=http.serve_forever, daemon=True).start()
    print(f"ready {http.server_address[1]} {smtp.port}", flush=True)
    stop.wait()
    http.shutdown()
    smtp.stop()


if __name__ == "__main__":
    main(sys.argv[1])
