"""Builders for platform specs: ``platform().pool("gpu", gpus=8).team("vision", ...)``.

Each builder method adds one part of the spec as the user would write it in YAML; ``data()``
is the raw document (for shape tests) and ``build()`` the loaded :class:`Platform`.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from mlkube.platform.spec import Platform, loads


class PlatformBuilder:
    def __init__(self, name: str = "acme-ml") -> None:
        self._doc: dict[str, Any] = {
            "apiVersion": "mlkube.io/v1alpha1",
            "kind": "Platform",
            "metadata": {"name": name},
        }

    def pool(
        self,
        name: str,
        *,
        nodes: int = 2,
        cpu: str = "16",
        memory: str = "64Gi",
        gpus: str | None = None,
        taint: str | None = None,
        **extra: Any,
    ) -> PlatformBuilder:
        """A pool; ``taint="key=value:Effect"`` as kubectl taint writes it."""
        capacity: dict[str, Any] = {"cpu": cpu, "memory": memory}
        if gpus is not None:
            capacity["nvidia.com/gpu"] = gpus
        pool: dict[str, Any] = {"name": name, "nodes": nodes, "capacity": capacity}
        if taint is not None:
            key_value, _, effect = taint.partition(":")
            key, _, value = key_value.partition("=")
            pool["taints"] = [{"key": key, "value": value, "effect": effect}]
        pool.update(extra)
        self._doc.setdefault("pools", []).append(pool)
        return self

    def gpu_pool(self, name: str = "gpu-a100", nodes: int = 4) -> PlatformBuilder:
        return self.pool(
            name,
            nodes=nodes,
            cpu="96",
            memory="1152Gi",
            gpus="8",
            taint="nvidia.com/gpu=present:NoSchedule",
        )

    def team(self, name: str, **fields: Any) -> PlatformBuilder:
        self._doc.setdefault("teams", []).append({"name": name, **fields})
        return self

    def dataset(
        self, name: str, *, teams: list[str], size: str = "1Ti", **fields: Any
    ) -> PlatformBuilder:
        source = (
            {}
            if {"nfs", "csi", "local", "storageClass"} & set(fields)
            else {"nfs": {"server": "nfs.example", "path": f"/exports/{name}"}}
        )
        self._doc.setdefault("datasets", []).append(
            {"name": name, "size": size, "teams": teams, **source, **fields}
        )
        return self

    def priority(self, name: str, value: int, **fields: Any) -> PlatformBuilder:
        self._doc.setdefault("priorities", []).append({"name": name, "value": value, **fields})
        return self

    def profile(self, name: str, *pools: str, **fields: Any) -> PlatformBuilder:
        self._doc.setdefault("profiles", {})[name] = {"pools": list(pools), **fields}
        return self

    def set(self, path: str, value: Any) -> PlatformBuilder:
        """Set one value by a dotted path with indexes: ``set("pools.0.nodes", 3)``."""
        *parents, last = path.split(".")
        node: Any = self._doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
        return self

    def data(self) -> dict[str, Any]:
        return copy.deepcopy(self._doc)

    def yaml(self) -> str:
        return yaml.safe_dump(self._doc, sort_keys=False)

    def build(self) -> Platform:
        return loads(self.yaml())


def platform(name: str = "acme-ml") -> PlatformBuilder:
    return PlatformBuilder(name)


def ml_platform() -> PlatformBuilder:
    """A small, valid platform: a tainted GPU pool, a general pool, one team, one dataset."""
    return (
        platform()
        .gpu_pool(nodes=2)
        .pool("general", nodes=2)
        .team(
            "vision",
            quota={
                "requests.nvidia.com/gpu": "16",
                "requests.cpu": "64",
                "requests.memory": "256Gi",
            },
            defaults={"cpu": "1", "memory": "4Gi"},
            max={"cpu": "96", "memory": "1Ti", "nvidia.com/gpu": "8"},
            members=[{"group": "vision-engineers"}],
        )
        .dataset("imagenet", teams=["vision"], size="2Ti")
        .priority("production", 100000)
        .priority("research", 1000, default=True, preemptible=True)
        .profile("training", "gpu-a100", deadline="24h", ttl="1h", retries=3, priority="research")
        .profile("preprocessing", "general", parallelism=4)
    )
