"""Commits from many threads: one counter, one order, every watcher sees every event."""

from __future__ import annotations

import threading

from mlkube.engine.store import Store

from .conftest import PODS, make_pod


def test_concurrent_writers_get_distinct_consecutive_versions_in_watch_order(
    store: Store,
) -> None:
    watch = store.watch(PODS, resource_version="0")
    rvs: list[int] = []
    lock = threading.Lock()

    def writer(t: int) -> None:
        for i in range(200):
            rv = int(store.create(PODS, make_pod(f"t{t}-{i}"))["metadata"]["resourceVersion"])
            with lock:
                rvs.append(rv)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(rvs) == list(range(1, 801))
    assert [e.resource_version for e in watch.drain()] == list(range(1, 801))
    assert len(store.list(PODS).items) == 800
