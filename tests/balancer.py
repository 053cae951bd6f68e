"""A round-robin HTTP load balancer for tests: each request goes to the next replica; one that
does not answer is a 502 (Telegram then posts the update again, and it reaches the next)."""

from __future__ import annotations

import itertools

import aiohttp
from aiohttp import web

from tests.fake_telegram import serve_on_a_free_port


class RoundRobin:
    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self._next = itertools.cycle(range(len(targets)))
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0
        # How many requests each replica answered (by its index in `targets`).
        self.answered = [0] * len(targets)

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner, self.port = await serve_on_a_free_port(app)

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
        if self._session:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        index = next(self._next)
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() in {"content-type", "x-telegram-bot-api-secret-token"}
        }
        try:
            async with self._session.request(
                request.method,
                self.targets[index] + request.path_qs,
                data=await request.read(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=60),
            ) as response:
                body = await response.read()
                self.answered[index] += 1
                return web.Response(status=response.status, body=body)
        except (aiohttp.ClientError, TimeoutError):
            return web.Response(status=502)
