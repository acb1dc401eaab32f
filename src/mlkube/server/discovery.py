"""Discovery documents, built once from :mod:`mlkube.api.registry`.

The legacy shapes follow ``apiserver/pkg/endpoints/discovery/{legacy,group,root}.go`` and
``installer.go`` (``APIVersions`` without ``apiVersion``; ``/api/v1``'s ``APIResourceList``
without ``apiVersion`` either, a quirk preserved upstream; resources sorted by name so
subresources follow their parent). The aggregated ``apidiscovery.k8s.io/v2`` documents
follow ``discovery/aggregated/{handler,negotiation,etag}.go``: one request to ``/api`` and
one to ``/apis`` describe everything, served only when the Accept header asks for them,
with an ETag (hex SHA-512 of the body) and ``304`` on ``If-None-Match``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from mlkube._version import __version__
from mlkube.api.registry import ALL, ResourceType, Subresource, groups
from mlkube.server.wire import MediaRange, encode

__all__ = [
    "AGGREGATED_CONTENT_TYPE",
    "KUBERNETES_VERSION",
    "Document",
    "aggregated",
    "api_group",
    "api_group_list",
    "api_resource_list",
    "api_versions",
    "version_info",
    "wants_aggregated",
]

#: The Kubernetes API version mlkube's behaviour follows.
KUBERNETES_VERSION: Final = "v1.37.0"
AGGREGATED_CONTENT_TYPE: Final = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
)


@dataclass(frozen=True, slots=True)
class Document:
    """An encoded discovery body and its ETag."""

    body: bytes
    etag: str


def _document(obj: Any) -> Document:
    body = encode(obj)
    return Document(body, f'"{hashlib.sha512(body).hexdigest()}"')


def version_info(build_date: str) -> dict[str, Any]:
    """``/version`` (``apimachinery/pkg/version/types.go``)."""
    major, minor, _ = KUBERNETES_VERSION.lstrip("v").split(".")
    return {
        "major": major,
        "minor": minor,
        "emulationMajor": major,
        "emulationMinor": minor,
        "minCompatibilityMajor": major,
        "minCompatibilityMinor": str(int(minor) - 1),
        "gitVersion": KUBERNETES_VERSION,
        "gitCommit": f"mlkube-{__version__}",
        "gitTreeState": "clean",
        "buildDate": build_date,
        "goVersion": "go1.25.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def wants_aggregated(ranges: Iterable[MediaRange]) -> bool:
    """Whether the first acceptable entry asks for ``APIGroupDiscoveryList`` v2."""
    for r in ranges:
        p = r.params
        if p.get("g") == "apidiscovery.k8s.io" and p.get("as") == "APIGroupDiscoveryList":
            if p.get("v") == "v2" and "profile" not in p:
                return True
            continue  # v2beta1 is no longer served; a profile we do not know falls through
        if r.matches_json():
            return False
    return False


@cache
def api_versions() -> Document:
    """``/api``: ``APIVersions`` (no ``apiVersion`` key)."""
    return _document(
        {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}
            ],
        }
    )


def _group_entry(group: str, versions: tuple[str, ...]) -> dict[str, Any]:
    listed = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": listed, "preferredVersion": listed[0]}


@cache
def api_group_list() -> Document:
    """``/apis``: every named group (never the core group)."""
    return _document(
        {
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [_group_entry(g, vs) for g, vs in groups() if g],
        }
    )


@cache
def api_group(group: str) -> Document | None:
    """``/apis/<group>``, or None for a group that is not served."""
    for g, versions in groups():
        if g == group and g:
            return _document({"kind": "APIGroup", "apiVersion": "v1", **_group_entry(g, versions)})
    return None


def _types_of(group: str, version: str) -> list[ResourceType]:
    return [t for t in ALL if t.group == group and t.version == version]


def _resource_entry(rt: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": rt.plural,
        "singularName": rt.singular,
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": sorted(rt.verbs),
    }
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    if "list" in rt.verbs or "get" in rt.verbs:
        entry["storageVersionHash"] = rt.storage_version_hash
    return entry


def _subresource_entry(rt: ResourceType, sub: Subresource) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": f"{rt.plural}/{sub.name}",
        "singularName": "",
        "namespaced": rt.namespaced,
    }
    if sub.group is not None:
        entry["group"] = sub.group
    if sub.version is not None:
        entry["version"] = sub.version
    entry["kind"] = sub.kind
    entry["verbs"] = sorted(sub.verbs)
    return entry


@cache
def api_resource_list(group: str, version: str) -> Document | None:
    """``/api/v1`` or ``/apis/<g>/<v>``: ``APIResourceList``, or None if not served."""
    types = _types_of(group, version)
    if not types:
        return None
    entries: list[dict[str, Any]] = []
    for rt in types:
        entries.append(_resource_entry(rt))
        entries.extend(_subresource_entry(rt, sub) for sub in rt.subresources.values())
    entries.sort(key=lambda e: str(e["name"]))
    doc: dict[str, Any] = {"kind": "APIResourceList"}
    if group:
        doc["apiVersion"] = "v1"
    doc["groupVersion"] = f"{group}/{version}" if group else version
    doc["resources"] = entries
    return _document(doc)


def _response_kind(group: str, version: str, kind: str) -> dict[str, str]:
    return {"group": group, "version": version, "kind": kind}


def _aggregated_resource(rt: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": rt.plural,
        "responseKind": _response_kind("", "", rt.kind),
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular,
        "verbs": sorted(rt.verbs),
    }
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    subs = []
    for sub in sorted(rt.subresources.values(), key=lambda s: s.name):
        subs.append(
            {
                "subresource": sub.name,
                "responseKind": _response_kind(sub.group or "", sub.version or "", sub.kind),
                "verbs": sorted(sub.verbs),
            }
        )
    if subs:
        entry["subresources"] = subs
    return entry


def _aggregated_group(group: str, versions: tuple[str, ...]) -> dict[str, Any]:
    return {
        "metadata": {"name": group},
        "versions": [
            {
                "version": v,
                "resources": [
                    _aggregated_resource(rt)
                    for rt in sorted(_types_of(group, v), key=lambda t: t.plural)
                ],
                "freshness": "Current",
            }
            for v in versions
        ],
    }


@cache
def aggregated(core: bool) -> Document:
    """The ``APIGroupDiscoveryList`` of ``/api`` (core only) or ``/apis`` (named groups)."""
    items = [_aggregated_group(g, vs) for g, vs in groups() if (g == "") == core]
    return _document(
        {
            "kind": "APIGroupDiscoveryList",
            "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {},
            "items": items,
        }
    )
