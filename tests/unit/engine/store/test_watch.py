"""watch: start points, 410 Gone, bookmarks, selector transitions, threads and asyncio."""

from __future__ import annotations

import asyncio
import threading

import msgspec
import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.errors import Gone, Timeout
from mlkube.engine.store import ADDED, BOOKMARK, DELETED, MODIFIED, Event, Store

from .conftest import JOBS, PODS, make_pod


def _summary(events: list[Event]) -> list[tuple[str, str]]:
    return [(e.type, e.object["metadata"].get("name", "")) for e in events]


def test_a_watch_without_resource_version_replays_the_state_then_streams(store: Store) -> None:
    store.create(PODS, make_pod("b"))
    store.create(PODS, make_pod("a"))

    watch = store.watch(PODS)
    store.create(PODS, make_pod("c"))

    assert _summary(watch.drain()) == [(ADDED, "a"), (ADDED, "b"), (ADDED, "c")]


def test_a_watch_from_zero_also_replays_the_state(store: Store) -> None:
    store.create(PODS, make_pod("a"))

    watch = store.watch(PODS, resource_version="0")

    [event] = watch.drain()
    assert (event.type, event.resource_version) == (ADDED, 1)


def test_a_watch_from_a_version_sends_every_change_after_it(store: Store) -> None:
    a = store.create(PODS, make_pod("a"))
    store.create(PODS, make_pod("b"))
    a["metadata"]["labels"] = {"v": "1"}
    store.update(PODS, a)
    store.delete(PODS, "ml", "b")

    watch = store.watch(PODS, resource_version="2")

    events = watch.drain()
    assert [(e.type, e.resource_version) for e in events] == [(MODIFIED, 3), (DELETED, 4)]


def test_events_of_other_types_are_not_delivered(store: Store) -> None:
    watch = store.watch(PODS, resource_version="0")

    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})

    assert watch.drain() == []


def test_a_watch_from_a_version_older_than_the_history_is_gone(clock: FakeClock) -> None:
    store = Store(clock, watch_history=3)
    for name in "abcde":
        store.create(PODS, make_pod(name))

    with pytest.raises(Gone) as info:
        store.watch(PODS, resource_version="1")

    assert info.value.to_status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "too old resource version: 1 (2)",
        "reason": "Expired",
        "code": 410,
    }


def test_the_oldest_version_still_in_the_history_can_be_watched(clock: FakeClock) -> None:
    store = Store(clock, watch_history=3)
    for name in "abcde":
        store.create(PODS, make_pod(name))

    watch = store.watch(PODS, resource_version="2")

    assert [e.resource_version for e in watch.drain()] == [3, 4, 5]


def test_a_watch_from_the_future_times_out(store: Store) -> None:
    with pytest.raises(Timeout, match=r"^Timeout: Too large resource version: 5, current: 0$"):
        store.watch(PODS, resource_version="5")


def test_the_initial_state_ends_with_an_annotated_bookmark(store: Store) -> None:
    store.create(PODS, make_pod("a"))
    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})

    watch = store.watch(PODS, allow_bookmarks=True)

    added, bookmark = watch.drain()
    assert added.type == ADDED
    assert bookmark.type == BOOKMARK
    assert bookmark.object == {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            "resourceVersion": "2",
            "annotations": {"k8s.io/initial-events-end": "true"},
        },
    }


def test_no_bookmark_unless_allowed(store: Store) -> None:
    store.create(PODS, make_pod("a"))
    watch = store.watch(PODS)

    sent = store.send_bookmarks()

    assert sent == 0
    assert [e.type for e in watch.drain()] == [ADDED]


def test_periodic_bookmarks_carry_only_the_resource_version(store: Store) -> None:
    store.create(PODS, make_pod("a"))
    quiet = store.watch(PODS, resource_version="1")
    watch = store.watch(PODS, resource_version="1", allow_bookmarks=True)
    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})

    assert store.send_bookmarks(PODS) == 1

    [bookmark] = watch.drain()
    assert bookmark.object == {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": "2"},
    }
    assert quiet.drain() == []


