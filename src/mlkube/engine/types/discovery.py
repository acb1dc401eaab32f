"""EndpointSlices (discovery.k8s.io/v1), the basic rules of kube-apiserver v1.37.

Follows ``pkg/apis/discovery/v1/defaults.go`` (``SetDefaults_EndpointPort``) and
``pkg/apis/discovery/validation/validation.go`` (address type, endpoint addresses and
hostnames, ports; the address type is immutable). Not covered: topology hints, zone and
node names beyond presence, the FQDN address rules.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Final

from mlkube.api import validation as _v
from mlkube.api.field import (
    FieldError,
    Path,
    duplicate,
    invalid,
    not_supported,
    required,
    too_many,
)
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = ["EndpointSliceStrategy", "default_endpoint_slice", "validate_endpoint_slice"]

Obj = dict[str, Any]

MAX_ENDPOINTS: Final = 1000
MAX_ADDRESSES: Final = 100
MAX_PORTS: Final = 20000
_ADDRESS_TYPES: Final = ("FQDN", "IPv4", "IPv6")  # sets.List order
_PROTOCOLS: Final = ("SCTP", "TCP", "UDP")


def default_endpoint_slice(obj: Obj) -> None:
    """``SetDefaults_EndpointPort`` for every port."""
    for port in obj.get("ports") or []:
        if isinstance(port, dict):
            if port.get("name") is None:
                port["name"] = ""
            if port.get("protocol") is None:
                port["protocol"] = "TCP"


def _address_errors(address: str, address_type: str, path: Path) -> list[FieldError]:
    if address_type == "FQDN":
        return [invalid(path, address, m) for m in _v.is_dns1123_subdomain(address)]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    if address_type == "IPv4" and not isinstance(ip, ipaddress.IPv4Address):
        return [invalid(path, address, "must be a valid IPv4 address")]
    if address_type == "IPv6" and not isinstance(ip, ipaddress.IPv6Address):
        return [invalid(path, address, "must be a valid IPv6 address")]
    return []


def validate_endpoint_slice(obj: Obj) -> list[FieldError]:
    """``ValidateEndpointSlice`` without ObjectMeta (the basic rules)."""
    errs: list[FieldError] = []
    address_type = str(obj.get("addressType") or "")
    if not address_type:
        errs.append(required(Path("addressType"), ""))
    elif address_type not in _ADDRESS_TYPES:
        errs.append(not_supported(Path("addressType"), address_type, _ADDRESS_TYPES))
    endpoints = obj.get("endpoints") or []
    eps_path = Path("endpoints")
    if len(endpoints) > MAX_ENDPOINTS:
        errs.append(too_many(eps_path, len(endpoints), MAX_ENDPOINTS))
    for i, endpoint in enumerate(endpoints):
        endpoint = endpoint or {}
        idx = eps_path.index(i)
        addresses = endpoint.get("addresses") or []
        apath = idx.child("addresses")
        if not addresses:
            errs.append(required(apath, "must contain at least 1 address"))
        elif len(addresses) > MAX_ADDRESSES:
            errs.append(too_many(apath, len(addresses), MAX_ADDRESSES))
        for j, address in enumerate(addresses):
            if address_type in _ADDRESS_TYPES:
                errs += _address_errors(str(address), address_type, apath.index(j))
        hostname = endpoint.get("hostname")
        if hostname is not None:
            errs += [
                invalid(idx.child("hostname"), hostname, m)
                for m in _v.is_dns1123_label(str(hostname))
            ]
    ports = obj.get("ports") or []
    ports_path = Path("ports")
    if len(ports) > MAX_PORTS:
        errs.append(too_many(ports_path, len(ports), MAX_PORTS))
    names: set[str] = set()
    for i, port in enumerate(ports):
        port = port or {}
        idx = ports_path.index(i)
        name = str(port.get("name") or "")
        if name:
            errs += [invalid(idx.child("name"), name, m) for m in _v.is_dns1123_label(name)]
        if name in names:
            errs.append(duplicate(idx.child("name"), name))
        names.add(name)
        protocol = port.get("protocol")
        if protocol is None:
            errs.append(required(idx.child("protocol"), ""))
        elif protocol not in _PROTOCOLS:
            errs.append(not_supported(idx.child("protocol"), protocol, _PROTOCOLS))
    return errs


class EndpointSliceStrategy(BaseStrategy):
    """``pkg/registry/discovery/endpointslice/strategy.go``."""

    kind = "EndpointSlice"
    api_version = "discovery.k8s.io/v1"
    has_generation = True

    def default(self, obj: Obj) -> None:
        default_endpoint_slice(obj)

    def prepare_for_update(self, new: Obj, old: Obj) -> None:
        super().prepare_for_update(new, old)
        # Anything but ObjectMeta, or the labels, changing bumps the generation.
        new_meta, old_meta = new.get("metadata") or {}, old.get("metadata") or {}
        old_gen = int(old_meta.get("generation") or 0)
        if new_meta.get("generation") == old_gen and new_meta.get("labels") != old_meta.get(
            "labels"
        ):
            new_meta["generation"] = old_gen + 1

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_endpoint_slice(obj)

    def validate_fields_update(self, new: Obj, old: Obj) -> list[FieldError]:
        errs = validate_endpoint_slice(new)
        errs += _v.validate_immutable_field(
            new.get("addressType"), old.get("addressType"), Path("addressType")
        )
        return errs


register(EndpointSliceStrategy())
