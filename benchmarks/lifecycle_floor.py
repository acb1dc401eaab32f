"""Lower bounds for ``lifecycle.py``: what moving a lifecycle's data costs before any logic.

``lifecycle.py`` measures whole lifecycles through the engine. This script asks how fast any
engine could go that keeps the same contract, by timing only the data movement a lifecycle
needs, on the exact bytes the engine stores for one pod (captured from a watch):

- **copies**: the API hands out private, mutable dicts, as Kubernetes clients get their
  own decoded objects. Each write then copies the request body in, encodes the stored
  object, and decodes it once for the informers and once for the writer's answer; the
  client's ``get`` is one more decode. No validation, admission, managed fields, store
  index, controller or scheduler work is counted.
- **sharing**: objects are immutable and shared (no copy anywhere, no encoding): a write
  is one shallow copy of the object and of the parts it changes, an index insert, and one
  call per controller watching pods. This is the floor of a redesign around structural
  sharing, again before any logic runs.

    python benchmarks/lifecycle_floor.py [--repeat 20000]

The last line is ``floor lifecycles/s: <number>`` (the copies bound, the current design's).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import msgspec

from mlkube.api.registry import lookup
from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.engine.kubelet import RUN_FOR

PODS = lookup("pods")
_decode = msgspec.json.decode
_encode = msgspec.json.Encoder().encode


def capture() -> tuple[list[bytes], int]:
    """The raw bytes of every watch event of one pod's lifecycle (create, kubelet writes,
    graceful delete, removal) on a one-node cluster with every controller, and how many
    controllers watch pods."""
    c = Cluster(clock=FakeClock(), seed=0)
    c.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-0000"}})
    c.run_until_idle()
    watch = c.api.watch(PODS, "default", resource_version=c.store.current_resource_version())
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "train-0", "namespace": "default", "annotations": {RUN_FOR: "10s"}},
        "spec": {
            "nodeName": "node-0000",
            "restartPolicy": "Never",
            "containers": [{"name": "main", "image": "ghcr.io/example/train:1.0"}],
        },
    }
    c.api.create(PODS, body, namespace="default")
    c.advance(11)
    c.api.delete(PODS, "default", "train-0")
    c.advance(1)
    raws = [event.raw for event in watch.drain()]
    watchers = sum(1 for ctl in c.controllers.controllers if PODS in ctl.watched)
    return raws, watchers


def best(fn: Callable[[], None], repeat: int) -> float:
    """Best of five runs of ``fn`` ``repeat`` times, in seconds per call."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        times.append((time.perf_counter() - start) / repeat)
    return min(times)


def copies(raws: list[bytes]) -> Callable[[], None]:
    objects = [_decode(raw) for raw in raws]

    def lifecycle() -> None:
        for raw, obj in zip(raws, objects, strict=True):
            _decode(raw)  # the request body, copied in
            stored = _encode(obj)  # the stored encoding
            _decode(stored)  # the informers' view
            _decode(stored)  # the writer's answer
        _decode(raws[-2])  # the client's get

    return lifecycle


def sharing(raws: list[bytes], watchers: int) -> Callable[[], None]:
    objects: list[dict[str, Any]] = [_decode(raw) for raw in raws]

    def notified(key: str, obj: dict[str, Any]) -> None:
        return None

    callbacks = [notified] * watchers
    index: dict[str, dict[str, Any]] = {}

    def lifecycle() -> None:
        for rv, obj in enumerate(objects):
            new = {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(rv)}}
            if "status" in obj:
                new["status"] = {**obj["status"]}
            index["default/train-0"] = new
            for callback in callbacks:
                callback("default/train-0", new)
        index.pop("default/train-0", None)

    return lifecycle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20000)
    args = parser.parse_args()
    raws, watchers = capture()
    sizes = ", ".join(str(len(raw)) for raw in raws)
    print(f"one lifecycle: {len(raws)} writes (stored sizes {sizes} bytes)")
    print(f"controllers watching pods: {watchers}")
    copy_s = best(copies(raws), args.repeat)
    share_s = best(sharing(raws, watchers), args.repeat)
    print(f"sharing floor: {share_s * 1e6:.1f} us per lifecycle ({1 / share_s:,.0f} lifecycles/s)")
    print(f"copies floor: {copy_s * 1e6:.1f} us per lifecycle ({1 / copy_s:,.0f} lifecycles/s)")
    print(f"floor lifecycles/s: {1 / copy_s:.0f}")


if __name__ == "__main__":
    main()