def test_send_initial_events_false_starts_from_now(store: Store) -> None:
    store.create(PODS, make_pod("a"))

    watch = store.watch(PODS, send_initial_events=False)
    store.create(PODS, make_pod("b"))

    assert _summary(watch.drain()) == [(ADDED, "b")]


@pytest.mark.parametrize(
    ("before", "after", "seen"),
    [
        pytest.param(
            {"app": "web"}, {"app": "web", "v": "2"}, MODIFIED, id="still matching: MODIFIED"
        ),
        pytest.param({"app": "web"}, {"app": "db"}, DELETED, id="stops matching: DELETED"),
        pytest.param({"app": "db"}, {"app": "web"}, ADDED, id="starts matching: ADDED"),
        pytest.param({"app": "db"}, {"app": "cache"}, None, id="never matching: nothing"),
    ],
)
def test_selector_transitions(
    store: Store, before: dict[str, str], after: dict[str, str], seen: str | None
) -> None:
    pod = store.create(PODS, make_pod("a", labels=before))
    live = store.watch(PODS, resource_version="1", label_selector="app=web")
    pod["metadata"]["labels"] = after

    store.update(PODS, pod)
    replayed = store.watch(PODS, resource_version="1", label_selector="app=web")

    for watch in (live, replayed):
        events = watch.drain()
        assert [e.type for e in events] == ([seen] if seen else [])
        if events:
            assert events[0].object["metadata"]["labels"] == after
            assert events[0].resource_version == 2


def test_a_field_selector_watch_follows_a_pod_onto_its_node(store: Store) -> None:
    pod = store.create(PODS, make_pod("a"))
    watch = store.watch(PODS, field_selector="spec.nodeName=n1")
    pod["spec"]["nodeName"] = "n1"

    store.update(PODS, pod)
    store.delete(PODS, "ml", "a")

    assert _summary(watch.drain()) == [(ADDED, "a"), (DELETED, "a")]


def test_a_namespaced_watch_sees_only_its_namespace(store: Store) -> None:
    watch = store.watch(PODS, "ml")

    store.create(PODS, make_pod("a", "other"))
    store.create(PODS, make_pod("b", "ml"))

    assert _summary(watch.drain()) == [(ADDED, "b")]


def test_every_watcher_gets_every_event_in_order(store: Store) -> None:
    watches = [store.watch(PODS, resource_version="0") for _ in range(3)]

    for name in "abc":
        store.create(PODS, make_pod(name))

    for watch in watches:
        assert [e.resource_version for e in watch.drain()] == [1, 2, 3]


def test_stop_ends_the_stream_and_unregisters(store: Store) -> None:
    watch = store.watch(PODS)
    store.create(PODS, make_pod("a"))

    watch.stop()
    store.create(PODS, make_pod("b"))

    assert [e.object["metadata"]["name"] for e in watch] == ["a"]
    assert watch.next(timeout=0) is None


def test_next_returns_none_on_timeout(store: Store) -> None:
    watch = store.watch(PODS)

    assert watch.next(timeout=0.01) is None


def test_next_wakes_up_when_another_thread_commits(store: Store) -> None:
    watch = store.watch(PODS)
    writer = threading.Thread(target=lambda: store.create(PODS, make_pod("a")))

    writer.start()
    event = watch.next(timeout=30)
    writer.join()

    assert event is not None
    assert event.type == ADDED


def test_an_event_frames_as_one_watch_json_line(store: Store) -> None:
    watch = store.watch(PODS)
    created = store.create(PODS, make_pod("a"))

    [event] = watch.drain()

    assert msgspec.json.decode(event.to_json()) == {"type": "ADDED", "object": created}
    assert b"\n" not in event.to_json()


def test_each_access_to_an_event_object_is_a_private_copy(store: Store) -> None:
    watch = store.watch(PODS)
    store.create(PODS, make_pod("a"))
    [event] = watch.drain()

    event.object["metadata"]["name"] = "mutated"

    assert event.object["metadata"]["name"] == "a"


