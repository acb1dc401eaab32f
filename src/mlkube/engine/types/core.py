"""The core/v1 types around workloads: Namespace, Node, Service, Endpoints, ConfigMap,
Secret, ServiceAccount and Event.

Follows ``pkg/apis/core/v1/defaults.go`` (``SetDefaults_Namespace``, ``_NamespaceStatus``,
``_NodeStatus``, ``_Service``, ``_Endpoints``, ``_Secret``), the registries'
``strategy.go`` files under ``pkg/registry/core/`` (namespace: ``PrepareForCreate`` sets
the ``kubernetes`` finalizer and phase ``Active``; updates keep finalizers and status) and
``pkg/apis/core/validation/validation.go`` (``ValidateNamespace``, ``ValidateNode``,
``validateNodeTaints``, ``ValidateService``, ``ValidateEndpoints``, ``ValidateConfigMap``,
``ValidateSecret`` and their updates).

Not covered: Service cluster-IP and node-port allocation (the store's allocator), load
balancer status, the Windows GMSA and node config-source fields, core/v1 Event field
rules beyond ObjectMeta.
"""

from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path
from mlkube.engine.types import _resources as res
from mlkube.engine.types.podspec_validation import validate_taint_effect
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = [
    "LABEL_METADATA_NAME",
    "MAX_SECRET_SIZE",
    "ConfigMapStrategy",
    "EndpointsStrategy",
    "EventStrategy",
    "GoValue",
    "NamespaceStrategy",
    "NodeStrategy",
    "SecretStrategy",
    "ServiceAccountStrategy",
    "ServiceStrategy",
    "validate_node_taints",
]

Obj = dict[str, Any]
Errs = list[FieldError]

LABEL_METADATA_NAME: Final = "kubernetes.io/metadata.name"
MAX_SECRET_SIZE: Final = 1 * 1024 * 1024
_IMMUTABLE_WHEN_SET: Final = "field is immutable when `immutable` is set"
_PROTOCOLS: Final = ("SCTP", "TCP", "UDP")
_SERVICE_TYPES: Final = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
_IP_EXAMPLE: Final = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
_STANDARD_FINALIZERS: Final = frozenset({"kubernetes", "orphan", "foregroundDeletion"})
_NOT_STANDARD_FINALIZER: Final = (
    "name is neither a standard finalizer name nor is it fully qualified"
)


