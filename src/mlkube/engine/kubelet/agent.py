"""What one simulated kubelet remembers: its node's addresses and pod IPs, and per pod
what the container runtime knows (when things happened, the restart back-off).

A real kubelet keeps this in memory and in its runtime; so does the simulated one, and it
rebuilds a pod's record from ``status`` when it meets a pod it has not started (after the
cluster was reopened). Back-off follows client-go's ``util/flowcontrol/backoff.go``
(``Next``, ``IsInBackOffSince``, ``hasExpired``: an entry older than twice the maximum is
forgotten) with the kubelet's 10 s initial and 5 min maximum (``pkg/kubelet/kubelet.go``
backOffPeriod, MaxContainerBackOff).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Final

from mlkube.engine.kubelet.probes import ProbeState

__all__ = ["INITIAL_BACKOFF", "MAX_BACKOFF", "USER_AGENT", "NodeAgent", "PodRun"]

#: Every write of a simulated kubelet, its Events included, is managed by ``kubelet``
#: (managedFields), as a real kubelet's are.
USER_AGENT: Final = "kubelet/v1.37.2 (linux/amd64) kubernetes/mlkube"
INITIAL_BACKOFF: Final = 10.0
MAX_BACKOFF: Final = 300.0


@dataclass
class PodRun:
    """One pod as the runtime knows it; times are on the cluster's monotonic clock."""

    uid: str
    node: str
    bound_at: float
    started_at: float | None = None
    pod_started_at: float | None = None
    finished_at: float | None = None
    deleting_at: float | None = None
    backoff: float = 0.0  # 0: no back-off entry yet
    backoff_updated: float = 0.0
    deadline: bool = False  # process runtime: being stopped for activeDeadlineSeconds
    ip: str | None = None
    #: Process runtime: container name -> its readiness prober (containers with a probe).
    readiness: dict[str, ProbeState] = field(default_factory=dict)

    def _expired(self, event: float) -> bool:
        return event - self.backoff_updated > 2 * MAX_BACKOFF

    def in_backoff(self, finished: float) -> bool:
        """``IsInBackOffSince(finishedAt)`` at the moment of the crash."""
        return self.backoff > 0 and not self._expired(finished)

    def next_backoff(self, finished: float, now: float) -> None:
        """``Backoff.Next``: start at 10 s, else double up to 5 min."""
        if self.backoff == 0 or self._expired(finished):
            self.backoff = INITIAL_BACKOFF
        else:
            self.backoff = min(self.backoff * 2, MAX_BACKOFF)
        self.backoff_updated = now


@dataclass
class NodeAgent:
    """One node's kubelet: its settings (from the node's annotations), heartbeat times and
    pod IP pool (the node's ``spec.podCIDR``, else a /24 of its own)."""

    name: str
    index: int
    stopped: bool = False
    process: bool = False
    pod_cidr: str = ""
    status_posted: float | None = None
    lease_renewed: float | None = None
    lease: dict[str, Any] | None = None
    used: set[int] = field(default_factory=set)
    cursor: int = 0

    @property
    def internal_ip(self) -> str:
        return f"172.18.{self.index // 250}.{self.index % 250 + 2}"

    def _network(self) -> ipaddress.IPv4Network:
        if self.pod_cidr:
            try:
                net = ipaddress.ip_network(self.pod_cidr, strict=False)
            except ValueError:
                net = None
            if isinstance(net, ipaddress.IPv4Network) and net.num_addresses >= 4:
                return net
        return ipaddress.IPv4Network(f"10.{(self.index >> 8) & 255}.{self.index & 255}.0/24")

    def allocate(self) -> str:
        """The next free pod IP, round robin (the pool is shared when exhausted)."""
        net = self._network()
        size = net.num_addresses - 2
        for step in range(size):
            offset = (self.cursor + step) % size + 1
            if offset not in self.used:
                self.used.add(offset)
                self.cursor = offset % size
                return str(net.network_address + offset)
        return str(net.network_address + 1)

    def release(self, ip: str | None) -> None:
        if not ip:
            return
        try:
            offset = int(ipaddress.ip_address(ip)) - int(self._network().network_address)
        except ValueError:
            return
        self.used.discard(offset)
