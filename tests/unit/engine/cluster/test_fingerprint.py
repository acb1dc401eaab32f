"""A fingerprint of everything a fixed scenario makes observable, for byte-identical refactors.

Performance work on the write path (schema walks, managed fields, the scheduler's snapshot)
must not change a single byte anybody can see. This specification runs a deterministic mix of
nodes, a quota, an Indexed Job, a Deployment scaled down, bound pods run to completion and
deleted, and bodies with several mistakes at once, then hashes every watch event (type and
raw bytes, in order, per resource) and every error and warning the writes returned. A change
of the digest means observable behaviour changed: if that is intended, say so in the commit
and pin the new digest printed by the failing assertion.
"""

from __future__ import annotations

import hashlib
from typing import Any

from mlkube.api.registry import lookup
from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.engine.errors import ApiError

_WATCHED = (
    "pods",
    "nodes",
    "leases",
    "jobs",
    "events",
    "deployments",
    "replicasets",
    "cronjobs",
    "namespaces",
    "services",
    "endpoints",
    "resourcequotas",
    "configmaps",
    "serviceaccounts",
)

# Bodies with more than one problem each: the errors, and their order, are part of the digest.
_BAD_PODS: tuple[dict[str, Any], ...] = (
    {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "bad-types", "namespace": "default", "labels": {"a": 1}},
        "spec": {"containers": [{"name": 7, "image": "x", "ports": "80"}], "priority": "high"},
    },
    {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "bad-quantity", "namespace": "default", "bogus": 1},
        "spec": {
            "containers": [
                {
                    "name": "m",
                    "image": "x",
                    "unknownField": True,
                    "resources": {"requests": {"cpu": "lots", "memory": "1Gi"}},
                }
            ],
            "nodeSelector": {},
        },
    },
    {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "Bad_Name", "namespace": "default"},
        "spec": {"containers": [{"name": "m", "image": ""}, {"name": "m", "image": "y"}]},
    },
    {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "unknowns", "namespace": "default", "bogus": 1, "labels": {}},
        "spec": {
            "containers": [
                {
                    "name": "m",
                    "image": "x",
                    "unknownField": True,
                    "env": [],
                    "resources": {"requests": {"cpu": "0.5", "memory": "1e3"}},
                }
            ],
            "nodeSelector": {},
            "extra": {"deep": [1]},
        },
    },
)

_EXPECTED = "5ee0f030f427c7ac6b67bbad81056873c17e42e6f3849218fbe680bc08684566"


def _pod(i: int, nodes: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"train-{i:06d}",
            "namespace": "default",
            "annotations": {"sim.mlkube.io/run-for": "10s"},
        },
        "spec": {
            "nodeName": f"node-{i % nodes:04d}",
            "restartPolicy": "Never",
            "containers": [
                {
                    "name": "main",
                    "image": "ghcr.io/example/train:1.0",
                    "resources": {"requests": {"cpu": "10m"}},
                }
            ],
        },
    }


def _scenario() -> tuple[str, int]:
    c = Cluster(clock=FakeClock(), seed=0)
    pods = lookup("pods")
    watches = [c.api.watch(lookup(r), None, resource_version="0") for r in _WATCHED]
    outcomes = hashlib.sha256()
    for i in range(20):
        c.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{i:04d}"}})
    c.run_until_idle()
    c.create(
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "q", "namespace": "default"},
            "spec": {"hard": {"pods": "1000", "requests.cpu": "100"}},
        }
    )
    template = {
        "metadata": {"annotations": {"sim.mlkube.io/run-for": "5s"}},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "m", "image": "x", "resources": {"requests": {"cpu": "100m"}}}],
        },
    }
    c.create(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "pi", "namespace": "default"},
            "spec": {
                "completions": 12,
                "parallelism": 4,
                "completionMode": "Indexed",
                "backoffLimit": 3,
                "template": template,
            },
        }
    )
    c.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
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
    c.advance(30)
    for i in range(60):
        result = c.api.create(pods, _pod(i, 20), namespace="default")
        outcomes.update(repr(result.warnings).encode())
    for bad in _BAD_PODS:
        for validation in ("Strict", "Warn"):
            try:
                result = c.api.create(pods, bad, namespace="default", field_validation=validation)
                outcomes.update(repr(("created", result.warnings)).encode())
            except ApiError as e:
                outcomes.update(repr((e.code, e.reason, e.message, e.details)).encode())
    c.advance(15)
    for i in range(60):
        c.api.delete(pods, "default", f"train-{i:06d}")
    c.patch("deployments", "web", {"spec": {"replicas": 1}}, namespace="default")
    c.advance(60)
    digest = hashlib.sha256(outcomes.digest())
    events = 0
    for resource, watch in zip(_WATCHED, watches, strict=True):
        for event in watch.drain():
            digest.update(resource.encode())
            digest.update(event.type.encode())
            digest.update(event.raw)
            events += 1
    return digest.hexdigest(), events


def test_a_fixed_scenario_shows_byte_for_byte_the_same_events_errors_and_warnings() -> None:
    assert _scenario() == (_EXPECTED, 838)
