"""Properties over random histories: a watcher's view equals the list, RVs only grow."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mlkube.engine.clock import FakeClock
from mlkube.engine.errors import AlreadyExists, NotFound
from mlkube.engine.store import ADDED, DELETED, MODIFIED, Store

from .conftest import PODS, make_pod

_ops = st.lists(
    st.tuples(
        st.sampled_from(["create", "update", "delete"]),
        st.sampled_from(["a", "b", "c", "d"]),
        st.sampled_from(["web", "db"]),
    ),
    max_size=40,
)


def _apply(store: Store, op: str, name: str, app: str) -> None:
    try:
        if op == "create":
            store.create(PODS, make_pod(name, labels={"app": app}))
        elif op == "update":
            pod = store.get(PODS, "ml", name)
            pod["metadata"]["labels"] = {"app": app}
            store.update(PODS, pod)
        else:
            store.delete(PODS, "ml", name)
    except (NotFound, AlreadyExists):  # a delete or update of a missing pod, a repeated create
        pass


@given(ops=_ops, selector=st.sampled_from(["", "app=web", "app!=web"]))
@settings(max_examples=60, deadline=None)
def test_a_watcher_that_applies_its_events_holds_exactly_the_list(
    ops: list[tuple[str, str, str]], selector: str
) -> None:
    store = Store(FakeClock(), rng=random.Random(0))
    half = len(ops) // 2
    for op in ops[:half]:
        _apply(store, *op)
    watch = store.watch(PODS, label_selector=selector)
    for op in ops[half:]:
        _apply(store, *op)

    view: dict[str, dict[str, Any]] = {}
    last_rv = 0
    for event in watch.drain():
        name = event.object["metadata"]["name"]
        if event.type == DELETED:
            assert name in view
            del view[name]
        else:
            assert (event.type == ADDED) == (name not in view)
            assert event.type in (ADDED, MODIFIED)
            view[name] = event.object
        if event.resource_version > 0 and event.type != ADDED:
            assert event.resource_version > last_rv
            last_rv = event.resource_version

    listed = store.list(PODS, label_selector=selector).items
    assert sorted(view) == [i["metadata"]["name"] for i in listed]
    for item in listed:
        assert view[item["metadata"]["name"]]["metadata"] == item["metadata"]


@given(ops=_ops)
@settings(max_examples=60, deadline=None)
def test_a_watch_from_any_past_version_replays_to_the_present(
    ops: list[tuple[str, str, str]],
) -> None:
    store = Store(FakeClock(), rng=random.Random(0))
    store.create(PODS, make_pod("seed"))
    snapshots = [(store.current_resource_version(), store.list(PODS).items)]
    for op in ops:
        _apply(store, *op)
        snapshots.append((store.current_resource_version(), store.list(PODS).items))

    for rv, items in snapshots:
        view = {i["metadata"]["name"]: i for i in items}
        for event in store.watch(PODS, resource_version=rv, send_initial_events=False).drain():
            name = event.object["metadata"]["name"]
            if event.type == DELETED:
                del view[name]
            else:
                obj = event.object
                del obj["kind"], obj["apiVersion"]
                view[name] = obj
        assert [view[k] for k in sorted(view)] == store.list(PODS).items
        assert store.list(PODS, resource_version=rv, resource_version_match="Exact").items == items


@given(
    before=_ops,
    between=st.lists(_ops, min_size=1, max_size=6),
    limit=st.integers(min_value=1, max_value=3),
)
@settings(max_examples=60, deadline=None)
def test_pages_fetched_while_others_write_form_the_first_pages_snapshot(
    before: list[tuple[str, str, str]], between: list[list[tuple[str, str, str]]], limit: int
) -> None:
    store = Store(FakeClock(), rng=random.Random(0))
    store.create(PODS, make_pod("seed"))
    for op in before:
        _apply(store, *op)
    snapshot = store.list(PODS).items

    pages: list[dict[str, Any]] = []
    page = store.list(PODS, limit=limit)
    pages.extend(page.items)
    writes = iter(between)
    while page.continue_:
        for op in next(writes, []):
            _apply(store, *op)
        page = store.list(PODS, limit=limit, continue_=page.continue_)
        pages.extend(page.items)

    assert pages == snapshot
