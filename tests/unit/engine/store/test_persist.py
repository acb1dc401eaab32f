"""Durability: every acknowledged write survives a restart, and a SIGKILL at any moment."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.errors import Gone, NotFound
from mlkube.engine.store import Store

from .conftest import JOBS, NODES, PODS, make_pod


def test_a_reopened_store_has_every_object_and_the_counter(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = Store.open(path, clock=FakeClock())
    a = store.create(PODS, make_pod("a", labels={"app": "x"}))
    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})
    store.create(NODES, {"metadata": {"name": "n1"}})
    a["metadata"]["labels"] = {"app": "y"}
    a = store.update(PODS, a)
    store.delete(NODES, None, "n1")
    store.close()

    reopened = Store.open(path, clock=FakeClock())

    assert reopened.current_resource_version() == "5"
    assert reopened.get(PODS, "ml", "a") == a
    assert reopened.get(JOBS, "ml", "t")["metadata"]["resourceVersion"] == "2"
    with pytest.raises(NotFound):
        reopened.get(NODES, None, "n1")
    assert [i["metadata"]["name"] for i in reopened.list(PODS, label_selector="app=y").items] == [
        "a"
    ]
    assert reopened.create(PODS, make_pod("b"))["metadata"]["resourceVersion"] == "6"


def test_the_counter_survives_even_when_the_last_write_was_a_delete(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = Store.open(path, clock=FakeClock())
    store.create(PODS, make_pod("a"))
    store.delete(PODS, "ml", "a")
    store.close()

    assert Store.open(path, clock=FakeClock()).current_resource_version() == "2"


def test_changes_before_a_restart_cannot_be_watched(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = Store.open(path, clock=FakeClock())
    for name in "abc":
        store.create(PODS, make_pod(name))
    store.close()
    reopened = Store.open(path, clock=FakeClock())

    with pytest.raises(Gone, match=r"^too old resource version: 1 \(3\)$"):
        reopened.watch(PODS, resource_version="1")
    watch = reopened.watch(PODS, resource_version="3")
    reopened.create(PODS, make_pod("d"))
    assert [e.resource_version for e in watch.drain()] == [4]


def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    Store.open(path, clock=FakeClock()).close()

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_full_synchronous_mode_is_a_parameter(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "state.db", clock=FakeClock(), synchronous="FULL")
    store.create(PODS, make_pod("a"))
    store.close()

    assert Store.open(tmp_path / "state.db", clock=FakeClock()).get(PODS, "ml", "a")


def test_an_unknown_synchronous_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous must be NORMAL or FULL"):
        Store.open(tmp_path / "state.db", clock=FakeClock(), synchronous="OFF")  # type: ignore[arg-type]


def test_dry_runs_are_not_persisted(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = Store.open(path, clock=FakeClock())
    store.create(PODS, make_pod("a"), dry_run=True)
    store.close()

    assert Store.open(path, clock=FakeClock()).list(PODS).items == []


# --- SIGKILL ------------------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys
    from mlkube.api import registry
    from mlkube.engine.clock import FakeClock
    from mlkube.engine.store import Store

    path, start = sys.argv[1], int(sys.argv[2])
    pods = registry.lookup("pods")
    store = Store.open(path, clock=FakeClock())
    print("ready", flush=True)
    i = start
    while True:
        name = f"p{i:07d}"
        store.create(pods, {
            "metadata": {"name": name, "namespace": "ml", "labels": {"i": str(i)}},
            "spec": {"containers": [{"name": "c", "image": "x" * (i % 97)}]},
        })
        print("C", name, flush=True)
        if (i - start) % 3 == 2:
            victim = f"p{i - 1:07d}"
            store.delete(pods, "ml", victim)
            print("D", victim, flush=True)
        i += 1
    """
)


def _expected(name: str) -> dict[str, Any]:
    i = int(name[1:])
    return {
        "labels": {"i": str(i)},
        "spec": {"containers": [{"name": "c", "image": "x" * (i % 97)}]},
    }


def _run_and_kill(path: Path, start: int, after_lines: int) -> tuple[set[str], set[str]]:
    """Start a writer, SIGKILL it after ``after_lines`` acknowledgements; returns the names
    whose create and whose delete were acknowledged."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), str(start)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    lines: list[str] = []
    for _ in range(after_lines):
        lines.append(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    rest, _ = proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    lines.extend(rest.splitlines())
    created, deleted = set(), set()
    for line in lines:
        parts = line.split()
        if len(parts) != 2:  # a line cut by the kill was not acknowledged
            continue
        (created if parts[0] == "C" else deleted).add(parts[1])
    return created, deleted


@pytest.mark.slow
@pytest.mark.parametrize(
    "kill_points",
    [
        pytest.param((1, 9, 40, 150, 400), id="a writer killed at five points keeps every ack"),
    ],
)
def test_a_sigkilled_writer_loses_no_acknowledged_write(
    tmp_path: Path, kill_points: tuple[int, ...]
) -> None:
    path = tmp_path / "state.db"
    acked_created: set[str] = set()
    acked_deleted: set[str] = set()
    for round_, after in enumerate(kill_points):
        created, deleted = _run_and_kill(path, round_ * 1_000_000, after)
        acked_created |= created
        acked_deleted |= deleted

        store = Store.open(path, clock=FakeClock())
        present = {i["metadata"]["name"]: i for i in store.list(PODS, "ml").items}
        # every acknowledged create is there, unless its delete was acknowledged
        assert acked_created - acked_deleted <= set(present)
        assert not (acked_deleted & set(present))
        # nothing partial: whatever is there is whole and was written by the writer
        for name, obj in present.items():
            assert obj["metadata"]["labels"] == _expected(name)["labels"]
            assert obj["spec"] == _expected(name)["spec"]
        # at most the one write in flight when the process died is unacknowledged
        assert len(set(present) - acked_created) <= 1
        top = max(int(o["metadata"]["resourceVersion"]) for o in present.values())
        assert int(store.current_resource_version()) >= top
        store.close()
