"""Shared informers: every controller reads one decoded view of each event, in the order of
its own ``watched`` types, as kube-controller-manager's shared informers hand them out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mlkube.api.registry import ResourceType, lookup
from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.engine.store import Event

PODS, CONFIGMAPS = lookup("pods"), lookup("configmaps")


class _Recorder:
    """A controller that only records what it is handed."""

    def __init__(self, name: str, watched: Sequence[ResourceType]) -> None:
        self.NAME = name
        self._watched = tuple(watched)
        self.seen: list[tuple[str, str, dict[str, Any]]] = []

    @property
    def watched(self) -> Sequence[ResourceType]:
        return self._watched

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        self.seen.append((rt.plural, event.type, event.view))
        return ()

    def sync(self, key: str) -> float | None:
        return None


def _cluster(*recorders: _Recorder) -> Cluster:
    return Cluster(clock=FakeClock(), seed=0, controllers=[lambda c, r=r: r for r in recorders])


def _pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "main", "image": "busybox:1.36"}]},
    }


def test_controllers_watching_one_type_are_handed_the_same_view_of_each_event() -> None:
    first, second = _Recorder("first", [PODS]), _Recorder("second", [PODS])
    c = _cluster(first, second)
    c.run_until_idle()
    c.create(_pod("a"))

    c.step()

    [(_, kind, view)] = [s for s in first.seen if s[2]["metadata"]["name"] == "a"]
    [(_, _, other)] = [s for s in second.seen if s[2]["metadata"]["name"] == "a"]
    assert kind == "ADDED"
    assert other is view


def test_a_view_leaves_out_managed_fields_as_upstreams_informers_trim_them() -> None:
    recorder = _Recorder("recorder", [PODS])
    c = _cluster(recorder)
    stored = c.create(_pod("a"))

    c.step()

    [(_, _, view)] = recorder.seen
    assert stored["metadata"]["managedFields"]
    assert "managedFields" not in view["metadata"]
    del stored["metadata"]["managedFields"]
    assert view == stored


def test_a_controller_sees_its_types_in_the_order_it_lists_them() -> None:
    recorder = _Recorder("recorder", [CONFIGMAPS, PODS])
    c = _cluster(recorder)
    c.step()
    recorder.seen.clear()
    c.create(_pod("a"))
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}})

    c.step()

    assert [(plural, kind) for plural, kind, _ in recorder.seen] == [
        ("configmaps", "ADDED"),
        ("pods", "ADDED"),
    ]