class GoValue:
    """A bad value holding an internal Go struct, printed as ``encoding/json`` prints it:
    exported field names, declaration order (internal types have no json tags)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoValue) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def _is_valid_ip(path: Path, value: str) -> Errs:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return [field.invalid(path, value, _IP_EXAMPLE)]
    return []


def _decoded_len(value: Any) -> int:
    """The byte length of a base64 ``data`` value (its decoded size)."""
    if not isinstance(value, str):
        return 0
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return len(value)


# --- Namespace ---------------------------------------------------------------------------


class NamespaceStrategy(BaseStrategy):
    """``namespace.Strategy``: cluster-scoped, DNS-label names, the ``kubernetes`` finalizer."""

    kind: ClassVar[str] = "Namespace"
    namespaced: ClassVar[bool] = False
    has_status: ClassVar[bool] = True
    name_validator: ClassVar[str] = "dns-label"

    def default(self, obj: Obj) -> None:
        meta = obj.setdefault("metadata", {})
        if meta.get("name"):
            labels = meta.get("labels") or {}
            labels[LABEL_METADATA_NAME] = meta["name"]
            meta["labels"] = labels
        status = obj.setdefault("status", {})
        if not status.get("phase"):
            status["phase"] = "Active"

    def initial_status(self, obj: Obj) -> Obj:
        return {"phase": "Active"}

    def prepare_fields_for_create(self, obj: Obj) -> None:
        spec = obj.setdefault("spec", {})
        finalizers = list(spec.get("finalizers") or [])
        if "kubernetes" not in finalizers:
            finalizers.append("kubernetes")
        spec["finalizers"] = finalizers
        self.default(obj)

    def prepare_fields_for_update(self, new: Obj, old: Obj) -> None:
        new.pop("spec", None)
        if "spec" in old:
            new["spec"] = copy.deepcopy(old["spec"])
        self.default(new)

    def validate_fields(self, obj: Obj) -> Errs:
        # validateFinalizerName, at the un-indexed path ValidateNamespace passes.
        path = Path("spec", "finalizers")
        errs: Errs = []
        for name in (obj.get("spec") or {}).get("finalizers") or []:
            errs.extend(field.invalid(path, name, m) for m in _v.is_qualified_name(name))
            if "/" not in name and name not in _STANDARD_FINALIZERS:
                errs.append(field.invalid(path, name, _NOT_STANDARD_FINALIZER))
        return errs

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        return []

    def validate_status_fields(self, new: Obj, old: Obj) -> Errs:
        phase = (new.get("status") or {}).get("phase") or ""
        path = Path("status", "Phase")
        if not (new.get("metadata") or {}).get("deletionTimestamp"):
            if phase != "Active":
                return [
                    field.invalid(
                        path, phase, "may only be 'Active' if `deletionTimestamp` is empty"
                    )
                ]
        elif phase != "Terminating":
            return [
                field.invalid(
                    path, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"
                )
            ]
        return []


# --- Node --------------------------------------------------------------------------------


def validate_node_taints(taints: Sequence[Obj] | None, path: Path) -> Errs:
    """``validateNodeTaints``: key, value, effect, unique by (key, effect)."""
    errs: Errs = []
    seen: set[tuple[str, str]] = set()
    for i, taint in enumerate(taints or []):
        p = path.index(i)
        key = taint.get("key") or ""
        value = taint.get("value") or ""
        effect = taint.get("effect") or ""
        errs.extend(_v.validate_label_name(key, p.child("key")))
        msgs = _v.is_valid_label_value(value)
        if msgs:
            errs.append(field.invalid(p.child("value"), value, ";".join(msgs)))
        errs.extend(validate_taint_effect(effect, p.child("effect"), allow_empty=False))
        if (key, effect) in seen:
            dup = field.duplicate(p, _go_taint(key, value, effect, taint.get("timeAdded")))
            errs.append(
                dataclasses.replace(dup, detail="taints must be unique by key and effect pair")
            )
            continue
        seen.add((key, effect))
    return errs


def _go_taint(key: str, value: str, effect: str, time_added: Any) -> GoValue:
    q = field.go_quote
    added = "null" if not time_added else q(str(time_added))
    return GoValue(
        f'{{"Key":{q(key)},"Value":{q(value)},"Effect":{q(effect)},"TimeAdded":{added}}}'
    )


def _validate_node_resources(node: Obj) -> Errs:
    errs: Errs = []
    status = node.get("status") or {}
    for section in ("capacity", "allocatable"):
        values: Mapping[str, Any] = status.get(section) or {}
        for name in sorted(values):
            errs.extend(
                res.validate_resource_quantity_value(
                    name, values[name], Path("status", section, name)
                )
            )
    return errs


class NodeStrategy(BaseStrategy):
    """``node.Strategy``: cluster-scoped; the kubelet's status is kept on create."""

    kind: ClassVar[str] = "Node"
    namespaced: ClassVar[bool] = False
    has_status: ClassVar[bool] = True

    def default(self, obj: Obj) -> None:
        status = obj.get("status")
        if status is None:
            return
        if status.get("capacity") is not None:
            for key in ("capacity", "allocatable"):
                if status.get(key):
                    for name, value in list(status[key].items()):
                        status[key][name] = res.canonical(value)
            if status.get("allocatable") is None:
                status["allocatable"] = copy.deepcopy(status["capacity"])

    def initial_status(self, obj: Obj) -> Obj | None:
        return None

    def validate_fields(self, obj: Obj) -> Errs:
        errs = validate_node_taints(
            (obj.get("spec") or {}).get("taints"), Path("metadata", "taints")
        )
        errs.extend(_validate_node_resources(obj))
        return errs

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        errs = _validate_node_resources(new)
        new_spec: Obj = new.get("spec") or {}
        old_spec: Obj = old.get("spec") or {}
        addresses: list[Any] = []
        for i, address in enumerate((new.get("status") or {}).get("addresses") or []):
            if address in addresses:
                errs.append(field.duplicate(Path("status", "addresses").index(i), address))
            addresses.append(address)
        old_cidrs = old_spec.get("podCIDRs") or []
        if old_cidrs:
            new_cidrs = new_spec.get("podCIDRs") or []
            msg = 'node updates may not change podCIDR except from "" to valid'
            if len(old_cidrs) != len(new_cidrs):
                errs.append(field.forbidden(Path("spec", "podCIDRs"), msg))
            else:
                errs.extend(
                    field.forbidden(Path("spec", "podCIDRs"), msg)
                    for o, n in zip(old_cidrs, new_cidrs, strict=True)
                    if o != n
                )
        old_provider = old_spec.get("providerID") or ""
        if old_provider and old_provider != (new_spec.get("providerID") or ""):
            errs.append(
                field.forbidden(
                    Path("spec", "providerID"),
                    'node updates may not change providerID except from "" to valid',
                )
            )
        errs.extend(validate_node_taints(new_spec.get("taints"), Path("metadata", "taints")))
        if (new_spec.get("externalID") or "") != (old_spec.get("externalID") or ""):
            errs.append(field.forbidden(Path("spec", "externalID"), "may not be updated"))
        return errs

    def validate_status_fields(self, new: Obj, old: Obj) -> Errs:
        return self.validate_fields_update(new, old)


