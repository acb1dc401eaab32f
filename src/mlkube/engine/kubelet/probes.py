"""Readiness probes for the local process runtime: a container is Ready once its
``readinessProbe`` succeeds, and unready again after ``failureThreshold`` failures.

A simulated container has nothing to probe and is ready as soon as it runs; a process
container really listens on a port of this machine, so the kubelet of a process node
probes it as the real prober does (``pkg/kubelet/prober/worker.go``, ``prober.go``): the
result starts as Failure, the first probe runs ``initialDelaySeconds`` after the container
started and then every ``periodSeconds`` on the cluster clock, and the result flips after
``successThreshold`` consecutive successes or ``failureThreshold`` consecutive failures.
Handlers follow ``pkg/probe/http`` (success is a status in [200, 400)), ``pkg/probe/tcp``
(a connection) and ``pkg/probe/exec`` (exit code 0), each bounded by ``timeoutSeconds``.
The process listens on the host, so ``httpGet`` and ``tcpSocket`` go to 127.0.0.1 unless
the probe names a ``host``; a named port is looked up in the container's ``ports``.
``grpc`` probes are not supported here and always fail, saying so.

Probing is socket and process I/O bounded by the probe's own timeout; like the process
runtime it reads no clock: when to probe is decided by the caller's cluster clock.
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = [
    "FAILED_MESSAGE",
    "GRPC_UNSUPPORTED",
    "UNHEALTHY",
    "Exec",
    "Probe",
    "ProbeState",
    "Result",
    "check",
    "probe_of",
    "run_in",
]

#: The reason and message of the Warning event a failed probe records
#: (``pkg/kubelet/events``: ContainerUnhealthy; ``prober.go``: "%s probe failed: %s").
UNHEALTHY: Final = "Unhealthy"
FAILED_MESSAGE: Final = "Readiness probe failed: {output}"
#: What a ``grpc`` readiness probe reports on a process node.
GRPC_UNSUPPORTED: Final = "grpc probes are not supported by the local process runtime"
_LOOPBACK: Final = "127.0.0.1"


@dataclass(frozen=True)
class Result:
    ok: bool
    message: str = ""


@dataclass(frozen=True)
class Probe:
    """A container's readinessProbe with the API's defaults filled in."""

    handler: Mapping[str, Any]
    initial_delay: float = 0.0
    period: float = 10.0
    timeout: float = 1.0
    success_threshold: int = 1
    failure_threshold: int = 3


def probe_of(container: Mapping[str, Any]) -> Probe | None:
    """The container's readiness probe (defaults as ``SetDefaults_Probe``), or None."""
    spec = container.get("readinessProbe")
    if not spec:
        return None
    return Probe(
        handler=spec,
        initial_delay=float(spec.get("initialDelaySeconds") or 0),
        period=float(spec.get("periodSeconds") or 10),
        timeout=float(spec.get("timeoutSeconds") or 1),
        success_threshold=int(spec.get("successThreshold") or 1),
        failure_threshold=int(spec.get("failureThreshold") or 3),
    )


@dataclass
class ProbeState:
    """One container's prober worker: the current result and the run of equal results."""

    probe: Probe
    started_at: float
    ready: bool = False
    streak: int = 0  # consecutive results that disagree with ``ready``
    next_at: float | None = None
    last: Result | None = None

    def due(self, now: float) -> bool:
        first = self.started_at + self.probe.initial_delay
        return now + 1e-9 >= (self.next_at if self.next_at is not None else first)

    def when(self) -> float:
        """When the next probe is due (cluster monotonic time)."""
        return (
            self.next_at
            if self.next_at is not None
            else (self.started_at + self.probe.initial_delay)
        )

    def record(self, result: Result, now: float) -> bool:
        """Count one result; True when the container's readiness changed."""
        self.last = result
        self.next_at = now + self.probe.period
        if result.ok == self.ready:
            self.streak = 0
            return False
        self.streak += 1
        needed = self.probe.failure_threshold if self.ready else self.probe.success_threshold
        if self.streak < needed:
            return False
        self.ready, self.streak = result.ok, 0
        return True


