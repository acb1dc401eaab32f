"""DefaultBinder: bind the pod by handing (pod, node) to the embedding cluster's bind callback.

Upstream POSTs a ``Binding`` (``pkg/scheduler/framework/plugins/defaultbinder/default_binder.go``);
here the scheduler's ``bind`` callback does the write through the store.
"""

from __future__ import annotations

from typing import Final

from mlkube.engine.scheduler.framework import CycleState, Handle, PodInfo, Status

__all__ = ["NAME", "DefaultBinder"]

NAME: Final = "DefaultBinder"


class DefaultBinder:
    name = NAME

    def __init__(self, handle: Handle) -> None:
        self._handle = handle

    def bind(self, state: CycleState, pod: PodInfo, node_name: str) -> Status | None:
        # The scheduler calls its bind callback after the bind plugins; nothing to do here.
        return None