# --- Service -----------------------------------------------------------------------------


def _is_headless(spec: Obj) -> bool:
    ips = spec.get("clusterIPs") or []
    return len(ips) == 1 and ips[0] == "None"


def _validate_service_port(port: Obj, require_name: bool, names: set[str], path: Path) -> Errs:
    errs: Errs = []
    name = port.get("name") or ""
    if require_name and not name:
        errs.append(field.required(path.child("name"), ""))
    elif name:
        errs.extend(field.invalid(path.child("name"), name, m) for m in _v.is_dns1123_label(name))
        if name in names:
            errs.append(field.duplicate(path.child("name"), name))
        else:
            names.add(name)
    number = port.get("port") or 0
    errs.extend(field.invalid(path.child("port"), number, m) for m in _v.is_valid_port_num(number))
    protocol = port.get("protocol") or ""
    if not protocol:
        errs.append(field.required(path.child("protocol"), ""))
    elif protocol not in _PROTOCOLS:
        errs.append(field.not_supported(path.child("protocol"), protocol, _PROTOCOLS))
    target = port.get("targetPort")
    if isinstance(target, str):
        errs.extend(
            field.invalid(path.child("targetPort"), target, m)
            for m in _v.is_valid_port_name(target)
        )
    else:
        value = target or 0
        errs.extend(
            field.invalid(path.child("targetPort"), value, m) for m in _v.is_valid_port_num(value)
        )
    app_protocol = port.get("appProtocol")
    if app_protocol is not None:
        errs.extend(
            field.invalid(path.child("appProtocol"), app_protocol, m)
            for m in _v.is_qualified_name(app_protocol)
        )
    return errs


def _externally_accessible(spec: Obj) -> bool:
    kind = spec.get("type") or ""
    return kind in ("LoadBalancer", "NodePort") or (
        kind == "ClusterIP" and bool(spec.get("externalIPs"))
    )


