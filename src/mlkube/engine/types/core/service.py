"""The core/v1 kinds of service discovery: Service and Endpoints.

It exists so that ports, protocols, IPs and the Service types' rules live apart from the
other core kinds. Follows ``pkg/apis/core/v1/defaults.go`` (``SetDefaults_Service``,
``_Endpoints``), ``pkg/registry/core/service/strategy.go``,
``pkg/registry/core/endpoint/strategy.go`` and ``pkg/apis/core/validation/validation.go``
(``ValidateService``, ``validateServicePort``, ``ValidateEndpoints`` and their updates).

Not covered: Service cluster-IP and node-port allocation (the store's allocator), load
balancer status.
"""

from __future__ import annotations

import ipaddress
from typing import ClassVar, Final

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import Path
from mlkube.engine.types.core._common import Errs, GoValue, Obj
from mlkube.engine.types.strategy import BaseStrategy

__all__ = ["EndpointsStrategy", "ServiceStrategy"]


_PROTOCOLS: Final = ("SCTP", "TCP", "UDP")
_SERVICE_TYPES: Final = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
_IP_EXAMPLE: Final = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"


def _is_valid_ip(path: Path, value: str) -> Errs:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return [field.invalid(path, value, _IP_EXAMPLE)]
    return []


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
