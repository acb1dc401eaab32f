"""Durable storage for the store: one SQLite transaction per committed write.

The embedded cluster's etcd. Each write (create, update, delete) is one transaction that
upserts or removes the object's row and records the new global resourceVersion; it commits
before the verb returns, so an acknowledged write is on disk and a write that did not
commit leaves nothing behind (SQLite's atomic commit). ``Store.open(path)`` reads every row
back and resumes the resourceVersion counter.

Durability is a parameter, chosen deliberately:

* ``synchronous="NORMAL"`` (the default) with ``journal_mode=WAL``: a commit is written to
  the WAL before the verb returns but not fsynced. It survives the *process* being killed
  at any moment (SIGKILL, a crash) with every acknowledged write, because the data is in
  the OS page cache; it may lose the last writes on power loss or a kernel crash. This is
  what simulations and a developer's cluster need, and it is fast.
* ``synchronous="FULL"``: the WAL is fsynced on every commit; acknowledged writes also
  survive power loss, at the cost of one fsync per write.

The schema is two tables: ``objects(resource, key, rv, data)`` with the object's wire JSON,
and ``meta(name, value)`` whose ``rv`` row records the resourceVersion of the last delete
(deletes remove rows). The counter is the larger of that and the newest row's ``rv``, so a
create or update is a single ``INSERT OR REPLACE`` (one implicit transaction) and a
delete is ``DELETE`` plus the ``meta`` update in one explicit transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

__all__ = ["Persistence", "Synchronous"]

Synchronous = Literal["NORMAL", "FULL"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    resource TEXT NOT NULL,
    key TEXT NOT NULL,
    rv INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (resource, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (name, value) VALUES ('rv', 0);
"""


class Persistence:
    """A SQLite file in WAL mode; callers serialise access (the store's commit lock)."""

    def __init__(self, path: str | Path, *, synchronous: Synchronous = "NORMAL") -> None:
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be NORMAL or FULL, not {synchronous!r}")
        self.path = Path(path)
        self.synchronous: Synchronous = synchronous
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.executescript(_SCHEMA)

    def resource_version(self) -> int:
        """The last resourceVersion handed out before the store was closed or killed."""
        row = self._db.execute(
            "SELECT max((SELECT value FROM meta WHERE name = 'rv'),"
            " (SELECT coalesce(max(rv), 0) FROM objects))"
        ).fetchone()
        return int(row[0])

    def rows(self) -> Iterator[tuple[str, str, int, bytes]]:
        """Every stored object as ``(resource, key, rv, data)``."""
        for resource, key, rv, data in self._db.execute(
            "SELECT resource, key, rv, data FROM objects"
        ):
            yield str(resource), str(key), int(rv), bytes(data)

    def put(self, resource: str, key: str, rv: int, data: bytes) -> None:
        """Store the object at ``rv`` (which also advances the counter): one transaction."""
        self._db.execute(
            "INSERT OR REPLACE INTO objects (resource, key, rv, data) VALUES (?, ?, ?, ?)",
            (resource, key, rv, data),
        )

    def delete(self, resource: str, key: str, rv: int) -> None:
        """Remove the object (deleted at ``rv``) and advance the counter, in one transaction."""
        db = self._db
        db.execute("BEGIN")
        try:
            db.execute("DELETE FROM objects WHERE resource = ? AND key = ?", (resource, key))
            db.execute("UPDATE meta SET value = ? WHERE name = 'rv'", (rv,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._db.close()