def _validate_service(svc: Obj) -> Errs:
    """``ValidateService`` without ObjectMeta."""
    spec: Obj = svc.get("spec") or {}
    path = Path("spec")
    errs: Errs = []
    kind = spec.get("type") or ""
    headless = _is_headless(spec)
    ports: list[Obj] = spec.get("ports") or []
    if not ports and not headless and kind != "ExternalName":
        errs.append(field.required(path.child("ports"), ""))
    if kind in ("LoadBalancer", "NodePort") and headless:
        errs.append(
            field.invalid(
                path.child("clusterIPs").index(0),
                "None",
                f"may not be set to 'None' for {kind} services",
            )
        )
    if kind == "ExternalName":
        if spec.get("clusterIPs"):
            errs.append(
                field.forbidden(
                    path.child("clusterIPs"), "may not be set for ExternalName services"
                )
            )
        if spec.get("ipFamilies"):
            errs.append(
                field.forbidden(
                    path.child("ipFamilies"), "may not be set for ExternalName services"
                )
            )
        if spec.get("ipFamilyPolicy") is not None:
            errs.append(
                field.forbidden(
                    path.child("ipFamilyPolicy"), "may not be set for ExternalName services"
                )
            )
        cname = (spec.get("externalName") or "").removesuffix(".")
        if cname:
            errs.extend(
                field.invalid(path.child("externalName"), cname, m)
                for m in _v.is_dns1123_subdomain(cname)
            )
        else:
            errs.append(field.required(path.child("externalName"), ""))
    names: set[str] = set()
    for i, port in enumerate(ports):
        errs.extend(
            _validate_service_port(port, len(ports) > 1, names, path.child("ports").index(i))
        )
    if spec.get("selector") is not None:
        errs.extend(_v.validate_labels(spec["selector"], path.child("selector")))
    affinity = spec.get("sessionAffinity") or ""
    if not affinity:
        errs.append(field.required(path.child("sessionAffinity"), ""))
    elif affinity not in ("ClientIP", "None"):
        errs.append(
            field.not_supported(path.child("sessionAffinity"), affinity, ("ClientIP", "None"))
        )
    if affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        errs.append(
            field.forbidden(
                path.child("sessionAffinityConfig"), "must not be set when session affinity is None"
            )
        )
    errs.extend(_validate_cluster_ips(spec, path))
    for i, ip in enumerate(spec.get("externalIPs") or []):
        errs.extend(_is_valid_ip(path.child("externalIPs").index(i), ip))
    if not kind:
        errs.append(field.required(path.child("type"), ""))
    elif kind not in _SERVICE_TYPES:
        errs.append(field.not_supported(path.child("type"), kind, _SERVICE_TYPES))
    if kind == "ClusterIP":
        for i, port in enumerate(ports):
            if port.get("nodePort"):
                errs.append(
                    field.forbidden(
                        path.child("ports").index(i).child("nodePort"),
                        "may not be used when `type` is 'ClusterIP'",
                    )
                )
    seen_node_ports: set[tuple[str, int]] = set()
    for i, port in enumerate(ports):
        node_port = port.get("nodePort") or 0
        if not node_port:
            continue
        key = (port.get("protocol") or "", node_port)
        if key in seen_node_ports:
            errs.append(field.duplicate(path.child("ports").index(i).child("nodePort"), node_port))
        seen_node_ports.add(key)
    seen_ports: set[tuple[str, int]] = set()
    for i, port in enumerate(ports):
        key = (port.get("protocol") or "", port.get("port") or 0)
        if key in seen_ports:
            go = (
                f'{{"Name":"","Protocol":{field.go_quote(key[0])},"AppProtocol":null,'
                f'"Port":{key[1]},"TargetPort":0,"NodePort":0}}'
            )
            errs.append(field.duplicate(path.child("ports").index(i), GoValue(go)))
        seen_ports.add(key)
    if spec.get("allocateLoadBalancerNodePorts") is not None and kind != "LoadBalancer":
        errs.append(
            field.forbidden(
                path.child("allocateLoadBalancerNodePorts"),
                "may only be used when `type` is 'LoadBalancer'",
            )
        )
    if kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        errs.append(field.required(Path("allocateLoadBalancerNodePorts"), ""))
    etp = spec.get("externalTrafficPolicy") or ""
    if not _externally_accessible(spec):
        if etp:
            errs.append(
                field.invalid(
                    path.child("externalTrafficPolicy"),
                    etp,
                    "may only be set for externally-accessible services",
                )
            )
    elif not etp:
        errs.append(field.required(path.child("externalTrafficPolicy"), ""))
    elif etp not in ("Cluster", "Local"):
        errs.append(
            field.not_supported(path.child("externalTrafficPolicy"), etp, ("Cluster", "Local"))
        )
    itp = spec.get("internalTrafficPolicy")
    if itp is None and kind in ("NodePort", "LoadBalancer", "ClusterIP"):
        errs.append(field.required(path.child("internalTrafficPolicy"), ""))
    if itp is not None and itp not in ("Cluster", "Local"):
        errs.append(
            field.not_supported(path.child("internalTrafficPolicy"), itp, ("Cluster", "Local"))
        )
    return errs


