"""HTTP/1.1 POSTs to a model's endpoints over reused keep-alive connections.

httpx's client builds a request object, runs auth, redirect and cookie handling and re-parses the
URL on every call; with an instant server that costs more CPU than the exchange itself. The
engine needs none of it: it POSTs bytes to a few fixed URLs. So each endpoint gets connections of
its own, one per request in flight, reused: lock-free h11 connections for direct endpoints
(models/direct_connection.py), httpcore pools for proxied ones. Proxies set in the environment
(HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) are honoured, as httpx honours them.
"""

from __future__ import annotations

import functools
import ssl
import urllib.request
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import certifi
import httpcore

from trialscope.models.asyncio_network import AsyncioBackend
from trialscope.models.direct_connection import DirectConnection

TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    OSError,  # refused, reset, TLS failures, and DirectConnection's ConnectionBroken
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


Connection = DirectConnection | httpcore.AsyncConnectionPool

DEFAULT_PORTS = {b"http": 80, b"https": 443}


class EndpointConnections:
    """Keep-alive connections to a fixed list of URLs; `post` sends one request on one of them.

    Direct endpoints use lock-free h11 connections (models/direct_connection.py), each holding
    one request at a time; proxied ones an httpcore pool of one connection each.
    """

    def __init__(self, urls: list[str], headers: dict[str, str]) -> None:
        self._urls = [httpcore.URL(url) for url in urls]
        self._proxies = [environment_proxy(url) for url in urls]
        self._headers = [
            (name.encode("ascii"), value.encode("latin-1")) for name, value in headers.items()
        ]
        # What httpcore sends for a direct request: Host first, then the given headers.
        self._direct_heads = [[(b"Host", _host_header(url)), *self._headers] for url in self._urls]
        self._idle: list[list[Connection]] = [[] for _ in urls]
        self._all: set[Connection] = set()
        self._network = AsyncioBackend()

    async def post(self, index: int, content: bytes) -> HTTPReply:
        """POST `content` to URL number `index`; raises one of TRANSPORT_ERRORS on failure."""
        connection = self._reusable(index) or await self._connect(index)
        url = self._urls[index]
        try:
            if isinstance(connection, DirectConnection):
                length = (b"Content-Length", str(len(content)).encode("ascii"))
                head = [*self._direct_heads[index], length]
                status, raw_headers, body = await connection.request(
                    b"POST", url.target, head, content
                )
            else:
                response = await connection.request(
                    b"POST", url, headers=self._headers, content=content
                )
                status, raw_headers, body = response.status, response.headers, response.content
        except BaseException:
            # A connection that failed or was cancelled mid-exchange is not reused.
            await self._discard(connection)
            raise
        self._idle[index].append(connection)
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in raw_headers
        }
        return HTTPReply(status, headers, body)

    def _reusable(self, index: int) -> Connection | None:
        idle = self._idle[index]
        while idle:
            connection = idle.pop()
            if isinstance(connection, httpcore.AsyncConnectionPool):
                return connection  # the pool checks its connection itself
            if connection.is_reusable():
                return connection
            self._all.discard(connection)
            # Closed by the server while idle (its keep-alive timeout): drop it quietly.
            connection.close_soon()
        return None

    async def _connect(self, index: int) -> Connection:
        proxy = self._proxies[index]
        url = self._urls[index]
        connection: Connection
        if proxy is None:
            secure = url.scheme == b"https"
            host = url.host.decode("ascii")
            connection = await DirectConnection.open(
                host,
                url.port or DEFAULT_PORTS[url.scheme],
                # Plain http needs no context: building one reads the CA bundle (~30 ms).
                tls_context() if secure else None,
                host if secure else None,
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


def _host_header(url: httpcore.URL) -> bytes:
    if url.port is None or url.port == DEFAULT_PORTS.get(url.scheme):
        return url.host
    return b"%b:%d" % (url.host, url.port)
