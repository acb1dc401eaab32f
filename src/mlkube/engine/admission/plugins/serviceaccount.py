"""ServiceAccount: every pod runs as a service account that exists, and gets its API token.

On pod create: default ``spec.serviceAccountName`` to ``default``, refuse the pod when the
account does not exist, mount the projected ``kube-api-access-<suffix>`` token volume into
every container and init container (unless automounting is off on the pod or the account,
or a container already mounts something at the token path), and copy the account's image
pull secrets when the pod has none. Follows
``plugin/pkg/admission/serviceaccount/admission.go``.
"""

from __future__ import annotations

import random
from typing import Any

from mlkube.api.registry import lookup
from mlkube.engine.admission.interface import AdmissionContext, Attributes, Operation, forbidden

__all__ = ["DEFAULT_SERVICE_ACCOUNT", "NAME", "TOKEN_MOUNT_PATH", "ServiceAccount"]

NAME = "ServiceAccount"
DEFAULT_SERVICE_ACCOUNT = "default"
TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_VOLUME_PREFIX = "kube-api-access-"
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
MSG_LOOKUP = 'error looking up service account {ns}/{name}: serviceaccount "{name}" not found'
#: serviceaccount.WarnOnlyBoundTokenExpirationSeconds
TOKEN_EXPIRATION_SECONDS = 3607
_SERVICE_ACCOUNTS = lookup("serviceaccounts")
# names.SimpleNameGenerator's alphabet (apiserver/pkg/storage/names/generate.go).
_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def token_volume_source() -> dict[str, Any]:
    """``TokenVolumeSource()``: the projected token, the cluster CA and the namespace."""
    return {
        "defaultMode": 420,
        "sources": [
            {
                "serviceAccountToken": {
                    "expirationSeconds": TOKEN_EXPIRATION_SECONDS,
                    "path": "token",
                }
            },
            {
                "configMap": {
                    "name": "kube-root-ca.crt",
                    "items": [{"key": "ca.crt", "path": "ca.crt"}],
                }
            },
            {
                "downwardAPI": {
                    "items": [
                        {
                            "path": "namespace",
                            "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                        }
                    ]
                }
            },
        ],
    }


class ServiceAccount:
    NAME = NAME

    def __init__(self, rng: random.Random | None = None, *, mount_token: bool = True) -> None:
        self._rng = rng or random.Random()
        self._mount_token = mount_token

    def admit(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        if not attrs.is_("", "pods") or attrs.operation is not Operation.CREATE:
            return
        pod = attrs.obj
        assert pod is not None
        if MIRROR_POD_ANNOTATION in (pod.get("metadata", {}).get("annotations") or {}):
            return
        spec = pod.setdefault("spec", {})
        if not spec.get("serviceAccountName"):
            spec["serviceAccountName"] = DEFAULT_SERVICE_ACCOUNT
        name = spec["serviceAccountName"]
        account = ctx.get(_SERVICE_ACCOUNTS, attrs.namespace, name)
        if account is None:
            raise forbidden(attrs, MSG_LOOKUP.format(ns=attrs.namespace, name=name))
        if self._mount_token and _should_automount(account, spec):
            self._mount(spec)
        if not spec.get("imagePullSecrets") and account.get("imagePullSecrets"):
            spec["imagePullSecrets"] = [{"name": s["name"]} for s in account["imagePullSecrets"]]

    def validate(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        return

    def _mount(self, spec: dict[str, Any]) -> None:
        volumes: list[dict[str, Any]] = spec.get("volumes") or []
        existing = next(
            (v["name"] for v in volumes if v.get("name", "").startswith(TOKEN_VOLUME_PREFIX)), None
        )
        volume_name = existing or TOKEN_VOLUME_PREFIX + "".join(
            self._rng.choice(_ALPHABET) for _ in range(5)
        )
        mount = {"name": volume_name, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}
        needs_volume = False
        for key in ("initContainers", "containers"):
            for container in spec.get(key) or []:
                mounts = container.get("volumeMounts") or []
                if any(m.get("mountPath") == TOKEN_MOUNT_PATH for m in mounts):
                    continue
                container["volumeMounts"] = [*mounts, dict(mount)]
                needs_volume = True
        if existing is None and needs_volume:
            spec["volumes"] = [*volumes, {"name": volume_name, "projected": token_volume_source()}]


def _should_automount(account: dict[str, Any], spec: dict[str, Any]) -> bool:
    if spec.get("automountServiceAccountToken") is not None:
        return bool(spec["automountServiceAccountToken"])
    if account.get("automountServiceAccountToken") is not None:
        return bool(account["automountServiceAccountToken"])
    return True
