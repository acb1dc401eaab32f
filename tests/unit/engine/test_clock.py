"""Time as a parameter: FakeClock moves only when told and runs timers at their own time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mlkube.engine.clock import EPOCH, FakeClock, RealClock


def test_a_fake_clock_starts_at_its_epoch_and_does_not_move_by_itself() -> None:
    clock = FakeClock()
    assert clock.now() == EPOCH
    assert clock.monotonic() == 0.0
    assert clock.now() == EPOCH


def test_advance_moves_wall_and_monotonic_time_together() -> None:
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=UTC))
    clock.advance(90)
    assert clock.monotonic() == 90
    assert clock.now() == datetime(2026, 12, 1, 0, 1, 30, tzinfo=UTC)


def test_a_timer_runs_at_its_own_time_during_an_advance() -> None:
    clock = FakeClock()
    seen: list[float] = []
    clock.call_later(10, lambda: seen.append(clock.monotonic()))
    clock.advance(5)
    assert seen == []
    clock.advance(30)
    assert seen == [10.0]
    assert clock.monotonic() == 35


def test_timers_due_together_run_in_the_order_they_were_set() -> None:
    clock = FakeClock()
    seen: list[str] = []
    for name in "abc":
        clock.call_at(3, lambda name=name: seen.append(name))
    clock.advance(3)
    assert seen == ["a", "b", "c"]


def test_a_cancelled_timer_never_runs() -> None:
    clock = FakeClock()
    seen: list[int] = []
    timer = clock.call_later(1, lambda: seen.append(1))
    timer.cancel()
    assert clock.advance(2) == 0
    assert seen == []
    assert clock.pending() == 0


def test_a_timer_set_by_a_timer_runs_in_the_same_advance_when_due() -> None:
    clock = FakeClock()
    seen: list[float] = []

    def first() -> None:
        seen.append(clock.monotonic())
        clock.call_later(2, lambda: seen.append(clock.monotonic()))

    clock.call_later(1, first)
    clock.advance(10)
    assert seen == [1.0, 3.0]


def test_run_next_jumps_over_idle_time_to_the_next_timer() -> None:
    clock = FakeClock()
    clock.call_later(7 * 24 * 3600, lambda: None)
    assert clock.run_next() is True
    assert clock.now() == EPOCH + timedelta(days=7)
    assert clock.run_next() is False


def test_a_clock_cannot_go_backwards() -> None:
    with pytest.raises(ValueError, match="backwards"):
        FakeClock().advance(-1)


def test_a_fake_clock_needs_an_aware_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FakeClock(datetime(2026, 1, 1))


def test_a_real_clock_runs_a_due_timer_when_asked() -> None:
    clock = RealClock()
    seen: list[int] = []
    clock.call_later(0, lambda: seen.append(1))
    assert clock.run_due() == 1
    assert seen == [1]
    assert clock.now().tzinfo is UTC
