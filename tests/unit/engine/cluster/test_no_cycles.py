"""A running cluster makes no reference cycles, so pausing the cycle collector costs nothing.

``ControllerManager.step`` pauses Python's cycle collector while controllers and kubelets
work (see its docstring): everything a step allocates is freed by reference counting. That
holds only while the engine's steady state creates no cyclic garbage (a recursive closure,
an object that points back at its owner, a caught exception kept with its traceback). This
specification runs Indexed Jobs with TTL, Deployments created and deleted, bound pods run
to completion and deleted, under a quota, and requires the collector to find nothing after
the warm-up (caches and lazily built tables are filled on first use and are not garbage).
"""

from __future__ import annotations

import collections
import gc

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster


def _round(c: Cluster, n: int) -> None:
    c.create(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": f"sweep-{n}", "namespace": "default"},
            "spec": {
                "completions": 6,
                "parallelism": 3,
                "completionMode": "Indexed",
                "ttlSecondsAfterFinished": 5,
                "template": {
                    "metadata": {"annotations": {"sim.mlkube.io/run-for": "5s"}},
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [
                            {"name": "m", "image": "x", "resources": {"requests": {"cpu": "100m"}}}
                        ],
                    },
                },
            },
        }
    )
    c.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": f"serve-{n}", "namespace": "default"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": f"serve-{n}"}},
                "template": {
                    "metadata": {"labels": {"app": f"serve-{n}"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "w",
                                "image": "nginx",
                                "resources": {"requests": {"cpu": "50m"}},
                            }
                        ]
                    },
                },
            },
        }
    )
    for i in range(4):
        c.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"bound-{n}-{i}",
                    "namespace": "default",
                    "annotations": {"sim.mlkube.io/run-for": "3s"},
                },
                "spec": {
                    "nodeName": f"node-{i}",
                    "restartPolicy": "Never",
                    "containers": [
                        {"name": "m", "image": "x", "resources": {"requests": {"cpu": "10m"}}}
                    ],
                },
            }
        )
    c.advance(60)
    c.delete("deployments", f"serve-{n}", namespace="default")
    for i in range(4):
        c.delete("pods", f"bound-{n}-{i}", namespace="default")
    c.advance(30)


def _warm_cluster() -> Cluster:
    c = Cluster(clock=FakeClock(), seed=0)
    for i in range(4):
        c.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{i}"}})
    c.create(
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "q", "namespace": "default"},
            "spec": {"hard": {"pods": "100", "requests.cpu": "10"}},
        }
    )
    c.run_until_idle()
    _round(c, 0)
    return c


def test_jobs_deployments_and_bound_pods_leave_no_cyclic_garbage() -> None:
    c = _warm_cluster()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for n in range(1, 4):
            _round(c, n)
        gc.collect()
        found = collections.Counter(type(o).__name__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert c.list("jobs", "default") == [], "every Job ran and its TTL expired"
    assert found == collections.Counter(), f"cyclic garbage per type: {found.most_common(10)}"
