"""Wrong trainer passcodes in a row, counted in the database: every session on every replica adds to one count,
so a guesser gains nothing by opening new tabs or by reaching another replica behind the load balancer."""

from __future__ import annotations

from sqlalchemy import Column, Integer, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from guide.db import metadata
from guide.store import Store

FIRST_DELAY_SECONDS = 0.5  # the wait after the first wrong passcode; each one after it in a row doubles it
MAX_DELAY_SECONDS = 5.0
ROW = 1  # one count for the whole deployment

passcode_guesses = Table(
    "passcode_guesses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("wrong", Integer, nullable=False),
)


def delay_after(wrong: int) -> float:
    """Seconds to wait before answering the `wrong`-th wrong passcode in a row."""
    return min(FIRST_DELAY_SECONDS * 2.0 ** (wrong - 1), MAX_DELAY_SECONDS)


class WrongGuesses:
    """The shared count of wrong passcodes since the last right one."""

    def __init__(self, store: Store) -> None:
        self.store = store
        metadata.create_all(store.engine, tables=[passcode_guesses])
        try:
            with store.writing() as conn:
                if conn.execute(select(passcode_guesses.c.id).where(passcode_guesses.c.id == ROW)).first() is None:
                    conn.execute(insert(passcode_guesses).values(id=ROW, wrong=0))
        except IntegrityError:  # another replica made the row at the same moment: it exists, which is all we need
            pass

    def add(self) -> int:
        """Count one more wrong passcode, atomically, and return the count in a row (1 for the first)."""
        column = passcode_guesses.c.wrong
        with self.store.writing() as conn:
            query = update(passcode_guesses).where(passcode_guesses.c.id == ROW).values(wrong=column + 1)
            return int(conn.execute(query.returning(column)).scalar_one())

    def clear(self) -> None:
        """A right passcode: the next wrong one waits the shortest time again."""
        with self.store.writing() as conn:
            conn.execute(update(passcode_guesses).where(passcode_guesses.c.id == ROW).values(wrong=0))

    @property
    def count(self) -> int:
        with self.store.reading() as conn:
            return int(conn.execute(select(passcode_guesses.c.wrong).where(passcode_guesses.c.id == ROW)).scalar_one())
