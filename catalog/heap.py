"""The garbage collector of a long-running process, once it has started.

Shared by the three processes of the stack (the bot, the action server, Rasa through
ops/engine_server.py); catalog is the one package they all may import.

Python's cyclic collector runs whenever enough objects have been allocated, and every
tenth of its young collections it scans every object the process holds. After start-up
that is mostly what was loaded once and lives until exit: Rasa's model and domain, the
action server's matchers of nine languages, the bot's language profiles. Measured with
`./iesmed bench chat` at 32 conversations, collections took 12 % of Rasa's CPU and 11 %
of the action server's, most of it in those full scans (docs/DECISIONS.md, session 12).
`settle` moves what start-up left into the collector's permanent generation, which its
scans skip, and lets more objects be allocated between young collections.
"""

from __future__ import annotations

import gc

# Objects allocated between young collections (CPython's default is 700). A chat turn
# allocates tens of thousands of short-lived objects; most die before a collection.
YOUNG_THRESHOLD = 10_000


def settle() -> None:
    """Collect once, then leave every surviving object out of later scans."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
