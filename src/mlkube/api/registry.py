"""The registry of every type mlkube serves, as kube-apiserver v1.37 describes it in discovery.

One table answers what discovery, kubectl's name resolution, the store's keys and the
error messages all need: group, version, kind, plural, singular, short names, whether the
type is namespaced, its verbs, its subresources and categories. The facts follow each
resource's ``pkg/registry/<group>/<resource>/storage/storage.go`` (ShortNames,
Categories) and the discovery fixtures (``api/discovery/*.json``); the storage version
hash follows ``apiserver/pkg/endpoints/discovery/storageversionhash.go``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

__all__ = [
    "ALL",
    "COLLECTION_VERBS",
    "ResourceType",
    "Subresource",
    "UnknownResource",
    "by_kind",
    "by_resource",
    "groups",
    "lookup",
    "storage_version_hash",
]

#: The verbs of an ordinary collection, sorted as discovery sorts them.
COLLECTION_VERBS: tuple[str, ...] = (
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
)
_NAMESPACE_VERBS = tuple(v for v in COLLECTION_VERBS if v != "deletecollection")
_STATUS_VERBS = ("get", "patch", "update")


class UnknownResource(LookupError):
    """No served type answers to a name; the message is kubectl's."""

    def __init__(self, name: str) -> None:
        super().__init__(f'the server doesn\'t have a resource type "{name}"')
        self.name = name


@dataclass(frozen=True, slots=True)
class Subresource:
    """A subresource such as ``pods/status``; ``group``/``version`` are set only when its
    kind lives in another group-version (``pods/eviction`` -> ``policy/v1 Eviction``)."""

    name: str
    kind: str
    verbs: tuple[str, ...]
    group: str | None = None
    version: str | None = None


def storage_version_hash(group: str, version: str, kind: str) -> str:
    """The discovery ``storageVersionHash``: base64 of the first 8 bytes of
    ``sha256("<group>/<version>/<kind>")`` (the core group is the empty string)."""
    digest = hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode("ascii")


