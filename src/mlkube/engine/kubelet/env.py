"""A container's environment and volumes, resolved as the kubelet resolves them, for the
local process runtime.

Environment: ``envFrom`` first, then ``env`` in order (a later name wins), ``$(VAR)``
references expanded against what came before (``$$`` escapes), values from ``fieldRef``
(metadata incl. labels and annotations such as the completion index, spec.nodeName,
status IPs), ``configMapKeyRef``, ``secretKeyRef`` and ``resourceFieldRef`` (a missing
limit is the node's allocatable, rounded up by the divisor). Follows
``pkg/kubelet/kubelet_pods.go`` (makeEnvironmentVariables, podFieldSelectorRuntimeValue),
``pkg/api/v1/resource/helpers.go`` (ExtractContainerResourceValue) and
``third_party/forked/golang/expansion/expand.go``.

Volumes are local directories: ``emptyDir`` under the pod's directory; a PVC's data under
the cluster state directory keyed by its bound volume (or the claim's uid while unbound),
so it outlives the pod; configMap, secret, downwardAPI and projected volumes are files
written at start. Each mounted volume's local path is exported as
``MLKUBE_MOUNT_<VOLUME_NAME>`` (upper-cased, ``-`` and ``.`` become ``_``), and an
environment value naming a path at or under a mountPath is translated to the local path
(:func:`translate_path`), so ``MLKUBE_PARAMS_FILE=/etc/mlkube/params/3.json`` opens.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mlkube.api.quantity import parse_quantity

__all__ = [
    "EnvError",
    "Lookup",
    "environment",
    "mount_variable",
    "prepare_volumes",
    "translate_path",
]

#: Reads one object (resource plural, namespace, name); None when it does not exist.
Lookup = Callable[[str, str, str], dict[str, Any] | None]

_FIELD = re.compile(r"metadata\.(labels|annotations)\['(.*)'\]")
_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


class EnvError(ValueError):
    """A reference the kubelet would refuse (CreateContainerConfigError)."""


def mount_variable(volume: str) -> str:
    return "MLKUBE_MOUNT_" + re.sub(r"[-.]", "_", volume).upper()


def _expand(value: str, env: Mapping[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1)
        return env.get(name, m.group(0))

    return _REF.sub(sub, value)


def _field(pod: Mapping[str, Any], path: str) -> str:
    meta = pod.get("metadata") or {}
    status = pod.get("status") or {}
    m = _FIELD.fullmatch(path)
    if m:
        return str((meta.get(m.group(1)) or {}).get(m.group(2), ""))
    simple = {
        "metadata.name": meta.get("name"),
        "metadata.namespace": meta.get("namespace"),
        "metadata.uid": meta.get("uid"),
        "spec.nodeName": (pod.get("spec") or {}).get("nodeName"),
        "spec.serviceAccountName": (pod.get("spec") or {}).get("serviceAccountName"),
        "status.hostIP": status.get("hostIP"),
        "status.podIP": status.get("podIP"),
        "status.hostIPs": ",".join(i.get("ip", "") for i in status.get("hostIPs") or []),
        "status.podIPs": ",".join(i.get("ip", "") for i in status.get("podIPs") or []),
    }
    if path not in simple:
        raise EnvError(f"unsupported fieldPath: {path}")
    return str(simple[path] or "")


def _resource(
    container: Mapping[str, Any], ref: Mapping[str, Any], allocatable: Mapping[str, Any]
) -> str:
    name = str(ref.get("resource", ""))
    kind, _, resource = name.partition(".")
    resources = container.get("resources") or {}
    section = resources.get("limits" if kind == "limits" else "requests") or {}
    raw = section.get(resource)
    if raw is None and kind == "limits":
        raw = allocatable.get(resource)
    if raw is None:
        raw = "0"
    divisor = parse_quantity(str(ref.get("divisor") or "1")).as_fraction()
    value = parse_quantity(str(raw)).as_fraction() / (divisor or 1)
    return str(math.ceil(value))


def _key_ref(lookup: Lookup, kind: str, namespace: str, ref: Mapping[str, Any]) -> str | None:
    obj = lookup(kind, namespace, str(ref.get("name", "")))
    key = str(ref.get("key", ""))
    if kind == "secrets":
        data = (obj or {}).get("data") or {}
        value = base64.b64decode(data[key]).decode() if key in data else None
    else:
        value = ((obj or {}).get("data") or {}).get(key)
    if value is None and not ref.get("optional"):
        raise EnvError(
            f"couldn't find key {key} in {kind[:-1].capitalize()} {namespace}/{ref.get('name')}"
        )
    return value


def environment(
    pod: Mapping[str, Any],
    container: Mapping[str, Any],
    lookup: Lookup,
    *,
    allocatable: Mapping[str, Any],
    mounts: Mapping[str, Path],
) -> dict[str, str]:
    """The variables the container's process starts with (without the host's own)."""
    namespace = str((pod.get("metadata") or {}).get("namespace", ""))
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        prefix = str(source.get("prefix") or "")
        for kind, key in (("configmaps", "configMapRef"), ("secrets", "secretRef")):
            ref = source.get(key)
            if not ref:
                continue
            obj = lookup(kind, namespace, str(ref.get("name", "")))
            if obj is None and not ref.get("optional"):
                raise EnvError(f'{kind[:-1]} "{ref.get("name")}" not found')
            for k, v in ((obj or {}).get("data") or {}).items():
                env[prefix + k] = base64.b64decode(v).decode() if kind == "secrets" else str(v)
    for var in container.get("env") or []:
        name = str(var.get("name", ""))
        source = var.get("valueFrom")
        if not source:
            env[name] = _expand(str(var.get("value", "")), env)
            continue
        value: str | None
        if "fieldRef" in source:
            value = _field(pod, str(source["fieldRef"].get("fieldPath", "")))
        elif "resourceFieldRef" in source:
            value = _resource(container, source["resourceFieldRef"], allocatable)
        elif "configMapKeyRef" in source:
            value = _key_ref(lookup, "configmaps", namespace, source["configMapKeyRef"])
        elif "secretKeyRef" in source:
            value = _key_ref(lookup, "secrets", namespace, source["secretKeyRef"])
        else:
            value = None
        if value is not None:
            env[name] = value
    local: dict[str, str] = {}
    for mount in container.get("volumeMounts") or []:
        path = mounts.get(str(mount.get("name", "")))
        if path is not None:
            env[mount_variable(str(mount.get("name", "")))] = str(path)
            sub = str(mount.get("subPath") or "")
            target = str(mount.get("mountPath") or "").rstrip("/")
            if target:
                local[target] = str(path / sub) if sub else str(path)
    return {name: translate_path(value, local) for name, value in env.items()}


def translate_path(value: str, mounts: Mapping[str, str]) -> str:
    """A container path at or under a mountPath, as the path of that volume's local directory.

    The one path translation of the process runtime (there is no chroot on a laptop): an
    environment value such as ``/etc/mlkube/params/3.json`` names the same file under the
    volume's local directory, the longest mountPath winning; any other value is unchanged.
    """
    best = ""
    for target in mounts:
        if (value == target or value.startswith(target + "/")) and len(target) > len(best):
            best = target
    return mounts[best] + value[len(best) :] if best else value


def _write_items(
    target: Path, data: Mapping[str, str], items: list[Mapping[str, Any]] | None
) -> None:
    chosen = (
        {str(i.get("key")): str(i.get("path") or i.get("key")) for i in items}
        if items
        else {k: k for k in data}
    )
    for key, rel in chosen.items():
        if key in data:
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(data[key])


def _object_data(lookup: Lookup, kind: str, namespace: str, name: str) -> dict[str, str]:
    obj = lookup(kind, namespace, name) or {}
    data = obj.get("data") or {}
    if kind == "secrets":
        return {k: base64.b64decode(v).decode() for k, v in data.items()}
    return {k: str(v) for k, v in data.items()}


def prepare_volumes(
    pod: Mapping[str, Any], pod_dir: Path, state_dir: Path, lookup: Lookup
) -> dict[str, Path]:
    """Create each volume's local directory (and files); returns volume name -> path."""
    namespace = str((pod.get("metadata") or {}).get("namespace", ""))
    out: dict[str, Path] = {}
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        name = str(volume.get("name", ""))
        claim = volume.get("persistentVolumeClaim")
        if claim:
            pvc = lookup("persistentvolumeclaims", namespace, str(claim.get("claimName", "")))
            bound = ((pvc or {}).get("spec") or {}).get("volumeName")
            key = (
                bound
                or f"claim-{((pvc or {}).get('metadata') or {}).get('uid', claim.get('claimName'))}"
            )
            path = state_dir / "volumes" / str(key)
        elif volume.get("hostPath"):
            rel = str(volume["hostPath"].get("path", "")).lstrip("/")
            path = state_dir / "hostpath" / rel
        else:
            path = pod_dir / "volumes" / name
        path.mkdir(parents=True, exist_ok=True)
        if "configMap" in volume:
            ref = volume["configMap"]
            data = _object_data(lookup, "configmaps", namespace, str(ref.get("name", "")))
            _write_items(path, data, ref.get("items"))
        elif "secret" in volume:
            ref = volume["secret"]
            data = _object_data(lookup, "secrets", namespace, str(ref.get("secretName", "")))
            _write_items(path, data, ref.get("items"))
        elif "downwardAPI" in volume:
            for item in volume["downwardAPI"].get("items") or []:
                if "fieldRef" in item:
                    value = _field(pod, str(item["fieldRef"].get("fieldPath", "")))
                    _write_items(path, {"v": value}, [{"key": "v", "path": item.get("path")}])
        elif "projected" in volume:
            _projected(pod, path, volume["projected"], lookup, namespace)
        out[name] = path
    return out


def _projected(
    pod: Mapping[str, Any], path: Path, spec: Mapping[str, Any], lookup: Lookup, namespace: str
) -> None:
    for source in spec.get("sources") or []:
        if "configMap" in source:
            ref = source["configMap"]
            data = _object_data(lookup, "configmaps", namespace, str(ref.get("name", "")))
            _write_items(path, data, ref.get("items"))
        elif "secret" in source:
            ref = source["secret"]
            data = _object_data(lookup, "secrets", namespace, str(ref.get("name", "")))
            _write_items(path, data, ref.get("items"))
        elif "downwardAPI" in source:
            for item in source["downwardAPI"].get("items") or []:
                if "fieldRef" in item:
                    value = _field(pod, str(item["fieldRef"].get("fieldPath", "")))
                    _write_items(path, {"v": value}, [{"key": "v", "path": item.get("path")}])
        elif "serviceAccountToken" in source:
            token = path / str(source["serviceAccountToken"].get("path") or "token")
            token.write_text("mlkube-local-token")
