"""Time as a parameter: the one Clock protocol every engine component takes.

Nothing in the engine reads the wall clock directly. The served cluster runs on a
:class:`RealClock`; tests and simulations run on a :class:`FakeClock`, whose time moves
only when told (``advance``) or, in a simulation, jumps from timer to timer
(``run_until``), so a simulated week costs what its events cost, not a week.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["EPOCH", "Clock", "FakeClock", "RealClock", "Timer"]

#: Where a FakeClock starts unless told otherwise.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class Clock(Protocol):
    """A source of time and timers.

    ``now()`` is UTC-aware wall time (for timestamps written into objects);
    ``monotonic()`` is seconds that never go backwards (for durations and timers).
    ``call_at(when, fn)`` schedules ``fn`` at monotonic time ``when``; a clock never runs
    a timer early, and timers due at the same time run in the order they were set.
    """

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...

    def call_at(self, when: float, fn: Callable[[], None]) -> Timer: ...

    def call_later(self, delay: float, fn: Callable[[], None]) -> Timer: ...


@dataclass(order=True)
class Timer:
    """A scheduled callback; ``cancel()`` stops it from running."""

    when: float
    seq: int
    fn: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class _TimerQueue:
    def __init__(self) -> None:
        self._heap: list[Timer] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()

    def push(self, when: float, fn: Callable[[], None]) -> Timer:
        timer = Timer(when, next(self._seq), fn)
        with self._lock:
            heapq.heappush(self._heap, timer)
        return timer

    def next_due(self) -> float | None:
        with self._lock:
            while self._heap and self._heap[0].cancelled:
                heapq.heappop(self._heap)
            return self._heap[0].when if self._heap else None

    def pop_due(self, now: float) -> Timer | None:
        with self._lock:
            while self._heap and self._heap[0].cancelled:
                heapq.heappop(self._heap)
            if self._heap and self._heap[0].when <= now:
                return heapq.heappop(self._heap)
            return None

    def __len__(self) -> int:
        with self._lock:
            return sum(1 for t in self._heap if not t.cancelled)


class FakeClock:
    """A clock that moves only when told: tests assert exact timings with it.

    ``advance(seconds)`` moves time forward and runs every timer that falls due, each at
    its own time (``monotonic()`` reads the timer's ``when`` inside its callback).
    ``run_until(t)`` does the same up to monotonic ``t``; ``run_next()`` jumps straight to
    the next timer, which is how simulations skip idle time.
    """

    def __init__(self, start: datetime = EPOCH) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._start = start.astimezone(UTC)
        self._elapsed = 0.0
        self._timers = _TimerQueue()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return self._elapsed

    def call_at(self, when: float, fn: Callable[[], None]) -> Timer:
        return self._timers.push(when, fn)

    def call_later(self, delay: float, fn: Callable[[], None]) -> Timer:
        return self._timers.push(self._elapsed + max(0.0, delay), fn)

    def next_timer(self) -> float | None:
        """Monotonic time of the next pending timer, if any."""
        return self._timers.next_due()

    def pending(self) -> int:
        return len(self._timers)

    def run_until(self, when: float) -> int:
        """Run every timer due up to ``when``, then set time to ``when``; returns how many ran."""
        ran = 0
        while (timer := self._timers.pop_due(when)) is not None:
            self._elapsed = max(self._elapsed, timer.when)
            timer.fn()
            ran += 1
        self._elapsed = max(self._elapsed, when)
        return ran

    def advance(self, seconds: float) -> int:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        return self.run_until(self._elapsed + seconds)

    def run_next(self) -> bool:
        """Jump to the next timer and run everything due then; False when none is pending."""
        due = self._timers.next_due()
        if due is None:
            return False
        self.run_until(max(due, self._elapsed))
        return True


class RealClock:
    """Wall time for the served cluster; timers run when :meth:`run_due` is called.

    The served cluster's loop calls ``run_due()`` and sleeps until ``next_timer()``;
    no thread is started here.
    """

    def __init__(self) -> None:
        self._timers = _TimerQueue()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def call_at(self, when: float, fn: Callable[[], None]) -> Timer:
        return self._timers.push(when, fn)

    def call_later(self, delay: float, fn: Callable[[], None]) -> Timer:
        return self._timers.push(time.monotonic() + max(0.0, delay), fn)

    def next_timer(self) -> float | None:
        return self._timers.next_due()

    def run_due(self) -> int:
        ran = 0
        now = time.monotonic()
        while (timer := self._timers.pop_due(now)) is not None:
            timer.fn()
            ran += 1
        return ran