@dataclass(frozen=True)
class ResourceType:
    """One served resource: everything discovery, kubectl and the store need to know."""

    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = COLLECTION_VERBS
    subresources: Mapping[str, Subresource] = field(default_factory=dict)
    #: group/version/kind of the storage version, when it differs (events.k8s.io Events
    #: are stored as core v1 Events).
    storage: tuple[str, str, str] | None = None

    @property
    def api_version(self) -> str:
        """``v1`` for the core group, else ``group/version``."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def qualified(self) -> str:
        """``pods`` or ``jobs.batch``, as messages name it: ``jobs.batch "x" not found``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @cached_property
    def storage_version_hash(self) -> str:
        group, version, kind = self.storage or (self.group, self.version, self.kind)
        return storage_version_hash(group, version, kind)

    def has_subresource(self, name: str) -> bool:
        return name in self.subresources

    @property
    def has_status(self) -> bool:
        return "status" in self.subresources

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        """The REST path of the collection or of one object."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        return f"{base}/{name}" if name else base

    def __hash__(self) -> int:
        return hash((self.group, self.version, self.plural))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResourceType):
            return NotImplemented
        return (self.group, self.version, self.plural) == (other.group, other.version, other.plural)


def _status(kind: str) -> dict[str, Subresource]:
    return {"status": Subresource("status", kind, _STATUS_VERBS)}


def _scale(kind: str) -> dict[str, Subresource]:
    return {
        **_status(kind),
        "scale": Subresource("scale", "Scale", _STATUS_VERBS, group="autoscaling", version="v1"),
    }


_ALL_CATEGORY = ("all",)

_TYPES: tuple[ResourceType, ...] = (
    # core/v1
    ResourceType(
        "",
        "v1",
        "Pod",
        "pods",
        "pod",
        True,
        ("po",),
        _ALL_CATEGORY,
        subresources={
            "binding": Subresource("binding", "Binding", ("create",)),
            "eviction": Subresource(
                "eviction", "Eviction", ("create",), group="policy", version="v1"
            ),
            "exec": Subresource("exec", "PodExecOptions", ("create", "get")),
            "log": Subresource("log", "Pod", ("get",)),
            **_status("Pod"),
        },
    ),
    ResourceType("", "v1", "Binding", "bindings", "binding", True, verbs=("create",)),
    ResourceType("", "v1", "Node", "nodes", "node", False, ("no",), subresources=_status("Node")),
    ResourceType(
        "",
        "v1",
        "Namespace",
        "namespaces",
        "namespace",
        False,
        ("ns",),
        verbs=_NAMESPACE_VERBS,
        subresources={
            "finalize": Subresource("finalize", "Namespace", ("update",)),
            **_status("Namespace"),
        },
    ),
    ResourceType(
        "",
        "v1",
        "Service",
        "services",
        "service",
        True,
        ("svc",),
        _ALL_CATEGORY,
        subresources=_status("Service"),
    ),
    ResourceType("", "v1", "Endpoints", "endpoints", "endpoints", True, ("ep",)),
    ResourceType("", "v1", "ConfigMap", "configmaps", "configmap", True, ("cm",)),
    ResourceType("", "v1", "Secret", "secrets", "secret", True),
    ResourceType("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", True, ("sa",)),
    ResourceType("", "v1", "Event", "events", "event", True, ("ev",)),
    ResourceType(
        "",
        "v1",
        "PersistentVolume",
        "persistentvolumes",
        "persistentvolume",
        False,
        ("pv",),
        subresources=_status("PersistentVolume"),
    ),
    ResourceType(
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        True,
        ("pvc",),
        subresources=_status("PersistentVolumeClaim"),
    ),
    ResourceType(
        "",
        "v1",
        "ResourceQuota",
        "resourcequotas",
        "resourcequota",
        True,
        ("quota",),
        subresources=_status("ResourceQuota"),
    ),
    ResourceType("", "v1", "LimitRange", "limitranges", "limitrange", True, ("limits",)),
    # batch/v1
    ResourceType(
        "batch", "v1", "Job", "jobs", "job", True, (), _ALL_CATEGORY, subresources=_status("Job")
    ),
    ResourceType(
        "batch",
        "v1",
        "CronJob",
        "cronjobs",
        "cronjob",
        True,
        ("cj",),
        _ALL_CATEGORY,
        subresources=_status("CronJob"),
    ),
    # apps/v1
    ResourceType(
        "apps",
        "v1",
        "Deployment",
        "deployments",
        "deployment",
        True,
        ("deploy",),
        _ALL_CATEGORY,
        subresources=_scale("Deployment"),
    ),
    ResourceType(
        "apps",
        "v1",
        "ReplicaSet",
        "replicasets",
        "replicaset",
        True,
        ("rs",),
        _ALL_CATEGORY,
        subresources=_scale("ReplicaSet"),
    ),
    ResourceType(
        "apps",
        "v1",
        "StatefulSet",
        "statefulsets",
        "statefulset",
        True,
        ("sts",),
        _ALL_CATEGORY,
        subresources=_scale("StatefulSet"),
    ),
    # events.k8s.io/v1 (stored as core v1 Events)
    ResourceType(
        "events.k8s.io",
        "v1",
        "Event",
        "events",
        "event",
        True,
        ("ev",),
        storage=("", "v1", "Event"),
    ),
    # storage.k8s.io/v1
    ResourceType(
        "storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", False, ("sc",)
    ),
    # scheduling.k8s.io/v1
    ResourceType(
        "scheduling.k8s.io",
        "v1",
        "PriorityClass",
        "priorityclasses",
        "priorityclass",
        False,
        ("pc",),
    ),
    # coordination.k8s.io/v1
    ResourceType("coordination.k8s.io", "v1", "Lease", "leases", "lease", True),
    # policy/v1
    ResourceType(
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        True,
        ("pdb",),
        subresources=_status("PodDisruptionBudget"),
    ),
    # rbac.authorization.k8s.io/v1
    ResourceType("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", True),
    ResourceType(
        "rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", True
    ),
    ResourceType(
        "rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", False
    ),
    ResourceType(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        "clusterrolebinding",
        False,
    ),
    # discovery.k8s.io/v1
    ResourceType(
        "discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", True
    ),
)

#: Every served type, in discovery order (core first, then groups as /apis lists them).
ALL: tuple[ResourceType, ...] = _TYPES

_BY_RESOURCE: dict[tuple[str, str, str], ResourceType] = {
    (t.group, t.version, t.plural): t for t in ALL
}
_BY_KIND: dict[tuple[str, str], ResourceType] = {}
for _t in ALL:
    _BY_KIND.setdefault((_t.api_version, _t.kind), _t)

# Names kubectl resolves, most specific first: the core group wins ties ("events"), as
# kubectl's discovery RESTMapper orders the core group before all others.
_BY_NAME: dict[str, ResourceType] = {}
for _t in ALL:
    for _name in (_t.plural, _t.singular, _t.kind.lower(), *_t.short_names):
        _BY_NAME.setdefault(_name, _t)
    for _name in (_t.plural, _t.singular, _t.kind.lower(), *_t.short_names):
        _BY_NAME.setdefault(f"{_name}.{_t.group}", _t)
        _BY_NAME.setdefault(f"{_name}.{_t.version}.{_t.group}", _t)


def groups() -> Iterator[tuple[str, tuple[str, ...]]]:
    """Each served group (``""`` for core) with its versions, in discovery order."""
    seen: dict[str, list[str]] = {}
    for t in ALL:
        versions = seen.setdefault(t.group, [])
        if t.version not in versions:
            versions.append(t.version)
    for group, versions in seen.items():
        yield group, tuple(versions)


def by_resource(group: str, version: str, plural: str) -> ResourceType:
    """The type served at ``/apis/<group>/<version>/<plural>`` (core: group ``""``)."""
    try:
        return _BY_RESOURCE[(group, version, plural)]
    except KeyError:
        raise UnknownResource(plural) from None


def by_kind(api_version: str, kind: str) -> ResourceType:
    """The type of an object with this ``apiVersion`` and ``kind``."""
    try:
        return _BY_KIND[(api_version, kind)]
    except KeyError:
        raise UnknownResource(f"{kind} in version {api_version!r}") from None


def lookup(name: str) -> ResourceType:
    """Resolve a name as kubectl does: plural, singular, kind, short name, optionally
    qualified as ``name.group`` or ``name.version.group`` (``jobs.batch``, ``deploy.v1.apps``)."""
    found = _BY_NAME.get(name) or _BY_NAME.get(name.lower())
    if found is None:
        raise UnknownResource(name)
    return found
