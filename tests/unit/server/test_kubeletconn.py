"""Where kube-apiserver dials a node's kubelet, and Go's words when nothing answers there
(``kubelet_client.go`` GetConnectionInfo, ``node.go`` GetPreferredNodeAddress, the
dialer's ``net.OpError`` / ``net.DNSError``), as observed on kube-apiserver v1.37.2."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from mlkube.engine.errors import ApiError, NotFound
from mlkube.server.kubeletconn import connection_info, dial_error, nameserver, stream_location


def _node(*addresses: tuple[str, str], port: int | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"addresses": [{"type": t, "address": a} for t, a in addresses]}
    if port is not None:
        status["daemonEndpoints"] = {"kubeletEndpoint": {"Port": port}}
    return {"metadata": {"name": "n"}, "status": status}


@pytest.mark.parametrize(
    ("node", "where"),
    [
        pytest.param(
            _node(("InternalIP", "127.0.0.1"), ("Hostname", "kwok-0")),
            ("kwok-0", 10250),
            id="the hostname comes before the internal IP, whatever their order",
        ),
        pytest.param(
            _node(("ExternalIP", "1.2.3.4"), ("InternalDNS", "n.internal")),
            ("n.internal", 10250),
            id="internal DNS comes before any IP",
        ),
        pytest.param(
            _node(("InternalIP", "10.0.0.7"), port=0),
            ("10.0.0.7", 10250),
            id="a zero kubelet port (KWOK's) is the default 10250",
        ),
        pytest.param(
            _node(("InternalIP", "10.0.0.7"), port=10255),
            ("10.0.0.7", 10255),
            id="a reported kubelet port is used",
        ),
    ],
)
def test_the_kubelet_is_dialled_at_the_preferred_address(
    node: dict[str, Any], where: tuple[str, int]
) -> None:
    assert connection_info(node, "n") == where


def test_a_node_without_a_preferred_address_is_a_reasonless_500() -> None:
    with pytest.raises(ApiError) as caught:
        connection_info(_node(), "n")
    status = caught.value.to_status()
    assert (status["code"], "reason" in status, status["message"]) == (
        500,
        False,
        "no preferred addresses found; known addresses: []",
    )


def test_the_known_addresses_are_listed_as_go_prints_them() -> None:
    with pytest.raises(ApiError, match=r"known addresses: \[\{Other 1\.2\.3\.4\}\]$"):
        connection_info(_node(("Other", "1.2.3.4")), "n")


def test_a_missing_node_is_not_found_in_the_words_of_the_pods_request() -> None:
    with pytest.raises(NotFound) as caught:
        connection_info(None, "ghost")
    assert caught.value.message == 'pods "ghost" not found'


def test_the_kubelet_url_sorts_the_parameters_and_brackets_an_ipv6_host() -> None:
    params = [("output", "1"), ("command", "echo"), ("command", "a b&c"), ("error", "1")]
    assert stream_location("fd00::1", 10250, "exec", "ns", "p", "main", params) == (
        "https://[fd00::1]:10250/exec/ns/p/main?command=echo&command=a+b%26c&error=1&output=1"
    )


def _resolver(answer: Sequence[str] | int) -> Any:
    def resolve(host: str) -> Sequence[str]:
        if isinstance(answer, int):
            raise socket.gaierror(answer, "resolver says no")
        return answer

    return resolve


@pytest.mark.parametrize(
    ("host", "resolver", "said"),
    [
        pytest.param(
            "127.0.0.1",
            _resolver(socket.EAI_NONAME),
            "dial tcp 127.0.0.1:10250: connect: connection refused",
            id="an IP address is dialled without a lookup and refused",
        ),
        pytest.param(
            "::1",
            _resolver(socket.EAI_NONAME),
            "dial tcp [::1]:10250: connect: connection refused",
            id="an IPv6 address is bracketed",
        ),
        pytest.param(
            "kwok-0",
            _resolver(socket.EAI_NONAME),
            "dial tcp: lookup kwok-0 on 10.255.255.53:53: no such host",
            id="a name the resolver does not know is a lookup failure naming the nameserver",
        ),
        pytest.param(
            "localhost",
            _resolver(["127.0.0.1"]),
            "dial tcp 127.0.0.1:10250: connect: connection refused",
            id="a name that resolves is refused at the address it resolves to",
        ),
        pytest.param(
            "kwok-0",
            _resolver(socket.EAI_AGAIN),
            "dial tcp: lookup kwok-0 on 10.255.255.53:53: server misbehaving",
            id="a resolver that fails is misbehaving",
        ),
    ],
)
def test_the_dial_fails_in_go_s_words(host: str, resolver: Any, said: str) -> None:
    assert dial_error(host, 10250, resolver=resolver, server=lambda: "10.255.255.53:53") == said


@pytest.mark.parametrize(
    ("text", "server"),
    [
        pytest.param(
            "# generated\nsearch example.org\nnameserver 10.255.255.53\nnameserver 8.8.8.8\n",
            "10.255.255.53:53",
            id="the first nameserver of resolv.conf",
        ),
        pytest.param(
            "nameserver fe80::1%eth0\n", "[fe80::1%eth0]:53", id="an IPv6 nameserver, its zone kept"
        ),
        pytest.param(
            "nameserver not-an-ip\nnameserver 10.0.0.2\n",
            "10.0.0.2:53",
            id="a line that is not an address is skipped",
        ),
        pytest.param("search example.org\n", "127.0.0.1:53", id="none: Go's default"),
    ],
)
def test_the_nameserver_is_the_one_go_s_resolver_asks(
    tmp_path: Path, text: str, server: str
) -> None:
    conf = tmp_path / "resolv.conf"
    conf.write_text(text, encoding="utf-8")
    assert nameserver(conf) == server


def test_a_missing_resolv_conf_is_go_s_default_nameserver(tmp_path: Path) -> None:
    assert nameserver(tmp_path / "absent") == "127.0.0.1:53"
