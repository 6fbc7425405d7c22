"""docker-compose.yml is consistent with the settings (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
SETTING_NAMES = {field.alias for field in Settings.model_fields.values()}
SECRETS = {"TELEGRAM_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "WHATSAPP_TOKEN", "WHATSAPP_APP_SECRET",
           "WHATSAPP_VERIFY_TOKEN", "STAFF_CONSOLE_SECRET", "POSTGRES_PASSWORD"}


def test_every_service_has_an_image_or_a_build():
    for name, service in COMPOSE["services"].items():
        assert "image" in service or "build" in service, name
        if "build" in service:
            assert (ROOT / service["build"]["context"] / service["build"]["dockerfile"]).exists()


def test_rasa_runs_the_pinned_version():
    assert COMPOSE["services"]["rasa"]["image"].startswith("rasa/rasa:3.6.21")
    assert "rasa==3.6.21" in (ROOT / "requirements" / "rasa.lock").read_text()


def test_app_services_only_set_known_settings_and_all_urls_point_at_services():
    services = set(COMPOSE["services"])
    for name in ("bot", "actions"):
        env = COMPOSE["services"][name]["environment"]
        assert set(env) <= SETTING_NAMES, set(env) - SETTING_NAMES
        for key in ("RASA_URL",):
            host, port = re.match(r"https?://([^:/]+):(\d+)", env[key]).groups()
            assert host in services
            assert any(str(port) in str(p) for p in COMPOSE["services"][host].get("ports", []))
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["IESMED_ENV"] == "production"


def test_secrets_have_no_defaults():
    text = (ROOT / "docker-compose.yml").read_text()
    for secret in SECRETS:
        for match in re.finditer(r"\$\{" + secret + r"(:?[-?])([^}]*)\}", text):
            operator, default = match.groups()
            assert operator.endswith("?") or default == "", f"{secret} has a default"


def test_bot_port_is_published_and_matches_the_setting():
    bot = COMPOSE["services"]["bot"]
    assert f"{bot['environment']['BOT_PORT']}:8080" in bot["ports"]


def test_rasa_endpoints_use_postgres_and_redis():
    endpoints = yaml.safe_load((ROOT / "deploy" / "rasa" / "endpoints.yml").read_text())
    assert endpoints["tracker_store"]["url"] == "postgres"
    assert endpoints["lock_store"]["type"] == "redis" and endpoints["lock_store"]["url"] == "redis"
    assert endpoints["action_endpoint"]["url"].startswith("http://actions:5055")
