"""Durability: every acknowledged write survives a restart, and a SIGKILL at any moment."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.errors import Gone, InternalError, NotFound
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


def _ops(start: int) -> Iterator[tuple[str, str]]:
    """The writer's operations, in order: what it does is a function of ``start``."""
    i = start
    while True:
        yield "C", f"p{i:07d}"
        if (i - start) % 3 == 2:
            yield "D", f"p{i - 1:07d}"
        i += 1


def _run_and_kill(path: Path, start: int, after_lines: int) -> list[tuple[str, str]]:
    """Start a writer, SIGKILL it after ``after_lines`` acknowledgements; returns every
    operation it acknowledged, in order."""
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
    acked: list[tuple[str, str]] = []
    for line in lines:
        parts = line.split()
        if len(parts) != 2:  # a line cut by the kill was not acknowledged
            break
        acked.append((parts[0], parts[1]))
    return acked


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
    names: set[str] = set()  # the objects every acknowledged operation leaves
    for round_, after in enumerate(kill_points):
        start = round_ * 1_000_000
        acked = _run_and_kill(path, start, after)
        ops = _ops(start)
        for op in acked:
            assert next(ops) == op  # the acknowledgements are the writer's operations in order
            (names.add if op[0] == "C" else names.remove)(op[1])
        in_flight_kind, in_flight_name = next(ops)
        with_in_flight = set(names)
        (with_in_flight.add if in_flight_kind == "C" else with_in_flight.discard)(in_flight_name)

        store = Store.open(path, clock=FakeClock())
        present = {i["metadata"]["name"]: i for i in store.list(PODS, "ml").items}
        # every acknowledged write, and at most the one in flight when the process died
        assert set(present) in (names, with_in_flight)
        names = set(present)
        # nothing partial: whatever is there is whole
        for name, obj in present.items():
            assert obj["metadata"]["labels"] == _expected(name)["labels"]
            assert obj["spec"] == _expected(name)["spec"]
        top = max(int(o["metadata"]["resourceVersion"]) for o in present.values())
        assert int(store.current_resource_version()) >= top
        store.close()


def test_a_closed_persistent_store_refuses_writes_it_could_not_keep(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "state.db", clock=FakeClock())
    store.create(PODS, make_pod("a"))
    store.close()

    with pytest.raises(InternalError, match="the store is closed"):
        store.create(PODS, make_pod("b"))
    assert store.get(PODS, "ml", "a")["metadata"]["name"] == "a"
