"""Bot API calls over aiohttp instead of PTB's default httpx.

Measured (bench/conversation.py, and a send loop against the fake API in another process):
httpx's connection pool re-examines every connection for every request, so its cost per
request grows with the requests in flight, from 0.87 ms of CPU one at a time to 1.65 ms with 64
at once; aiohttp's stays at about 0.25-0.35 ms. The bot handles many people at once, so this is
the largest single cost of a step after the database.
"""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """PTB's request interface on an aiohttp session, with the same defaults as PTB's own:
    5 s to connect and to read, 1 s to wait for a free connection from the pool.

    aiohttp has no write timeout; a write that stalls runs into the read timeout instead."""

    __slots__ = ("_connect_timeout", "_pool_size", "_pool_timeout", "_read_timeout", "_session")

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Opens the session; it must be made inside the running event loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                # The Bot API sets no cookies; skipping the jar saves work on every response.
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(
        self,
        read_timeout: ODVInput[float],
        connect_timeout: ODVInput[float],
        pool_timeout: ODVInput[float],
    ) -> aiohttp.ClientTimeout:
        def chosen(given: ODVInput[float], default: float | None) -> float | None:
            return default if isinstance(given, DefaultValue) else given

        connect = chosen(connect_timeout, self._connect_timeout)
        return aiohttp.ClientTimeout(
            total=None,
            # aiohttp's "connect" covers waiting for a pooled connection as well as opening one.
            connect=_sum(chosen(pool_timeout, self._pool_timeout), connect),
            sock_connect=connect,
            sock_read=chosen(read_timeout, self._read_timeout),
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        timeout = self._timeout(read_timeout, connect_timeout, pool_timeout)
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as error:
            raise TimedOut(
                "Pool timeout: every connection is busy; the request was not sent."
            ) from error
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(
                f"aiohttp.{error.__class__.__name__}: {_described(error)}"
            ) from error


_URL = re.compile(r"\w+://\S+")


def _described(error: aiohttp.ClientError) -> str:
    """What went wrong without the request's URL: it holds the bot token."""
    if isinstance(error, aiohttp.ClientConnectorError):
        return (
            f"cannot connect to {error.host}:{error.port} ({error.os_error.strerror or 'refused'})"
        )
    return _URL.sub("<url>", str(error))


def _sum(*seconds: float | None) -> float | None:
    """Adds timeouts; None (no limit) in any part means no limit."""
    if any(part is None for part in seconds):
        return None
    return sum(part for part in seconds if part is not None)


def _body(request_data: RequestData | None) -> Any:
    """The parameters as one JSON document, which the Bot API accepts and which costs far less
    to build than a urlencoded form; multipart when files go along (documents)."""
    if request_data is None:
        return None
    if not request_data.multipart_data:
        return aiohttp.BytesPayload(
            json.dumps(request_data.parameters).encode(), content_type="application/json"
        )
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
