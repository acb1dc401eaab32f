"""Fixtures for scheduler tests: a scheduler over nodes and pods, reference or vectorised."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest

from mlkube.engine.scheduler import (
    CycleState,
    NodeInfo,
    PodInfo,
    Scheduler,
    Snapshot,
    Status,
)

SchedulerFactory = Callable[..., Scheduler]


@pytest.fixture(params=[False, True], ids=["reference", "vectorised"])
def new_scheduler(request: pytest.FixtureRequest) -> SchedulerFactory:
    """Build a Scheduler over nodes and pods; runs each test on both paths."""

    def build(
        nodes: Iterable[Mapping[str, Any]], pods: Iterable[Mapping[str, Any]] = (), **kwargs: Any
    ) -> Scheduler:
        snapshot = Snapshot(list(nodes), list(pods), **kwargs.pop("objects", {}))
        return Scheduler(snapshot, vectorised=request.param, **kwargs)

    return build


def node_info(node: Mapping[str, Any], *pods: Mapping[str, Any]) -> NodeInfo:
    """A NodeInfo with pods accounted on it."""
    info = NodeInfo(node)
    for pod in pods:
        info.add_pod(PodInfo(pod))
    return info


def run_filter(plugin: Any, pod: Mapping[str, Any], info: NodeInfo) -> Status | None:
    """PreFilter (if any) then Filter, as the framework runs them for one node."""
    state = CycleState()
    pod_info = PodInfo(pod)
    if hasattr(plugin, "pre_filter"):
        _, status = plugin.pre_filter(state, pod_info)
        if status is not None:
            return None if status.code.name == "Skip" else status
    status = plugin.filter(state, pod_info, info)
    assert status is None or isinstance(status, Status)
    return status
