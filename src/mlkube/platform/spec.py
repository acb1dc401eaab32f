"""The Platform spec (``mlkube.io/v1alpha1``): pools, teams, datasets, priorities, profiles.

A platform engineer describes the ML platform once, in one YAML file; this module is its
schema, as msgspec Structs that forbid unknown fields, and its loader. Loading checks the
whole document's shape first (:mod:`mlkube.platform.shape`) so that every unknown key, wrong
type and bad quantity is reported at once with its path, the way kube-apiserver's decoder
reports strict-decoding errors (``k8s.io/apimachinery/pkg/runtime/serializer/json``), and only
then converts. Quantities and durations stay the user's strings here; their meaning is
``mlkube.api.quantity`` and ``mlkube.api.timestamps``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import yaml

from mlkube.platform.problems import Problem, SpecError

__all__ = [
    "API_VERSION",
    "CSI",
    "KIND",
    "NFS",
    "Dataset",
    "Local",
    "Member",
    "Metadata",
    "Platform",
    "Pool",
    "Priority",
    "Profile",
    "Taint",
    "Team",
    "load_file",
    "loads",
    "parse_documents",
    "to_builtins",
]

API_VERSION = "mlkube.io/v1alpha1"
KIND = "Platform"

#: A Kubernetes quantity string ("96", "1152Gi", "500m"); YAML numbers are accepted.
Quantity = Annotated[str, msgspec.Meta(extra={"kind": "quantity"})]
#: A Go duration string ("24h", "1h30m").
Duration = Annotated[str, msgspec.Meta(extra={"kind": "duration"})]
NonNegative = Annotated[int, msgspec.Meta(ge=0)]
Positive = Annotated[int, msgspec.Meta(ge=1)]
AccessMode = Literal["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]


class _Spec(msgspec.Struct, forbid_unknown_fields=True, rename="camel", omit_defaults=True):
    pass


class Metadata(_Spec):
    name: str
    labels: dict[str, str] = {}


class Taint(_Spec):
    key: str
    effect: str
    value: str = ""


class Pool(_Spec):
    """A kind of node: which nodes (real clusters) or how many (embedded), and what they offer."""

    name: str
    #: Real clusters: the node labels that select this pool's nodes.
    selector: dict[str, str] | None = None
    #: Embedded cluster: how many nodes to create.
    nodes: NonNegative = 0
    capacity: dict[str, Quantity] = {}
    labels: dict[str, str] = {}
    taints: list[Taint] = []
    runtime: Literal["simulate", "process"] = "simulate"


class Member(_Spec):
    """One RBAC subject of a team: exactly one of group, user or serviceAccount."""

    group: str | None = None
    user: str | None = None
    service_account: str | None = None


class Team(_Spec):
    name: str
    #: The team's namespace; defaults to the team's name.
    namespace: str | None = None
    quota: dict[str, Quantity] = {}
    #: LimitRange defaultRequest (and default limit unless defaultLimits says otherwise).
    defaults: dict[str, Quantity] = {}
    default_limits: dict[str, Quantity] = {}
    max: dict[str, Quantity] = {}
    members: list[Member] = []

    @property
    def namespace_name(self) -> str:
        return self.namespace or self.name


class NFS(_Spec):
    server: str
    path: str


class CSI(_Spec):
    driver: str
    volume_handle: str


class Local(_Spec):
    """A directory on the node (hostPath): the embedded cluster and single-node clusters."""

    path: str


class Dataset(_Spec):
    """Shared data: one PersistentVolume per team, each pre-bound to that team's claim."""

    name: str
    size: Quantity
    access: AccessMode = "ReadOnlyMany"
    storage_class: str | None = None
    nfs: NFS | None = None
    csi: CSI | None = None
    local: Local | None = None
    teams: list[str] = []


class Priority(_Spec):
    name: str
    value: int
    default: bool = False
    #: A preemptible class yields: its pods never preempt others (preemptionPolicy Never)
    #: and higher classes preempt them.
    preemptible: bool = False
    description: str = ""


class Profile(_Spec):
    """What one kind of workload gets: where it runs, how long, how often it retries."""

    pools: list[str] = []
    priority: str | None = None
    deadline: Duration | None = None
    ttl: Duration | None = None
    retries: NonNegative | None = None
    #: The most pods one workload of this profile runs at once (1: a single pod).
    parallelism: Positive = 1
    #: The datasets its workloads mount; unset: any dataset of the team.
    datasets: list[str] | None = None


class Platform(_Spec):
    api_version: Literal["mlkube.io/v1alpha1"]
    kind: Literal["Platform"]
    metadata: Metadata
    pools: list[Pool] = []
    teams: list[Team] = []
    datasets: list[Dataset] = []
    priorities: list[Priority] = []
    profiles: dict[str, Profile] = {}

    @property
    def name(self) -> str:
        return self.metadata.name

    def pool(self, name: str) -> Pool | None:
        return next((p for p in self.pools if p.name == name), None)

    def team(self, name: str) -> Team | None:
        return next((t for t in self.teams if t.name == name), None)


class _Loader(yaml.CSafeLoader):
    """PyYAML's C safe loader, remembering duplicate keys (YAML forbids them; PyYAML would
    silently keep the last one)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    self.duplicates.append((str(key_node.value), key_node.start_mark.line + 1))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


def _parse(text: str) -> tuple[Any, list[Problem]]:
    loader = _Loader(text)
    try:
        raw = loader.get_single_data()
    except yaml.YAMLError as err:
        return None, [_yaml_problem(err)]
    finally:
        loader.dispose()
    return raw, _duplicates(loader)


def _yaml_problem(err: yaml.YAMLError) -> Problem:
    mark = getattr(err, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    what = getattr(err, "problem", None) or str(err)
    return Problem("yaml", where, f"not valid YAML: {what}")


def _duplicates(loader: _Loader) -> list[Problem]:
    return [
        Problem("yaml", f"line {line}", f'duplicate key "{key}"', "keep one")
        for key, line in loader.duplicates
    ]


def parse_documents(text: str) -> tuple[list[Any], list[Problem]]:
    """Every YAML document of a multi-document text (``---``), with the same duplicate-key
    and syntax problems as one spec; the ML workloads' loader reads files this way."""
    loader = _Loader(text)
    docs: list[Any] = []
    try:
        while loader.check_node():
            docs.append(loader.construct_document(loader.get_node()))
    except yaml.YAMLError as err:
        return [], [_yaml_problem(err)]
    finally:
        loader.dispose()
    return docs, _duplicates(loader)


def loads(text: str) -> Platform:
    """Parse a spec from YAML text; raises :class:`SpecError` with every shape problem."""
    from mlkube.platform.shape import check

    raw, problems = _parse(text)
    if problems:
        raise SpecError(problems)
    if raw is None:
        raise SpecError([Problem("yaml", "", "the file is empty; expected a Platform")])
    normalized, problems = check(raw, Platform)
    if problems:
        raise SpecError(problems)
    try:
        return msgspec.convert(normalized, Platform)
    except msgspec.ValidationError as err:  # the shape check should have caught it
        raise SpecError([Problem("schema", "", str(err))]) from None


def load_file(path: str | Path) -> Platform:
    """Read and parse a spec file; a missing file is a :class:`SpecError` too."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise SpecError([Problem("file", str(path), err.strerror or str(err))]) from None
    return loads(text)


def to_builtins(spec: Platform) -> dict[str, Any]:
    """The spec as plain data, in its YAML field names."""
    return dict(msgspec.to_builtins(spec))
