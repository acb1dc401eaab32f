"""One client for any Kubernetes API, embedded or real, on wire-form dicts.

Connection and authentication are kubectl's: the kubeconfig is read by lightkube
(``KUBECONFIG``, contexts, client certificates, bearer tokens, exec plugins, CA bundles)
and requests go over its HTTP client. Paths come from :mod:`mlkube.api.registry`, objects
stay plain dicts, and every refusal is an :class:`~mlkube.client.errors.ApiError` with the
cluster's own Status.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx2 as httpx
from lightkube.config import client_adapter
from lightkube.config.kubeconfig import KubeConfig, SingleConfig

from mlkube.api.registry import ResourceType, by_kind, lookup
from mlkube.client.errors import ApiError, ConnectionFailed
from mlkube.client.gzipstream import gunzip_members, split_lines

__all__ = ["PATCH_TYPES", "KubeClient"]

PATCH_TYPES = {
    "json": "application/json-patch+json",
    "merge": "application/merge-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "apply": "application/apply-patch+yaml",
}
_USER_AGENT = "mlkube"


def _resource(resource: str | ResourceType) -> ResourceType:
    return resource if isinstance(resource, ResourceType) else lookup(resource)


def _of(obj: Mapping[str, Any]) -> ResourceType:
    return by_kind(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))


class KubeClient:
    """kubectl's view of one cluster: a kubeconfig context, and verbs on dicts."""

    def __init__(
        self,
        config: SingleConfig,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``transport`` replaces the network (lightkube's ``ConnectionParams.transport``:
        an ``httpx.MockTransport`` in tests)."""
        self.config = config
        params = client_adapter.ConnectionParams(
            timeout=httpx.Timeout(timeout), transport=transport
        )
        self._http = client_adapter.Client(config, params)

    @classmethod
    def from_kubeconfig(
        cls, path: str | Path | None = None, *, context: str | None = None, timeout: float = 30.0
    ) -> KubeClient:
        """Connect as kubectl would: ``path`` (else ``$KUBECONFIG``, else ``~/.kube/config``)
        and ``context`` (else the current context)."""
        kubeconfig = KubeConfig.from_file(path) if path is not None else KubeConfig.from_env()
        config = kubeconfig.get(context_name=context)
        if config is None:
            raise ConnectionFailed(f"context {context!r} was not found in the kubeconfig")
        return cls(config, timeout=timeout)

    @property
    def server(self) -> str:
        return str(self.config.cluster.server)

    @property
    def context(self) -> str:
        return str(self.config.context_name)

    @property
    def namespace(self) -> str:
        """The context's namespace, as kubectl defaults to it."""
        return str(self.config.namespace or "default")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> KubeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str = "application/json",
    ) -> Any:
        """One request; returns the decoded JSON body or raises :class:`ApiError`."""
        content = None
        if body is not None:
            content = body if isinstance(body, bytes | str) else json.dumps(body)
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        try:
            response = self._http.request(
                method,
                path,
                params=query,
                content=content,
                headers={"Content-Type": content_type, "User-Agent": _USER_AGENT},
            )
        except httpx.HTTPError as err:
            raise ConnectionFailed(f"cannot reach {self.server}: {err}") from err
        if response.status_code >= 400:
            raise ApiError.from_response(response.status_code, response.content)
        return response.json() if response.content else None

    # -- verbs ------------------------------------------------------------------------

    def get(
        self, resource: str | ResourceType, name: str, namespace: str | None = None
    ) -> dict[str, Any]:
        rt = _resource(resource)
        return dict(self.request("GET", rt.path(self._ns(rt, namespace), name)))

    def list(
        self,
        resource: str | ResourceType,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        all_namespaces: bool = False,
        page_size: int = 500,
    ) -> list[dict[str, Any]]:
        """Every matching object, following ``continue`` tokens."""
        rt = _resource(resource)
        ns = None if all_namespaces else self._ns(rt, namespace)
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self.request(
                "GET",
                rt.path(ns),
                params={
                    "labelSelector": label_selector,
                    "fieldSelector": field_selector,
                    "limit": page_size,
                    "continue": token,
                },
            )
            items.extend(page.get("items") or [])
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return items

    def create(
        self,
        obj: Mapping[str, Any],
        *,
        namespace: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: str | None = None,
    ) -> dict[str, Any]:
        rt = _of(obj)
        ns = self._ns(rt, namespace or (obj.get("metadata") or {}).get("namespace"))
        params = {
            "dryRun": "All" if dry_run else None,
            "fieldManager": field_manager,
            "fieldValidation": field_validation,
        }
        return dict(self.request("POST", rt.path(ns), params=params, body=dict(obj)))

    def replace(self, obj: Mapping[str, Any], *, subresource: str = "") -> dict[str, Any]:
        rt = _of(obj)
        meta = obj.get("metadata") or {}
        path = rt.path(self._ns(rt, meta.get("namespace")), meta["name"])
        if subresource:
            path += f"/{subresource}"
        return dict(self.request("PUT", path, body=dict(obj)))

    def update_status(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        return self.replace(obj, subresource="status")

    def patch(
        self,
        resource: str | ResourceType,
        name: str,
        body: Any,
        *,
        namespace: str | None = None,
        patch_type: str = "strategic",
        subresource: str = "",
        field_manager: str | None = None,
        force: bool | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        rt = _resource(resource)
        path = rt.path(self._ns(rt, namespace), name) + (f"/{subresource}" if subresource else "")
        params = {
            "fieldManager": field_manager,
            "force": force,
            "dryRun": "All" if dry_run else None,
        }
        return dict(
            self.request(
                "PATCH",
                path,
                params=params,
                body=body,
                content_type=PATCH_TYPES.get(patch_type, patch_type),
            )
        )

    def apply(
        self,
        obj: Mapping[str, Any],
        *,
        field_manager: str = "mlkube",
        force: bool = False,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Server-side apply (``kubectl apply --server-side``)."""
        rt = _of(obj)
        meta = obj.get("metadata") or {}
        return self.patch(
            rt,
            meta["name"],
            dict(obj),
            namespace=meta.get("namespace"),
            patch_type="apply",
            field_manager=field_manager,
            force=force,
            dry_run=dry_run,
        )

    def delete(
        self,
        resource: str | ResourceType,
        name: str,
        namespace: str | None = None,
        *,
        propagation_policy: str | None = None,
        grace_period_seconds: int | None = None,
    ) -> dict[str, Any]:
        rt = _resource(resource)
        options: dict[str, Any] = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if propagation_policy is not None:
            options["propagationPolicy"] = propagation_policy
        if grace_period_seconds is not None:
            options["gracePeriodSeconds"] = grace_period_seconds
        return dict(self.request("DELETE", rt.path(self._ns(rt, namespace), name), body=options))

    def watch(
        self,
        resource: str | ResourceType,
        namespace: str | None = None,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: int = 30,
        all_namespaces: bool = False,
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Stream ``(type, object)`` watch events until the server ends the watch."""
        rt = _resource(resource)
        ns = None if all_namespaces else self._ns(rt, namespace)
        params = {
            "watch": "true",
            "resourceVersion": resource_version,
            "labelSelector": label_selector,
            "fieldSelector": field_selector,
            "timeoutSeconds": timeout_seconds,
            "allowWatchBookmarks": "true",
        }
        query = {k: _param(v) for k, v in params.items() if v is not None}
        timeout = httpx.Timeout(timeout_seconds + 10.0)
        try:
            with self._http.stream("GET", rt.path(ns), params=query, timeout=timeout) as response:
                if response.status_code >= 400:
                    raise ApiError.from_response(response.status_code, response.read())
                for line in split_lines(_body(response)):
                    if line.strip():
                        event = json.loads(line)
                        yield str(event["type"]), dict(event["object"])
        except httpx.HTTPError as err:
            raise ConnectionFailed(f"cannot reach {self.server}: {err}") from err
        except zlib.error as err:
            raise ConnectionFailed(
                f"{self.server} sent a watch stream that is not gzip: {err}"
            ) from err

    def logs(
        self,
        name: str,
        namespace: str | None = None,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        previous: bool = False,
    ) -> str:
        rt = lookup("pods")
        path = rt.path(self._ns(rt, namespace), name) + "/log"
        params = {"container": container, "tailLines": tail_lines, "previous": previous or None}
        query = {k: _param(v) for k, v in params.items() if v is not None}
        response = self._http.get(path, params=query)
        if response.status_code >= 400:
            raise ApiError.from_response(response.status_code, response.content)
        return str(response.text)

    def version(self) -> dict[str, Any]:
        return dict(self.request("GET", "/version"))

    def _ns(self, rt: ResourceType, namespace: str | None) -> str | None:
        if not rt.namespaced:
            return None
        return namespace or self.namespace


def _body(response: httpx.Response) -> Iterator[bytes]:
    """The decoded bytes of a streamed response; a gzip body may be many members, one per
    flush (:mod:`mlkube.client.gzipstream`), which httpx's own decoder stops after."""
    if response.headers.get("Content-Encoding", "").strip().lower() == "gzip":
        return gunzip_members(response.iter_raw())
    return response.iter_bytes()


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
