"""Brokers' office hours: open or closed, and when they open next, in their time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.core import locales
from bot.core.office_hours import parse_office_hours
from bot.errors import ConfigError

MADRID = ZoneInfo("Europe/Madrid")


def test_weekday_hours_in_the_brokers_zone_skip_weekends_and_holidays():
    hours = parse_office_hours("mon-fri 09:00-18:00", "Europe/Madrid", "2026-12-25")
    thursday_evening = dt.datetime(2026, 12, 24, 18, 30, tzinfo=MADRID)
    assert not hours.is_open(thursday_evening)
    # Friday is Christmas: the next opening is Monday 28 at 09:00 Madrid time.
    assert hours.next_opening(thursday_evening) == dt.datetime(2026, 12, 28, 9, 0,
                                                                tzinfo=MADRID)
    assert hours.is_open(dt.datetime(2026, 12, 23, 8, 30, tzinfo=dt.UTC))  # 09:30 in Madrid
    assert hours.next_opening(dt.datetime(2026, 12, 23, 8, 30, tzinfo=dt.UTC)) is None


def test_several_spans_and_round_the_clock():
    hours = parse_office_hours("mon-fri 09:00-18:00, sat 10:00-13:00", "Africa/Tunis")
    saturday = dt.datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo("Africa/Tunis"))
    assert hours.next_opening(saturday).hour == 10
    always = parse_office_hours("mon-sun 00:00-24:00", "UTC")
    assert always.is_open(dt.datetime(2026, 12, 6, 23, 59, 59, tzinfo=dt.UTC))


@pytest.mark.parametrize("spec,zone,holidays", [
    ("weekdays 9-18", "Europe/Madrid", ""), ("mon-fri 18:00-09:00", "Europe/Madrid", ""),
    ("mon-fri 09:00-18:00", "Mars/Olympus", ""), ("mon-fri 09:00-18:00", "UTC", "25/12")])
def test_malformed_office_hours_are_refused_with_a_reason(spec, zone, holidays):
    with pytest.raises(ConfigError):
        parse_office_hours(spec, zone, holidays)


def test_the_next_opening_is_said_in_the_users_language_with_the_zone_named():
    monday = dt.datetime(2026, 12, 7, 9, 0, tzinfo=MADRID)
    assert locales.when(monday, "es").startswith("lunes, 7 de diciembre de 2026")
    assert "9:00" in locales.when(monday, "fr") or "09:00" in locales.when(monday, "fr")
    assert "Europe" in locales.when(monday, "en") or "Central" in locales.when(monday, "en")
    assert locales.duration(dt.timedelta(minutes=7), "tr") == "7 dakika"
