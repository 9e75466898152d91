"""An aiohttp transport for python-telegram-bot (`telegram.request.BaseRequest`).

PTB's default transport is httpx. With many requests in flight its connection pool and anyio
layer cost 5–8 ms of event-loop CPU per request on this workload; aiohttp costs about 1 ms
(measured in docs/performance.md). The bot's event loop is its bottleneck under a burst of
taps, so every Bot the production code builds uses this class.

Behaviour matches `HTTPXRequest`, except that parameters go as one JSON body (multipart form
data when there are files; the Bot API takes both): timeouts default to PTB's (5 s
connect/read/write, 1 s to wait for a pooled connection), a timeout raises `TimedOut` and any
other transport error `NetworkError`.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_HEADERS = {"Content-Type": "application/json"}


def _value(given: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(given, DefaultValue) else given


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one `aiohttp.ClientSession`, created in `initialize()`."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

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
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        read = _value(read_timeout, self._read_timeout)
        connect = _value(connect_timeout, self._connect_timeout)
        pool = _value(pool_timeout, self._pool_timeout)
        write = _value(write_timeout, self._media_write_timeout if files else self._write_timeout)
        # aiohttp has no separate write timeout: the body is small unless there are files, so the
        # write allowance is added to the read allowance (the time to the first response byte).
        sock_read = None if read is None else read + (write or 0.0)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None else connect + (pool or 0.0),
            sock_connect=connect,
            sock_read=sock_read,
        )
        data: Any = None
        headers: dict[str, str] | None = None
        if request_data is not None and not files:
            parameters = request_data.parameters
            if parameters:
                # One JSON body (the Bot API takes application/json for everything but
                # uploads): a single C-level json.dumps instead of one per parameter plus
                # URL-encoding every character, and no FormData machinery per request.
                data = json.dumps(parameters).encode()
                headers = JSON_HEADERS
        elif files:
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, part in files.items():
                if isinstance(part, tuple):
                    filename, content, *mime = part
                    form.add_field(
                        name,
                        content,
                        filename=filename,
                        content_type=mime[0] if mime else "application/octet-stream",
                    )
                else:
                    form.add_field(name, part)
            data = form
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as res:
                return res.status, await res.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
