"""When brokers are at work: weekly hours in one time zone, minus holidays."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ConfigError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(r"^\s*([a-z]{3})(?:-([a-z]{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class OfficeHours:
    """Opening hours per weekday (0 = Monday), a time zone and closed dates."""

    hours: dict[int, tuple[dt.time, dt.time]]
    zone: ZoneInfo
    holidays: frozenset[dt.date] = frozenset()

    def is_open(self, now: dt.datetime) -> bool:
        """Return whether brokers are at work at ``now``."""
        local = now.astimezone(self.zone)
        span = self.hours.get(local.weekday())
        return (span is not None and local.date() not in self.holidays
                and span[0] <= local.time() < span[1])

    def next_opening(self, now: dt.datetime) -> dt.datetime | None:
        """Return when brokers are next at work (None if they are now, or never are)."""
        if self.is_open(now) or not self.hours:
            return None
        local = now.astimezone(self.zone)
        for offset in range(0, 60):
            day = local.date() + dt.timedelta(days=offset)
            span = self.hours.get(day.weekday())
            if span is None or day in self.holidays:
                continue
            opening = dt.datetime.combine(day, span[0], tzinfo=self.zone)
            if opening > local:
                return opening
        return None


def parse_office_hours(spec: str, zone: str, holidays: str = "") -> OfficeHours:
    """Read e.g. ``"mon-fri 09:00-18:00, sat 10:00-13:00"`` in ``zone``.

    Raises:
        ConfigError: the specification, the zone or a holiday date is malformed.
    """
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {zone!r}") from exc
    hours: dict[int, tuple[dt.time, dt.time]] = {}
    for part in filter(None, (p.strip().lower() for p in spec.split(","))):
        match = _SPEC.match(part)
        if not match or match.group(1) not in DAYS or (match.group(2) or "mon") not in DAYS:
            raise ConfigError(f"office hours: cannot read {part!r} (e.g. 'mon-fri 09:00-18:00')")
        first = DAYS.index(match.group(1))
        last = DAYS.index(match.group(2)) if match.group(2) else first
        try:
            start = dt.time(int(match.group(3)), int(match.group(4)))
            end = (dt.time.max if (match.group(5), match.group(6)) == ("24", "00")
                   else dt.time(int(match.group(5)), int(match.group(6))))
        except ValueError as exc:
            raise ConfigError(f"office hours: bad time in {part!r}") from exc
        if end <= start:
            raise ConfigError(f"office hours: {part!r} ends before it starts")
        for day in range(first, last + 1):
            hours[day] = (start, end)
    closed: set[dt.date] = set()
    for item in filter(None, (h.strip() for h in holidays.split(","))):
        try:
            closed.add(dt.date.fromisoformat(item))
        except ValueError as exc:
            raise ConfigError(f"office hours: holiday {item!r} is not YYYY-MM-DD") from exc
    return OfficeHours(hours, tz, frozenset(closed))
