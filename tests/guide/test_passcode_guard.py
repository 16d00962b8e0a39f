"""The trainer passcode's wrong-guess count lives in the database: two stores on one database stand for two
replicas, and a count added through one is the count the other continues (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

from guide.passcode_guard import MAX_DELAY_SECONDS, WrongGuesses, delay_after
from guide.store import Store


def test_the_wait_doubles_from_half_a_second_up_to_the_cap() -> None:
    assert [delay_after(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, MAX_DELAY_SECONDS, 5.0, 5.0]


def test_two_replicas_share_one_count(store: Store) -> None:
    other_replica = Store(store.url)
    try:
        here, there = WrongGuesses(store), WrongGuesses(other_replica)
        assert here.add() == 1
        assert there.add() == 2  # the guesser moved to the other replica: the wait goes on growing
        assert here.add() == 3
        there.clear()  # the right passcode, given on the other replica
        assert here.count == 0 and here.add() == 1
    finally:
        other_replica.dispose()


def test_a_second_replica_starting_keeps_the_count(store: Store) -> None:
    first = WrongGuesses(store)
    first.add()
    first.add()
    assert WrongGuesses(store).count == 2  # a replica (re)starting does not reset what the others counted


def test_guesses_at_the_same_moment_are_each_counted(store: Store) -> None:
    guesses = WrongGuesses(store)
    seen: list[int] = []
    lock = threading.Lock()

    def guess() -> None:
        counted = guesses.add()
        with lock:
            seen.append(counted)

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 9))  # no two guesses got the same count: none was lost
