"""The aiohttp transport behind every Bot API call: bodies, answers, timeouts and failures map
to what PTB expects (the end-to-end tests use it for everything else)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram_http import AiohttpRequest


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[Any]]]:
    """A tiny HTTP server: /echo returns what it was sent, /slow answers after a second."""
    seen: list[Any] = []

    async def echo(request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            seen.append(await request.json())
        else:
            seen.append({key: value for key, value in (await request.post()).items()})
        return web.json_response({"ok": True, "result": True})

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/echo", echo)
    app.router.add_post("/slow", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


def _data(**values: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in values.items()])


async def test_parameters_go_as_one_json_document_with_their_types(
    server: tuple[str, list[Any]],
) -> None:
    url, seen = server
    request = AiohttpRequest()
    await request.initialize()
    try:
        markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]}
        status, body = await request.do_request(
            f"{url}/echo", "POST", _data(chat_id=5, text="<b>hi</b> & bye", reply_markup=markup)
        )
    finally:
        await request.shutdown()
    assert status == 200 and json.loads(body) == {"ok": True, "result": True}
    assert seen == [{"chat_id": 5, "text": "<b>hi</b> & bye", "reply_markup": markup}]


async def test_a_slow_answer_is_a_timeout_and_a_closed_port_a_network_error(
    server: tuple[str, list[Any]],
) -> None:
    url, _ = server
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"{url}/slow", "POST", _data(chat_id=1))
        with pytest.raises(NetworkError) as refused:
            await request.do_request(f"http://127.0.0.1:{closed}/echo", "POST", _data(chat_id=1))
        # TimedOut is a NetworkError too: a refused connection must not be reported as slow.
        assert not isinstance(refused.value, TimedOut)
    finally:
        await request.shutdown()


async def test_it_refuses_to_work_before_initialize_and_can_start_again() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/echo", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()  # twice is harmless
    await request.initialize()  # PTB initializes again after a shutdown
    await request.shutdown()
    assert request.read_timeout == 5.0
