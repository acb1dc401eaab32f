"""The cluster the platform shell talks to: a small protocol and its two adapters.

:class:`ClusterAPI` is all ``mlkube platform`` needs of a cluster (get, list, server-side
apply, delete, version), on wire-form dicts. :class:`KubeTarget` adapts
:class:`mlkube.client.KubeClient` (a real cluster, or the served embedded cluster, through
kubeconfig); :class:`EmbeddedTarget` adapts an in-process
:class:`mlkube.engine.cluster.Cluster` (tests: no HTTP). Both raise
:class:`mlkube.client.ApiError` with the cluster's own reason and message. The embedded
cluster is recognised by its ``/version``: mlkube's server reports
``gitCommit: mlkube-<version>`` (``src/mlkube/server/discovery.py``), a real kube-apiserver
a git hash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from mlkube._version import __version__
from mlkube.api.registry import by_kind, lookup
from mlkube.client import ApiError
from mlkube.platform.names import FIELD_MANAGER

if TYPE_CHECKING:
    from mlkube.client import KubeClient
    from mlkube.engine.cluster import Cluster

__all__ = ["ClusterAPI", "EmbeddedTarget", "KubeTarget", "is_embedded"]

_APPLY = "application/apply-patch+yaml"
_EMBEDDED_COMMIT_PREFIX = "mlkube-"


def is_embedded(version: Mapping[str, Any]) -> bool:
    """Whether a ``/version`` answer is mlkube's embedded cluster."""
    commit = str(version.get("gitCommit") or "")
    git_version = str(version.get("gitVersion") or "")
    return commit.startswith(_EMBEDDED_COMMIT_PREFIX) or git_version.endswith("+mlkube")


class ClusterAPI(Protocol):
    """What the platform shell needs of a cluster. Objects are wire-form dicts; the
    implementations never mutate what they are given and raise ``ApiError`` on refusal."""

    def get(self, resource: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """The object, or None when it does not exist."""
        ...

    def list(self, resource: str, *, label_selector: str | None = None) -> list[dict[str, Any]]:
        """Every matching object, in every namespace."""
        ...

    def apply(
        self,
        obj: Mapping[str, Any],
        *,
        subresource: str = "",
        dry_run: bool = False,
        field_manager: str = FIELD_MANAGER,
    ) -> dict[str, Any]:
        """Server-side apply as ``field_manager`` (``mlkube``), forcing conflicts."""
        ...

    def delete(self, resource: str, name: str, namespace: str | None = None) -> None:
        """Delete; an object already gone is not an error."""
        ...

    def version(self) -> dict[str, Any]:
        """The server's ``/version``."""
        ...


def _resource_of(obj: Mapping[str, Any]) -> tuple[str, str, str | None]:
    rt = by_kind(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    meta = obj.get("metadata") or {}
    return rt.plural, str(meta["name"]), (meta.get("namespace") if rt.namespaced else None)


class KubeTarget:
    """A :class:`ClusterAPI` over :class:`mlkube.client.KubeClient`."""

    def __init__(self, client: KubeClient) -> None:
        self.client = client

    def get(self, resource: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        try:
            return self.client.get(resource, name, namespace)
        except ApiError as err:
            if err.code == 404:
                return None
            raise

    def list(self, resource: str, *, label_selector: str | None = None) -> list[dict[str, Any]]:
        return self.client.list(resource, label_selector=label_selector, all_namespaces=True)

    def apply(
        self,
        obj: Mapping[str, Any],
        *,
        subresource: str = "",
        dry_run: bool = False,
        field_manager: str = FIELD_MANAGER,
    ) -> dict[str, Any]:
        plural, name, namespace = _resource_of(obj)
        return self.client.patch(
            plural,
            name,
            dict(obj),
            namespace=namespace,
            patch_type="apply",
            subresource=subresource,
            field_manager=field_manager,
            force=True,
            dry_run=dry_run,
        )

    def delete(self, resource: str, name: str, namespace: str | None = None) -> None:
        try:
            self.client.delete(resource, name, namespace)
        except ApiError as err:
            if err.code != 404:
                raise

    def version(self) -> dict[str, Any]:
        return self.client.version()


def _client_error(err: Any) -> ApiError:
    return ApiError(int(err.code), str(err.reason), str(err.message))


class EmbeddedTarget:
    """A :class:`ClusterAPI` over an in-process embedded :class:`Cluster` (no HTTP)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def get(self, resource: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        from mlkube.engine.errors import ApiError as EngineError

        try:
            return self.cluster.get(resource, name, namespace)
        except EngineError as err:
            if err.code == 404:
                return None
            raise _client_error(err) from err

    def list(self, resource: str, *, label_selector: str | None = None) -> list[dict[str, Any]]:
        rt = lookup(resource)
        return self.cluster.api.list(rt, None, label_selector=label_selector).items

    def apply(
        self,
        obj: Mapping[str, Any],
        *,
        subresource: str = "",
        dry_run: bool = False,
        field_manager: str = FIELD_MANAGER,
    ) -> dict[str, Any]:
        from mlkube.engine.errors import ApiError as EngineError

        plural, name, namespace = _resource_of(obj)
        try:
            return self.cluster.patch(
                plural,
                name,
                dict(obj),
                _APPLY,
                namespace=namespace,
                subresource=subresource,
                field_manager=field_manager,
                force=True,
                dry_run=dry_run,
            )
        except EngineError as err:
            raise _client_error(err) from err

    def delete(self, resource: str, name: str, namespace: str | None = None) -> None:
        from mlkube.engine.errors import ApiError as EngineError

        try:
            self.cluster.delete(resource, name, namespace)
        except EngineError as err:
            if err.code != 404:
                raise _client_error(err) from err

    def version(self) -> dict[str, Any]:
        return {"gitCommit": f"{_EMBEDDED_COMMIT_PREFIX}{__version__}"}
