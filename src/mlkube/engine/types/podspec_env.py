"""Validation of a container's environment: ``env`` (with its downward-API and key
references) and ``envFrom``.

It exists so that the env var rules, with relaxed names (GA in v1.34), live apart from
the rest of the container. Follows ``pkg/apis/core/validation/validation.go``
(``ValidateEnv``, ``validateEnvVarValueFrom``, ``validateObjectFieldSelector``,
``validateContainerResourceFieldSelector``, ``validateContainerResourceDivisor``,
``validateConfigMapKeySelector``, ``validateSecretKeySelector``, ``ValidateEnvFrom``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import Path
from mlkube.engine.types import _resources as res
from mlkube.engine.types.podspec_fields import Errs, Obj, invalid_each, qualified_name

__all__ = ["validate_env", "validate_env_from"]

_ENV_FIELD_PATHS: Final = (
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
)
_RESOURCE_FIELD_PATHS: Final = (
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
)


def _validate_divisor(resource: str, divisor: Any, path: Path) -> Errs:
    try:
        q = res.parse(divisor if divisor is not None else "0")
    except ValueError:
        return []
    if q == res.parse("0"):
        return []
    text = str(q)
    if resource in ("limits.cpu", "requests.cpu"):
        if text not in ("1m", "1"):
            return [
                field.invalid(
                    path.child("divisor"),
                    resource,
                    "only divisor's values 1m and 1 are supported with the cpu resource",
                )
            ]
        return []
    memory_like = (
        "1",
        "1k",
        "1M",
        "1G",
        "1T",
        "1P",
        "1E",
        "1Ki",
        "1Mi",
        "1Gi",
        "1Ti",
        "1Pi",
        "1Ei",
    )
    kinds = {
        "limits.memory": "memory",
        "requests.memory": "memory",
        "limits.ephemeral-storage": "local ephemeral storage",
        "requests.ephemeral-storage": "local ephemeral storage",
    }
    kind = kinds.get(resource)
    if kind is None and resource.startswith(("requests.hugepages-", "limits.hugepages-")):
        kind = "hugepages"
    if kind is not None and text not in memory_like:
        return [
            field.invalid(
                path.child("divisor"),
                resource,
                "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei "
                f"are supported with the {kind} resource",
            )
        ]
    return []


def _validate_resource_field_ref(ref: Obj, path: Path, *, volume: bool) -> Errs:
    errs: Errs = []
    resource = ref.get("resource") or ""
    if volume and not ref.get("containerName"):
        errs.append(field.required(path.child("containerName"), ""))
    elif not resource:
        errs.append(field.required(path.child("resource"), ""))
    elif resource not in _RESOURCE_FIELD_PATHS and not resource.startswith(
        ("limits.hugepages-", "requests.hugepages-")
    ):
        errs.append(field.not_supported(path.child("resource"), resource, _RESOURCE_FIELD_PATHS))
    errs.extend(_validate_divisor(resource, ref.get("divisor"), path))
    return errs


def _validate_field_ref(ref: Obj, expressions: Sequence[str], path: Path) -> Errs:
    if not ref.get("apiVersion"):
        return [field.required(path.child("apiVersion"), "")]
    field_path = ref.get("fieldPath") or ""
    if not field_path:
        return [field.required(path.child("fieldPath"), "")]
    base, bracket, rest = field_path.partition("[")
    if bracket and rest.endswith("]"):
        subscript = rest[:-1].strip("'")
        if base == "metadata.annotations":
            return qualified_name(subscript.lower(), path)
        if base == "metadata.labels":
            return qualified_name(subscript, path)
        return [field.invalid(path, base, "does not support subscript")]
    if field_path not in expressions:
        return [field.not_supported(path.child("fieldPath"), field_path, expressions)]
    return []


def _validate_key_selector(sel: Obj, path: Path) -> Errs:
    errs = invalid_each(
        path.child("name"),
        sel.get("name") or "",
        _v.name_is_dns_subdomain(sel.get("name") or "", False),
    )
    key = sel.get("key") or ""
    if not key:
        errs.append(field.required(path.child("key"), ""))
    else:
        errs.extend(invalid_each(path.child("key"), key, _v.is_config_map_key(key)))
    return errs


def validate_env(env: Sequence[Obj] | None, path: Path) -> Errs:
    """``ValidateEnv`` with relaxed names (GA in v1.34)."""
    errs: Errs = []
    for i, ev in enumerate(env or []):
        p = path.index(i)
        name = ev.get("name") or ""
        if not name:
            errs.append(field.required(p.child("name"), ""))
        else:
            errs.extend(invalid_each(p.child("name"), name, _v.is_env_var_name(name)))
        value_from = ev.get("valueFrom")
        if value_from is None:
            continue
        vp = p.child("valueFrom")
        sources = 0
        if value_from.get("fieldRef") is not None:
            sources += 1
            errs.extend(
                _validate_field_ref(value_from["fieldRef"], _ENV_FIELD_PATHS, vp.child("fieldRef"))
            )
        if value_from.get("resourceFieldRef") is not None:
            sources += 1
            errs.extend(
                _validate_resource_field_ref(
                    value_from["resourceFieldRef"], vp.child("resourceFieldRef"), volume=False
                )
            )
        if value_from.get("configMapKeyRef") is not None:
            sources += 1
            errs.extend(
                _validate_key_selector(value_from["configMapKeyRef"], vp.child("configMapKeyRef"))
            )
        if value_from.get("secretKeyRef") is not None:
            sources += 1
            errs.extend(
                _validate_key_selector(value_from["secretKeyRef"], vp.child("secretKeyRef"))
            )
        if sources == 0:
            errs.append(
                field.invalid(
                    vp,
                    "",
                    "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or "
                    "`secretKeyRef`",
                )
            )
        elif ev.get("value"):
            errs.append(field.invalid(vp, "", "may not be specified when `value` is not empty"))
        elif sources > 1:
            errs.append(
                field.invalid(vp, "", "may not have more than one field specified at a time")
            )
    return errs


def validate_env_from(env_from: Sequence[Obj] | None, path: Path) -> Errs:
    errs: Errs = []
    for i, ev in enumerate(env_from or []):
        p = path.index(i)
        prefix = ev.get("prefix") or ""
        if prefix:
            errs.extend(invalid_each(p.child("prefix"), prefix, _v.is_env_var_name(prefix)))
        sources = 0
        for key in ("configMapRef", "secretRef"):
            ref = ev.get(key)
            if ref is None:
                continue
            sources += 1
            name = ref.get("name") or ""
            if not name:
                errs.append(field.required(p.child(key, "name"), ""))
            else:
                errs.extend(
                    invalid_each(p.child(key, "name"), name, _v.name_is_dns_subdomain(name, True))
                )
        if sources == 0:
            errs.append(
                field.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`")
            )
        elif sources > 1:
            errs.append(
                field.invalid(path, "", "may not have more than one field specified at a time")
            )
    return errs
