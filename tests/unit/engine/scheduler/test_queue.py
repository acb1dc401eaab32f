"""The scheduling queue: priority order, backoff from 1 s doubling to 10 s, events, gates.

Behaviour from pkg/scheduler/backend/queue/scheduling_queue.go (calculateBackoffDuration,
PrioritySort's Less, flushBackoffQCompleted, flushUnschedulablePodsLeftover).
"""

from __future__ import annotations

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.scheduler import SchedulingQueue
from mlkube.engine.scheduler.queue import backoff_duration

from .builders import make_pod


@pytest.mark.parametrize(
    ("attempts", "want"),
    [
        pytest.param(1, 1.0, id="the first failure backs off one second"),
        pytest.param(2, 2.0, id="the second doubles it"),
        pytest.param(4, 8.0, id="the fourth waits eight seconds"),
        pytest.param(5, 10.0, id="the fifth is capped at ten seconds"),
        pytest.param(30, 10.0, id="many failures stay at the cap"),
    ],
)
def test_backoff_duration(attempts: int, want: float) -> None:
    assert backoff_duration(attempts, 1.0, 10.0) == want


def test_higher_priority_pops_first_then_earlier_arrival() -> None:
    clock = FakeClock()
    queue = SchedulingQueue(clock)
    queue.add(make_pod("low").priority(1).obj())
    clock.advance(1)
    queue.add(make_pod("high").priority(100).obj())
    clock.advance(1)
    queue.add(make_pod("low2").priority(1).obj())
    names = []
    while (item := queue.pop()) is not None:
        names.append(item.pod["metadata"]["name"])
    assert names == ["high", "low", "low2"]


def test_an_error_backs_off_for_exactly_the_backoff() -> None:
    clock = FakeClock()
    queue = SchedulingQueue(clock)
    queue.add(make_pod("p").obj())
    item = queue.pop()
    assert item is not None
    queue.add_unschedulable(item, error=True)
    clock.advance(0.999)
    assert queue.pop() is None
    clock.advance(0.001)
    popped = queue.pop()
    assert popped is not None
    assert popped.attempts == 2


def test_an_unschedulable_pod_waits_for_an_event() -> None:
    clock = FakeClock()
    queue = SchedulingQueue(clock)
    queue.add(make_pod("p").obj())
    item = queue.pop()
    assert item is not None
    queue.add_unschedulable(item)
    clock.advance(30)
    assert (queue.pop(), queue.where("uid-ml-p")) == (None, "unschedulable")
    queue.move_all_to_active_or_backoff("NodeAdd")
    assert queue.where("uid-ml-p") == "active"


def test_an_event_during_backoff_moves_the_pod_to_backoff() -> None:
    clock = FakeClock()
    queue = SchedulingQueue(clock)
    queue.add(make_pod("p").obj())
    item = queue.pop()
    assert item is not None
    queue.add_unschedulable(item)
    clock.advance(0.5)
    queue.move_all_to_active_or_backoff("PodDelete")
    assert queue.where("uid-ml-p") == "backoff"
    assert queue.next_wakeup() == pytest.approx(1.0 + clock.monotonic() - 0.5)


def test_an_unschedulable_pod_is_retried_after_five_minutes() -> None:
    clock = FakeClock()
    queue = SchedulingQueue(clock)
    queue.add(make_pod("p").obj())
    item = queue.pop()
    assert item is not None
    queue.add_unschedulable(item)
    clock.advance(300)
    assert queue.pop() is None
    clock.advance(0.001)
    assert queue.pop() is not None


def test_a_gated_pod_waits_until_its_gates_are_removed() -> None:
    clock = FakeClock()
    queue = SchedulingQueue(clock)
    gated = make_pod("p").obj()
    gated["spec"]["schedulingGates"] = [{"name": "example.com/quota"}]
    queue.add(gated)
    assert (queue.pop(), queue.where(gated)) == (None, "gated")
    ungated = make_pod("p").obj()
    queue.update(ungated)
    item = queue.pop()
    assert item is not None
    assert item.key == "uid-ml-p"


def test_a_deleted_pod_never_pops() -> None:
    queue = SchedulingQueue(FakeClock())
    pod = make_pod("p").obj()
    queue.add(pod)
    queue.delete(pod)
    assert queue.pop() is None