def _validate_cluster_ips(spec: Obj, path: Path) -> Errs:
    if (spec.get("type") or "") == "ExternalName":
        return []
    errs: Errs = []
    cluster_ip = spec.get("clusterIP") or ""
    cluster_ips: list[str] = spec.get("clusterIPs") or []
    ips_path = path.child("clusterIPs")
    if cluster_ip:
        if not cluster_ips:
            errs.append(field.required(ips_path, ""))
        elif cluster_ips[0] != cluster_ip:
            errs.append(field.invalid(ips_path, cluster_ips, "first value must match `clusterIP`"))
    elif cluster_ips:
        errs.append(
            field.invalid(ips_path, cluster_ips, "must be empty when `clusterIP` is not specified")
        )
    seen: set[str] = set()
    for i, family in enumerate(spec.get("ipFamilies") or []):
        if family not in ("IPv4", "IPv6"):
            errs.append(
                field.not_supported(path.child("ipFamilies").index(i), family, ("IPv4", "IPv6"))
            )
        if family in seen:
            errs.append(field.duplicate(path.child("ipFamilies").index(i), family))
        seen.add(family)
    policy = spec.get("ipFamilyPolicy")
    supported = ("PreferDualStack", "RequireDualStack", "SingleStack")
    if policy is not None and policy not in supported:
        errs.append(field.not_supported(path.child("ipFamilyPolicy"), policy, supported))
    for i, ip in enumerate(cluster_ips):
        if i == 0 and ip == "None":
            if len(cluster_ips) > 1:
                errs.append(
                    field.invalid(ips_path, cluster_ips, "'None' must be the first and only value")
                )
            continue
        errs.extend(_is_valid_ip(ips_path.index(i), ip))
    if len(cluster_ips) > 2:
        errs.append(field.invalid(ips_path, cluster_ips, "may only hold up to 2 values"))
    return errs


class ServiceStrategy(BaseStrategy):
    """``service.Strategy``: DNS-1035 names, immutable cluster IPs."""

    kind: ClassVar[str] = "Service"
    has_status: ClassVar[bool] = True
    name_validator: ClassVar[str] = "dns-1035-label"

    def default(self, obj: Obj) -> None:
        """``SetDefaults_Service``."""
        spec = obj.setdefault("spec", {})
        if not spec.get("sessionAffinity"):
            spec["sessionAffinity"] = "None"
        if spec["sessionAffinity"] == "None":
            spec.pop("sessionAffinityConfig", None)
        if spec["sessionAffinity"] == "ClientIP":
            config = spec.get("sessionAffinityConfig") or {}
            client_ip = config.get("clientIP") or {}
            if client_ip.get("timeoutSeconds") is None:
                spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 10800}}
        if not spec.get("type"):
            spec["type"] = "ClusterIP"
        for port in spec.get("ports") or []:
            if not port.get("protocol"):
                port["protocol"] = "TCP"
            if port.get("targetPort") in (None, 0, ""):
                port["targetPort"] = port.get("port", 0)
        if _externally_accessible(spec) and not spec.get("externalTrafficPolicy"):
            spec["externalTrafficPolicy"] = "Cluster"
        if spec.get("internalTrafficPolicy") is None and spec["type"] in (
            "NodePort",
            "LoadBalancer",
            "ClusterIP",
        ):
            spec["internalTrafficPolicy"] = "Cluster"
        if spec["type"] == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
            spec["allocateLoadBalancerNodePorts"] = True

    def initial_status(self, obj: Obj) -> Obj:
        return {"loadBalancer": {}}

    def prepare_fields_for_create(self, obj: Obj) -> None:
        # The IP allocator's defaults for a single-stack IPv4 cluster.
        spec = obj.setdefault("spec", {})
        if spec.get("type") == "ExternalName":
            return
        if spec.get("clusterIP") and not spec.get("clusterIPs"):
            spec["clusterIPs"] = [spec["clusterIP"]]
        if spec.get("ipFamilyPolicy") is None:
            spec["ipFamilyPolicy"] = "SingleStack"
        if not spec.get("ipFamilies"):
            spec["ipFamilies"] = ["IPv4"]

    def validate_fields(self, obj: Obj) -> Errs:
        return _validate_service(obj)

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        errs: Errs = []
        new_spec: Obj = new.get("spec") or {}
        old_spec: Obj = old.get("spec") or {}
        if "ExternalName" not in (new_spec.get("type"), old_spec.get("type")):
            old_ips: list[str] = old_spec.get("clusterIPs") or []
            new_ips: list[str] = new_spec.get("clusterIPs") or []
            if not (_is_headless(old_spec) and _is_headless(new_spec)):
                if len(old_ips) == len(new_ips):
                    errs.extend(
                        field.invalid(
                            Path("spec", "clusterIPs").index(i), new_ips, "may not change once set"
                        )
                        for i, ip in enumerate(old_ips)
                        if ip != new_ips[i]
                    )
                elif len(old_ips) > len(new_ips) and not new_ips:
                    errs.append(
                        field.invalid(
                            Path("spec", "clusterIPs").index(0),
                            new_ips,
                            "primary clusterIP can not be unset",
                        )
                    )
                elif old_ips and new_ips and old_ips[0] != new_ips[0]:
                    errs.append(
                        field.invalid(
                            Path("spec", "clusterIPs").index(0), new_ips, "may not change once set"
                        )
                    )
        errs.extend(self.validate_new_meta(new))
        errs.extend(_validate_service(new))
        return errs


