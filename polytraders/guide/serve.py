"""Serve a built guide folder over HTTP on 127.0.0.1 (standard library ``http.server``)."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files from the site folder; one log line per request only when ``verbose``."""

    verbose = False

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base signature
        if self.verbose:
            super().log_message(format, *args)


def make_server(site_dir: Path, port: int = DEFAULT_PORT, *, verbose: bool = False) -> ThreadingHTTPServer:
    """An HTTP server for ``site_dir`` bound to 127.0.0.1:``port`` (0 picks a free port), not yet serving."""
    if not (site_dir / "index.html").is_file():
        raise FileNotFoundError(f"no built guide in {site_dir} (index.html missing): run `polytraders guide build`")
    handler = type("GuideHandler", (_QuietHandler,), {"verbose": verbose})
    return ThreadingHTTPServer((HOST, port), functools.partial(handler, directory=str(site_dir)))


def serve_in_thread(site_dir: Path, port: int = 0) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Start serving ``site_dir`` in a daemon thread; stop with ``server.shutdown()``."""
    server = make_server(site_dir, port)
    thread = threading.Thread(target=server.serve_forever, name="guide-http", daemon=True)
    thread.start()
    return server, thread
