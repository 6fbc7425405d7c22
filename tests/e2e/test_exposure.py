"""What the running stack exposes: Rasa's API only with its token, the action server on loopback."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = pytest.mark.e2e


def test_rasas_http_api_refuses_requests_without_the_token(stack):
    with httpx.Client(base_url=stack.rasa_url, timeout=30) as client:
        assert client.get("/status").status_code in (401, 403)
        assert client.post("/model/parse", json={"text": "hola"}).status_code in (401, 403)
        assert client.get("/conversations/someone/tracker").status_code in (401, 403)
        token = os.environ["RASA_TOKEN"]
        assert client.get("/status", params={"token": token}).status_code == 200
        parsed = client.post("/model/parse", json={"text": "hola"}, params={"token": token})
        assert parsed.status_code == 200 and parsed.json()["intent"]["name"]


def _outside_address() -> str | None:
    """Return an address of this machine that is not loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # no packet is sent for UDP connect
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_the_action_server_and_rasa_listen_on_loopback_only(stack):
    address = _outside_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback")
    for url in (stack.actions_url, stack.rasa_url):
        port = urlsplit(url).port
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(2)
            assert probe.connect_ex((address, port)) != 0, f"{url} answers on {address}"


def test_the_bot_is_ready_when_its_database_and_the_engine_answer(stack):
    ready = httpx.get(f"{stack.bot_url}/readyz", timeout=30)
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "engine": "ok",
                            "turn_locks": "ok"}
