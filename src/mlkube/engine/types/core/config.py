"""The namespaced core/v1 kinds that carry data for workloads: ConfigMap, Secret, and
the two whose rules are ObjectMeta only, ServiceAccount and Event.

It exists so that data keys, sizes, Secret types and immutability live together.
Follows ``pkg/apis/core/v1/defaults.go`` (``SetDefaults_Secret``), the strategies under
``pkg/registry/core/{configmap,secret,serviceaccount,event}/`` and
``pkg/apis/core/validation/validation.go`` (``ValidateConfigMap``, ``ValidateSecret`` and
their updates).

Not covered: core/v1 Event field rules beyond ObjectMeta.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import Path
from mlkube.engine.types.core._common import Errs, Obj
from mlkube.engine.types.strategy import BaseStrategy

__all__ = [
    "MAX_SECRET_SIZE",
    "ConfigMapStrategy",
    "EventStrategy",
    "SecretStrategy",
    "ServiceAccountStrategy",
]


MAX_SECRET_SIZE: Final = 1 * 1024 * 1024
_IMMUTABLE_WHEN_SET: Final = "field is immutable when `immutable` is set"


def _decoded_len(value: Any) -> int:
    """The byte length of a base64 ``data`` value (its decoded size)."""
    if not isinstance(value, str):
        return 0
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return len(value)


def _validate_immutable_data(new: Obj, old: Obj, keys: Sequence[str]) -> Errs:
    if not old.get("immutable"):
        return []
    errs: Errs = []
    if not new.get("immutable"):
        errs.append(field.forbidden(Path("immutable"), _IMMUTABLE_WHEN_SET))
    for key in keys:
        if (new.get(key) or {}) != (old.get(key) or {}):
            errs.append(field.forbidden(Path(key), _IMMUTABLE_WHEN_SET))
    return errs


class ConfigMapStrategy(BaseStrategy):
    """``configmap.Strategy``: keys are config-map keys; 1 MiB in total."""

    kind: ClassVar[str] = "ConfigMap"

    def validate_fields(self, obj: Obj) -> Errs:
        errs: Errs = []
        data: Mapping[str, str] = obj.get("data") or {}
        binary: Mapping[str, str] = obj.get("binaryData") or {}
        total = 0
        for key in sorted(data):
            errs.extend(
                field.invalid(Path("data").key(key), key, m) for m in _v.is_config_map_key(key)
            )
            if key in binary:
                errs.append(
                    field.invalid(
                        Path("data").key(key), key, "duplicate of key present in binaryData"
                    )
                )
            total += len(data[key].encode())
        for key in sorted(binary):
            errs.extend(
                field.invalid(Path("binaryData").key(key), key, m)
                for m in _v.is_config_map_key(key)
            )
            total += _decoded_len(binary[key])
        if total > MAX_SECRET_SIZE:
            # field.NewPath(""): the error refers to the whole object (the field is "").
            errs.append(dataclasses.replace(field.too_long(None, "", MAX_SECRET_SIZE), field=""))
        return errs

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        errs = _validate_immutable_data(new, old, ("data", "binaryData"))
        errs.extend(self.validate_new_meta(new))
        errs.extend(self.validate_fields(new))
        return errs


_SECRET_REQUIRED_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


class SecretStrategy(BaseStrategy):
    """``secret.Strategy``: ``stringData`` folds into ``data``; type ``Opaque`` by default."""

    kind: ClassVar[str] = "Secret"

    def default(self, obj: Obj) -> None:
        if not obj.get("type"):
            obj["type"] = "Opaque"
        string_data = obj.pop("stringData", None)
        if string_data:
            data = obj.get("data") or {}
            for key, value in string_data.items():
                data[key] = base64.b64encode(str(value).encode()).decode("ascii")
            obj["data"] = data

    def validate_fields(self, obj: Obj) -> Errs:
        errs: Errs = []
        data: Mapping[str, str] = obj.get("data") or {}
        total = 0
        for key in sorted(data):
            errs.extend(
                field.invalid(Path("data").key(key), key, m) for m in _v.is_config_map_key(key)
            )
            total += _decoded_len(data[key])
        if total > MAX_SECRET_SIZE:
            errs.append(field.too_long(Path("data"), "", MAX_SECRET_SIZE))
        kind = obj.get("type") or ""
        if kind == "kubernetes.io/service-account-token":
            annotations = (obj.get("metadata") or {}).get("annotations") or {}
            if not annotations.get("kubernetes.io/service-account.name"):
                errs.append(
                    field.required(
                        Path("metadata", "annotations").key("kubernetes.io/service-account.name"),
                        "",
                    )
                )
        elif kind == "kubernetes.io/basic-auth":
            if "username" not in data and "password" not in data:
                errs.append(field.required(Path("data").key("username"), ""))
                errs.append(field.required(Path("data").key("password"), ""))
        elif kind == "kubernetes.io/ssh-auth":
            if not data.get("ssh-privatekey"):
                errs.append(field.required(Path("data").key("ssh-privatekey"), ""))
        elif kind in _SECRET_REQUIRED_KEYS:
            for key in _SECRET_REQUIRED_KEYS[kind]:
                if key not in data:
                    errs.append(field.required(Path("data").key(key), ""))
        return errs

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        errs = list(
            _v.validate_immutable_field(new.get("type") or "", old.get("type") or "", Path("type"))
        )
        errs.extend(_validate_immutable_data(new, old, ("data",)))
        errs.extend(self.validate_new_meta(new))
        errs.extend(self.validate_fields(new))
        return errs


class ServiceAccountStrategy(BaseStrategy):
    """``serviceaccount.Strategy``: ObjectMeta only."""

    kind: ClassVar[str] = "ServiceAccount"

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        return self.validate_new_meta(new)


class EventStrategy(BaseStrategy):
    """core/v1 ``event.Strategy`` (ObjectMeta only here)."""

    kind: ClassVar[str] = "Event"