# --- Endpoints ---------------------------------------------------------------------------


class EndpointsStrategy(BaseStrategy):
    """``endpoint.Strategy``."""

    kind: ClassVar[str] = "Endpoints"

    def validate_fields_update(self, new: Obj, old: Obj) -> Errs:
        return self.validate_new_meta(new) + self.validate_fields(new)

    def default(self, obj: Obj) -> None:
        for subset in obj.get("subsets") or []:
            for port in subset.get("ports") or []:
                if not port.get("protocol"):
                    port["protocol"] = "TCP"

    def validate_fields(self, obj: Obj) -> Errs:
        errs: Errs = []
        path = Path("subsets")
        for i, subset in enumerate(obj.get("subsets") or []):
            p = path.index(i)
            if not subset.get("addresses") and not subset.get("notReadyAddresses"):
                errs.append(field.required(p, "must specify `addresses` or `notReadyAddresses`"))
            for key in ("addresses", "notReadyAddresses"):
                for j, address in enumerate(subset.get(key) or []):
                    ap = p.child(key).index(j)
                    errs.extend(_is_valid_ip(ap.child("ip"), address.get("ip") or ""))
                    if address.get("hostname"):
                        errs.extend(
                            field.invalid(ap.child("hostname"), address["hostname"], m)
                            for m in _v.is_dns1123_label(address["hostname"])
                        )
            ports = subset.get("ports") or []
            for j, port in enumerate(ports):
                pp = p.child("ports").index(j)
                name = port.get("name") or ""
                if len(ports) > 1 and not name:
                    errs.append(field.required(pp.child("name"), ""))
                elif name:
                    errs.extend(
                        field.invalid(pp.child("name"), name, m) for m in _v.is_dns1123_label(name)
                    )
                number = port.get("port") or 0
                errs.extend(
                    field.invalid(pp.child("port"), number, m) for m in _v.is_valid_port_num(number)
                )
                protocol = port.get("protocol") or ""
                if not protocol:
                    errs.append(field.required(pp.child("protocol"), ""))
                elif protocol not in _PROTOCOLS:
                    errs.append(field.not_supported(pp.child("protocol"), protocol, _PROTOCOLS))
        return errs


# --- ConfigMap and Secret ----------------------------------------------------------------


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


for _strategy in (
    NamespaceStrategy(),
    NodeStrategy(),
    ServiceStrategy(),
    EndpointsStrategy(),
    ConfigMapStrategy(),
    SecretStrategy(),
    ServiceAccountStrategy(),
    EventStrategy(),
):
    register(_strategy)
