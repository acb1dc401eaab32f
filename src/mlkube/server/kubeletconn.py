"""Where kube-apiserver reaches a node's kubelet, and what its dialer says when no kubelet
answers there.

A request proxied to a kubelet (``pods/exec``) starts with
``NodeConnectionInfoGetter.GetConnectionInfo`` (``pkg/kubelet/client/kubelet_client.go``):
the node (a missing one is a 404 naming the request's resource, ``pods "<node>" not
found``, because the store qualifies it from the request), its first address in
``--kubelet-preferred-address-types`` order (``pkg/util/node/node.go``
``GetPreferredNodeAddress``; none is a reasonless 500) and its
``daemonEndpoints.kubeletEndpoint.Port``, else 10250. ``streamLocation``
(``pkg/registry/core/pod/strategy.go``) then builds the kubelet's URL.

A simulated node has no kubelet, so the dial fails, in the words of Go's dialer for the
address chosen: an IP literal is refused (``dial tcp 127.0.0.1:10250: connect: connection
refused``, as for a KWOK node whose ``--node-ip`` nothing listens on); a name is first
looked up, as kube-apiserver's pure-Go resolver looks it up, and is either refused at the
address it resolves to or unknown (``dial tcp: lookup gpu-0 on 10.255.255.53:53: no such
host``). KWOK's nodes and mlkube's both report their name as the ``Hostname`` address,
which comes first, so both clusters answer with the lookup.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

from mlkube.engine.errors import ApiError, NotFound

__all__ = [
    "KUBELET_PORT",
    "PREFERRED_ADDRESS_TYPES",
    "Resolver",
    "connection_info",
    "dial_error",
    "join_host_port",
    "nameserver",
    "resolve",
    "stream_location",
]

#: ``ports.KubeletPort``: where kube-apiserver dials a node whose status names no port.
KUBELET_PORT: Final = 10250
#: ``--kubelet-preferred-address-types``' default order.
PREFERRED_ADDRESS_TYPES: Final = (
    "Hostname",
    "InternalDNS",
    "InternalIP",
    "ExternalDNS",
    "ExternalIP",
)
_RESOLV_CONF: Final = Path("/etc/resolv.conf")
#: Go's ``defaultNS``, when resolv.conf names no nameserver.
_DEFAULT_NAMESERVER: Final = "127.0.0.1:53"
_NO_SUCH_HOST: Final = frozenset(
    code for code in (getattr(socket, n, None) for n in ("EAI_NONAME", "EAI_NODATA")) if code
)

#: ``host -> addresses`` (IP strings, in the resolver's order); raises :class:`socket.gaierror`.
Resolver = Callable[[str], Sequence[str]]


def connection_info(node: Mapping[str, Any] | None, node_name: str) -> tuple[str, int]:
    """``GetConnectionInfo``: the kubelet's host and port for ``node`` (None: not found)."""
    if node is None:
        raise NotFound("pods", node_name)
    status = node.get("status") or {}
    addresses = [a for a in status.get("addresses") or [] if isinstance(a, Mapping)]
    host = next(
        (
            str(a.get("address", ""))
            for kind in PREFERRED_ADDRESS_TYPES
            for a in addresses
            if a.get("type") == kind
        ),
        None,
    )
    if host is None:
        known = " ".join(f"{{{a.get('type', '')} {a.get('address', '')}}}" for a in addresses)
        raise ApiError(f"no preferred addresses found; known addresses: [{known}]", code=500)
    endpoint = (status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}
    port = int(endpoint.get("Port") or 0)
    return host, port if port > 0 else KUBELET_PORT


def join_host_port(host: str, port: int) -> str:
    """``net.JoinHostPort``: an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def stream_location(
    host: str,
    port: int,
    path: str,
    namespace: str,
    pod: str,
    container: str,
    params: Sequence[tuple[str, str]],
) -> str:
    """``streamLocation``'s URL: ``https://host:port/<path>/<ns>/<pod>/<container>?...``
    with the parameters sorted by key, as ``url.Values.Encode`` sorts them."""
    query = urlencode(sorted(params, key=lambda kv: kv[0]))
    return f"https://{join_host_port(host, port)}/{path}/{namespace}/{pod}/{container}?{query}"


def resolve(host: str) -> list[str]:
    """The addresses the system resolver gives ``host`` (TCP, any family, its order)."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def nameserver(resolv_conf: Path = _RESOLV_CONF) -> str:
    """The server Go's resolver names in a lookup error: resolv.conf's first nameserver
    (``host:53``), else Go's default."""
    try:
        lines = resolv_conf.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return _DEFAULT_NAMESERVER
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver" and _is_ip(fields[1].split("%")[0]):
            return join_host_port(fields[1], 53)
    return _DEFAULT_NAMESERVER


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def dial_error(
    host: str,
    port: int,
    *,
    resolver: Resolver = resolve,
    server: Callable[[], str] = nameserver,
) -> str:
    """What Go's dialer says dialing ``host:port`` where no kubelet listens (``net.OpError``
    and ``net.DNSError`` text); a name is looked up with ``resolver`` first."""
    addresses: Sequence[str] = [host]
    if not _is_ip(host):
        try:
            addresses = resolver(host)
        except socket.gaierror as err:
            why = "no such host" if err.errno in _NO_SUCH_HOST else "server misbehaving"
            return f"dial tcp: lookup {host} on {server()}: {why}"
        if not addresses:
            return f"dial tcp: lookup {host} on {server()}: no such host"
    return f"dial tcp {join_host_port(addresses[0], port)}: connect: connection refused"
