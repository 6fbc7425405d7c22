"""Scans of every database the product and Rasa write, for what a user left there."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import redis
from sqlalchemy import create_engine, inspect, text


@dataclass(frozen=True)
class Trace:
    """Where a searched value was found."""

    where: str  # database, table and column, or a Redis key
    needle: str

    def __str__(self) -> str:
        return f"{self.needle!r} in {self.where}"


def variants(needles: Iterable[str]) -> set[str]:
    """Return each value lower-cased as written and as JSON escapes it (Rasa's event data)."""
    found: set[str] = set()
    for needle in needles:
        found.add(needle.lower())
        found.add(json.dumps(needle)[1:-1].lower())
    return found


def _as_text(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value) + json.dumps(value, ensure_ascii=False)
    return str(value)


def scan_sql(url: str, needles: Iterable[str]) -> list[Trace]:
    """Read every row of every table of a database and report each column holding a needle.

    Every column is read, whatever its type, so nothing is missed because it was
    declared as JSON, bytes or a string of another name.
    """
    wanted = variants(needles)
    engine = create_engine(url)
    traces: set[Trace] = set()
    try:
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                result = connection.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
                columns = list(result.keys())
                for row in result:
                    for column, value in zip(columns, row, strict=True):
                        if value is None:
                            continue
                        cell = _as_text(value).lower()
                        traces.update(Trace(f"{engine.url.database}.{table}.{column}", n)
                                      for n in wanted if n in cell)
    finally:
        engine.dispose()
    return sorted(traces, key=str)


def scan_redis(url: str, needles: Iterable[str]) -> list[Trace]:
    """Report every key of a Redis database whose name or value holds a needle."""
    wanted = variants(needles)
    client = redis.Redis.from_url(url)
    traces: set[Trace] = set()
    try:
        for key in client.scan_iter(count=500):
            name = key.decode("utf-8", "replace")
            kind = client.type(key).decode()
            if kind == "string":
                value = client.get(key) or b""
            elif kind == "hash":
                value = b" ".join(k + b"=" + v for k, v in client.hgetall(key).items())
            elif kind == "list":
                value = b" ".join(client.lrange(key, 0, -1))
            else:
                value = b" ".join(client.smembers(key)) if kind == "set" else b""
            cell = (name + " " + value.decode("utf-8", "replace")).lower()
            traces.update(Trace(f"redis {name}", n) for n in wanted if n in cell)
    finally:
        client.close()
    return sorted(traces, key=str)
