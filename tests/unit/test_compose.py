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
           "WHATSAPP_VERIFY_TOKEN", "STAFF_CONSOLE_SECRET", "POSTGRES_PASSWORD", "RASA_TOKEN"}


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
            assert any(str(port) in str(p) for p in COMPOSE["services"][host].get("expose", []))
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


def test_only_the_bot_is_published_and_rasas_api_needs_a_token():
    for name in ("rasa", "actions", "postgres", "redis"):
        assert "ports" not in COMPOSE["services"][name], f"{name} is published"
    assert "--auth-token" in COMPOSE["services"]["rasa"]["command"]
    assert "RASA_TOKEN" in COMPOSE["services"]["bot"]["environment"]


def test_the_bot_erases_from_the_tracker_store_rasa_writes():
    env = COMPOSE["services"]["bot"]["environment"]
    endpoints = yaml.safe_load((ROOT / "deploy" / "rasa" / "endpoints.yml").read_text())
    store = endpoints["tracker_store"]
    assert f"@{store['url']}:{store['port']}/{store['db']}" in env["TRACKER_STORE_URL"]


def test_migrations_run_once_before_the_replicas_start():
    services = COMPOSE["services"]
    assert services["migrate"]["command"][-1] == "catalog.migrate"
    for name in ("bot", "actions"):
        assert services[name]["environment"]["MIGRATE_ON_START"] == "false"
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"}


def test_optional_secrets_left_empty_count_as_not_set(settings_factory):
    settings = settings_factory(IESMED_ENV="production", TELEGRAM_TOKEN="", WHATSAPP_TOKEN="",
                                WHATSAPP_APP_SECRET="", TELEGRAM_WEBHOOK_URL="",
                                STAFF_CONSOLE_SECRET="a-long-random-value-0192837465",
                                RASA_TOKEN="another-long-random-value-5647382910")
    assert settings.telegram_token is None and settings.whatsapp_app_secret is None
    assert settings.telegram_webhook_url is None