def _port(value: Any, container: Mapping[str, Any]) -> int | None:
    if isinstance(value, int):
        return value
    text = str(value)
    if text.isdigit():
        return int(text)
    for port in container.get("ports") or []:
        if port.get("name") == text:
            return int(port.get("containerPort") or 0) or None
    return None


def _dial_error(host: str, port: int, err: OSError) -> str:
    """An OS error in Go's words (``net.OpError``), as probe output quotes it."""
    if isinstance(err, TimeoutError | socket.timeout):
        return f"dial tcp {host}:{port}: i/o timeout"
    if err.errno == errno.ECONNREFUSED:
        return f"dial tcp {host}:{port}: connect: connection refused"
    return f"dial tcp {host}:{port}: {err.strerror or err}"


def _http(get: Mapping[str, Any], container: Mapping[str, Any], timeout: float) -> Result:
    port = _port(get.get("port"), container)
    if port is None:
        return Result(False, f"unknown port {get.get('port')!r}")
    host = str(get.get("host") or _LOOPBACK)
    path = str(get.get("path") or "/")
    conn: http.client.HTTPConnection
    if str(get.get("scheme") or "HTTP").upper() == "HTTPS":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # as the kubelet: InsecureSkipVerify
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {str(h.get("name")): str(h.get("value")) for h in get.get("httpHeaders") or []}
    headers.setdefault("User-Agent", "kube-probe/1.37")
    url = f"{'https' if isinstance(conn, http.client.HTTPSConnection) else 'http'}://{host}:{port}{path}"
    try:
        conn.request("GET", path, headers=headers)
        status = conn.getresponse().status
    except OSError as err:
        return Result(False, f'Get "{url}": {_dial_error(host, port, err)}')
    except http.client.HTTPException as err:
        return Result(False, f'Get "{url}": {err}')
    finally:
        conn.close()
    if 200 <= status < 400:
        return Result(True)
    return Result(False, f"HTTP probe failed with statuscode: {status}")


def _tcp(spec: Mapping[str, Any], container: Mapping[str, Any], timeout: float) -> Result:
    port = _port(spec.get("port"), container)
    if port is None:
        return Result(False, f"unknown port {spec.get('port')!r}")
    host = str(spec.get("host") or _LOOPBACK)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return Result(True)
    except OSError as err:
        return Result(False, _dial_error(host, port, err))


#: Runs a command for an exec probe: argv, timeout -> exit code (None: timed out).
Exec = Callable[[Sequence[str], float], int | None]


def run_in(cwd: Path, env: Mapping[str, str]) -> Exec:
    """An :data:`Exec` that runs the command in ``cwd`` with ``env``, as the container."""

    def run(argv: Sequence[str], timeout: float) -> int | None:
        try:
            done = subprocess.run(
                list(argv),
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None
        except OSError:
            return 127
        return done.returncode

    return run


def check(probe: Probe, container: Mapping[str, Any], execute: Exec | None) -> Result:
    """Run the probe's handler once."""
    spec = probe.handler
    if "httpGet" in spec:
        return _http(spec["httpGet"] or {}, container, probe.timeout)
    if "tcpSocket" in spec:
        return _tcp(spec["tcpSocket"] or {}, container, probe.timeout)
    if "exec" in spec:
        argv = [str(a) for a in (spec["exec"] or {}).get("command") or []]
        if not argv or execute is None:
            return Result(False, "exec probe without a command")
        code = execute(argv, probe.timeout)
        if code is None:
            return Result(False, f"command timed out after {probe.timeout:g}s")
        return Result(code == 0, "" if code == 0 else f"command exited with {code}")
    if "grpc" in spec:
        return Result(False, GRPC_UNSUPPORTED)
    return Result(False, "the probe has no handler")
