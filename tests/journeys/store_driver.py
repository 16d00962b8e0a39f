"""A writer for the crash test, run as its own process and killed with SIGKILL mid-stream.

    python -m tests.journeys.store_driver <SQLAlchemy URL> <tag> <sandbox id> [<sandbox id> ...]

One thread a sandbox writes through guide.store.Store exactly as the app does, over and over: a
message to the seller of the next order in turn (Store.act; in turn, because a conversation of a
thousand messages makes every write on its order slow), one hour on the clock (Store.advance_clock, which fires the
sandbox's due timers across its orders in one transaction) and a fact (Store.record). Each write is
printed as a JSON line on stdout, flushed, only after the call has returned, that is after its
COMMIT: a line on stdout is a promise that the write is in the database, which the crash test holds
the database to after the kill. A thread has at most one write in flight, so anything beyond the
printed lines is at most the next write of each thread.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import timedelta

from guide.lifecycle import Action
from guide.store import Store

FACT = "crash_driver_step"
PAUSE_S = 0.005  # a breath a cycle: SQLite's busy wait is not fair, and the app's clicks must get the lock too
_print_lock = threading.Lock()


def say(**line: object) -> None:
    with _print_lock:
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()


def work(store: Store, tag: str, sandbox_id: str) -> None:
    """Forever: message, +1 hour, fact; each printed after it is committed."""
    order_ids = [order.id for order in store.list_orders(sandbox_id, limit=1_000)]
    n = 0
    while True:
        n += 1
        order_id = order_ids[n % len(order_ids)]
        text = f"driver {tag} {sandbox_id[:6]} n{n}"
        store.act(sandbox_id, order_id, Action.SEND_MESSAGE, text=text)
        say(kind="message", sandbox=sandbox_id, order=order_id, text=text)
        store.advance_clock(sandbox_id, timedelta(hours=1))
        say(kind="clock", sandbox=sandbox_id)
        store.record(sandbox_id, FACT, f"{tag}:{n}")
        say(kind="fact", sandbox=sandbox_id, value=f"{tag}:{n}")
        time.sleep(PAUSE_S)


def main(argv: list[str]) -> None:
    url, tag, *targets = argv  # targets: sandbox ids
    store = Store(url)
    threads = []
    for sandbox_id in targets:
        threads.append(threading.Thread(target=work, args=(store, tag, sandbox_id), daemon=True))
    for thread in threads:
        thread.start()
    say(kind="started")
    for thread in threads:
        thread.join()  # until the SIGKILL (or a thread fails: its traceback goes to stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
