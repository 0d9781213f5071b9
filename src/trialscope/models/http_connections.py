"""HTTP/1.1 POSTs to a model's endpoints over reused keep-alive connections, through httpcore.

httpx's client builds a request object, runs auth, redirect and cookie handling and re-parses the
URL on every call; with an instant server that costs more CPU than the exchange itself. The
engine needs none of it: it POSTs bytes to a few fixed URLs. So each endpoint gets httpcore
connections, one per request in flight, reused (a shared pool scans every connection on every
request). Proxies set in the environment (HTTP_PROXY, HTTPS_PROXY,
ALL_PROXY, NO_PROXY) are honoured, as httpx honours them.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
import urllib.request
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import anyio.lowlevel
import certifi
import httpcore

from trialscope.models.asyncio_network import AsyncioBackend

TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.TimeoutException,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
    httpcore.ConnectionNotAvailable,
)
"""What a failed exchange raises (connection refused or reset, a broken response, a bad proxy)."""


@dataclass(frozen=True)
class HTTPReply:
    """A response: status, headers (names lower-cased) and the whole body."""

    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        """The body as text (replacing undecodable bytes)."""
        return self.content.decode("utf-8", errors="replace")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context (certifi's roots, as httpx uses) shared by every connection: building one
    reads the CA bundle, which costs more than a request."""
    return ssl.create_default_context(cafile=certifi.where())


def environment_proxy(url: str) -> httpcore.Proxy | None:
    """The proxy the environment sets for `url` (None when there is none or NO_PROXY skips it)."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    if "://" not in proxy:
        proxy = f"http://{proxy}"
    proxy_parts = urlsplit(proxy)
    auth = None
    if proxy_parts.username is not None:
        auth = (unquote(proxy_parts.username), unquote(proxy_parts.password or ""))
        netloc = proxy_parts.netloc.rpartition("@")[2]
        proxy = proxy_parts._replace(netloc=netloc).geturl()
    return httpcore.Proxy(proxy, auth=auth, ssl_context=tls_context())


Connection = httpcore.AsyncHTTPConnection | httpcore.AsyncConnectionPool


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


IDLE_CHECK_S = 1.0
"""A connection idle longer than this is checked for a server-side close before reuse (a poll
of its socket); checking every reuse cost as much as the rest of the exchange."""


class EndpointConnections:
    """Keep-alive connections to a fixed list of URLs; `post` sends one request on one of them.

    Direct endpoints use bare `httpcore.AsyncHTTPConnection`s (a pool's bookkeeping costs more
    CPU than the exchange with a fast local server); proxied ones a one-connection pool each.
    """

    def __init__(self, urls: list[str], headers: dict[str, str]) -> None:
        self._urls = [httpcore.URL(url) for url in urls]
        self._proxies = [environment_proxy(url) for url in urls]
        self._headers = [
            (name.encode("ascii"), value.encode("latin-1")) for name, value in headers.items()
        ]
        self._idle: list[list[tuple[Connection, float]]] = [[] for _ in urls]
        self._all: set[Connection] = set()
        self._network = AsyncioBackend()
        if _in_event_loop():
            # httpcore's first lock imports anyio's asyncio backend (20-40 ms, holding the
            # loop): done here, before the first requests, so they leave together.
            anyio.lowlevel.current_token()

    async def post(self, index: int, content: bytes) -> HTTPReply:
        """POST `content` to URL number `index`; raises one of TRANSPORT_ERRORS on failure."""
        connection = await self._reusable(index) or self._connect(index)
        try:
            response = await connection.request(
                b"POST", self._urls[index], headers=self._headers, content=content
            )
        except BaseException:
            # A connection that failed or was cancelled mid-exchange is not reused.
            await self._discard(connection)
            raise
        self._idle[index].append((connection, time.monotonic()))
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in response.headers
        }
        return HTTPReply(response.status, headers, response.content)

    async def _reusable(self, index: int) -> Connection | None:
        idle = self._idle[index]
        now = time.monotonic()
        while idle:
            connection, since = idle.pop()
            if isinstance(connection, httpcore.AsyncConnectionPool):
                return connection  # the pool checks its connection itself
            if connection.is_closed() or (now - since > IDLE_CHECK_S and connection.has_expired()):
                await self._discard(connection)
                continue
            return connection
        return None

    def _connect(self, index: int) -> Connection:
        proxy = self._proxies[index]
        connection: Connection
        if proxy is None:
            origin = self._urls[index].origin
            connection = httpcore.AsyncHTTPConnection(
                origin,
                # Plain http needs no context: building one reads the CA bundle (~30 ms).
                ssl_context=tls_context() if origin.scheme == b"https" else None,
                network_backend=self._network,
            )
        else:
            connection = httpcore.AsyncConnectionPool(
                ssl_context=tls_context(),
                proxy=proxy,
                max_connections=1,
                network_backend=self._network,
            )
        self._all.add(connection)
        return connection

    async def _discard(self, connection: Connection) -> None:
        self._all.discard(connection)
        await connection.aclose()

    async def aclose(self) -> None:
        """Close every connection."""
        connections, self._all = self._all, set()
        self._idle = [[] for _ in self._idle]
        for connection in connections:
            await connection.aclose()