def test_async_iteration_receives_events_committed_from_another_thread(store: Store) -> None:
    async def main() -> list[str]:
        watch = store.watch(PODS)
        loop = asyncio.get_running_loop()

        def write() -> None:
            for name in "abc":
                store.create(PODS, make_pod(name))
            watch.stop()

        writer = loop.run_in_executor(None, write)
        names = [e.object["metadata"]["name"] async for e in watch]
        await writer
        return names

    assert asyncio.run(main()) == ["a", "b", "c"]


def test_awaiting_an_event_leaves_the_loop_free(store: Store) -> None:
    async def main() -> tuple[list[str], str | None]:
        watch = store.watch(PODS)
        ticks: list[str] = []
        getter = asyncio.ensure_future(watch.get())
        for i in range(3):
            await asyncio.sleep(0)
            ticks.append(f"tick{i}")
        store.create(PODS, make_pod("a"))
        event = await getter
        return ticks, event.object["metadata"]["name"] if event else None

    assert asyncio.run(main()) == (["tick0", "tick1", "tick2"], "a")


def test_close_stops_every_watch(store: Store) -> None:
    watch = store.watch(PODS)

    store.close()

    assert watch.stopped


def test_the_too_old_message_names_the_version_before_the_oldest_kept_event(
    clock: FakeClock,
) -> None:
    store = Store(clock, watch_history=2)
    store.create(PODS, make_pod("a"))
    store.create(PODS, make_pod("b"))
    store.create(JOBS, {"metadata": {"name": "t", "namespace": "ml"}})
    store.create(PODS, make_pod("c"))
    store.create(PODS, make_pod("d"))

    with pytest.raises(Gone, match=r"^too old resource version: 2 \(3\)$"):
        store.watch(PODS, resource_version="2")
    assert [e.resource_version for e in store.watch(PODS, resource_version="3").drain()] == [4, 5]


def test_a_field_selector_watch_replays_changes_committed_before_it_existed(store: Store) -> None:
    pod = store.create(PODS, make_pod("a"))
    pod["spec"]["nodeName"] = "n1"
    pod = store.update(PODS, pod)
    pod["spec"]["nodeName"] = "n2"
    store.update(PODS, pod)

    watch = store.watch(PODS, resource_version="1", field_selector="spec.nodeName=n1")

    assert [(e.type, e.resource_version) for e in watch.drain()] == [(ADDED, 2), (DELETED, 3)]


def test_a_field_selector_list_sees_objects_written_while_a_field_watch_ran(store: Store) -> None:
    watch = store.watch(PODS, field_selector="spec.nodeName=n1")
    store.create(PODS, make_pod("a", node="n1"))
    watch.stop()
    store.create(PODS, make_pod("b", node="n1"))

    names = [
        i["metadata"]["name"] for i in store.list(PODS, field_selector="spec.nodeName=n1").items
    ]

    assert names == ["a", "b"]


def test_a_watcher_that_falls_too_far_behind_is_terminated(clock: FakeClock) -> None:
    store = Store(clock, watch_queue_limit=2)
    for name in "abc":
        store.create(PODS, make_pod(name))
    slow = store.watch(PODS)
    keeping_up = store.watch(PODS)

    for name in "xyz":
        store.create(PODS, make_pod(name))
        keeping_up.drain()

    assert slow.terminated
    assert slow.next(timeout=0) is None
    assert not keeping_up.terminated
    store.create(PODS, make_pod("w"))
    assert [e.object["metadata"]["name"] for e in keeping_up.drain()] == ["w"]


def test_initial_events_do_not_count_against_the_queue_limit(clock: FakeClock) -> None:
    store = Store(clock, watch_queue_limit=2)
    for name in "abcde":
        store.create(PODS, make_pod(name))

    watch = store.watch(PODS)
    store.create(PODS, make_pod("f"))

    assert not watch.terminated
    assert len(watch.drain()) == 6
