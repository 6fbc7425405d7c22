"""Deploy step: bring the database named by DATABASE_URL up to the latest schema.

`python -m catalog.migrate` — run once per deployment before the replicas start
(docker-compose's `migrate` service); the replicas then start with MIGRATE_ON_START=false.
"""

from __future__ import annotations

import os
import sys

from catalog.db import make_engine, upgrade


def main() -> int:
    """Migrate DATABASE_URL; exit 2 when it is not set."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("catalog.migrate: DATABASE_URL is not set", file=sys.stderr)
        return 2
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    print("catalog.migrate: schema up to date", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
