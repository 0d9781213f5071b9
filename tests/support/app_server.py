"""Serve an ASGI app with uvicorn in a thread on a free loopback port while a test needs it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from tests.conftest import free_port


@contextmanager
def serve_in_thread(app: Any, **config: Any) -> Iterator[int]:
    """Run `app` on 127.0.0.1 and yield its port; stop it on exit."""
    port = free_port()
    runner = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config)
    )
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    while not runner.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield port
    finally:
        runner.should_exit = True
        thread.join(timeout=10)
