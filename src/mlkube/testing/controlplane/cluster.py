"""A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager,
kube-scheduler and kwok, each its own process, for checking mlkube against the real thing.

Follows kwokctl's binary runtime (``sigs.k8s.io/kwok/pkg/kwokctl/runtime/binary``,
``pkg/kwokctl/components/*.go``) with the loopback flag sets of the reference's §4:
everything listens on 127.0.0.1 on free ports, components start group by group and each
group is waited for (etcd ``/health``; apiserver ``/readyz``; controller-manager and
scheduler ``/healthz``; the ``default`` ServiceAccount; kwok ``/healthz``), and they stop in
reverse order (SIGTERM, then SIGKILL). kwok manages only nodes annotated
``kwok.x-k8s.io/node=fake`` and plays the Stage documents of ``mlkube/testing/kwok/stages.yaml``.

Use it as a context manager::

    with RealCluster() as cluster:
        cluster.create_node("gpu-0", capacity={"nvidia.com/gpu": "8"})
        ...  # any client, with cluster.kubeconfig
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import yaml

from mlkube.testing.controlplane.build import build_control_plane
from mlkube.testing.controlplane.pki import ADMIN_USER, PKI, generate_pki

__all__ = [
    "DEFAULT_STAGES",
    "KWOK_NODE_ANNOTATION",
    "KWOK_NODE_TAINT",
    "ClusterStartError",
    "Ports",
    "RealCluster",
    "fake_node",
]

DEFAULT_STAGES = Path(__file__).resolve().parent.parent / "kwok" / "stages.yaml"

# The KWOK docs' fake node: kwok manages it by this annotation; the taint keeps real
# workloads (and pods that do not ask for simulated nodes) off it.
KWOK_NODE_ANNOTATION = ("kwok.x-k8s.io/node", "fake")
KWOK_NODE_TAINT: dict[str, str] = {
    "key": "kwok.x-k8s.io/node",
    "value": "fake",
    "effect": "NoSchedule",
}

_CLUSTER_NAME = "mlkube-real"
_SERVICE_CIDR = "10.0.0.0/24"
_POD_CIDR = "10.244.0.0/16"
_NODE_LEASE_SECONDS = 40
_ALWAYS_ALLOW = "/healthz,/readyz,/livez,/metrics"
_TERM_GRACE_SECONDS = 10.0
_POLL_SECONDS = 0.2


class ClusterStartError(RuntimeError):
    """A component did not start or become healthy; the message ends with the log tails."""


def fake_node(
    name: str,
    *,
    capacity: Mapping[str, str] | None = None,
    allocatable: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    taints: Sequence[Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """A Node manifest that kwok will manage (the KWOK docs' sample node, §2.1).

    ``capacity`` is merged over cpu 32, memory 256Gi, pods 110; ``allocatable`` defaults to
    the capacity. ``taints=None`` gives the kwok taint ``kwok.x-k8s.io/node=fake:NoSchedule``;
    pass a list to set the taints exactly (include :data:`KWOK_NODE_TAINT` to keep it).
    """
    cap = {"cpu": "32", "memory": "256Gi", "pods": "110", **(capacity or {})}
    node_labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "type": "kwok",
        **(labels or {}),
    }
    node_annotations = {
        KWOK_NODE_ANNOTATION[0]: KWOK_NODE_ANNOTATION[1],
        "node.alpha.kubernetes.io/ttl": "0",
        **(annotations or {}),
    }
    node_taints = [dict(t) for t in (taints if taints is not None else [KWOK_NODE_TAINT])]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": node_labels, "annotations": node_annotations},
        "spec": {"taints": node_taints},
        "status": {
            "capacity": cap,
            "allocatable": dict(allocatable or cap),
            # kwok's node-initialize adds InternalIP (its --node-ip) when missing.
            "addresses": [{"type": "Hostname", "address": name}],
        },
    }


def _free_ports(count: int) -> list[int]:
    """Distinct free TCP ports on 127.0.0.1 (held open together so they differ)."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass
class _Component:
    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log_file: IO[bytes] | None = None


@dataclass(frozen=True)
class Ports:
    """The loopback ports a :class:`RealCluster` listens on."""

    etcd_client: int
    etcd_peer: int
    apiserver: int
    controller_manager: int
    scheduler: int
    kwok: int


class RealCluster:
    """The real control plane, started by :meth:`start` (or ``with``), stopped by :meth:`stop`.

    ``bin_dir`` holds the five binaries (default: :func:`build_control_plane`). ``workdir``
    receives ``pki/``, ``etcd/``, ``logs/``, ``kubeconfig`` and ``kwok.yaml`` (default: a new
    temporary directory, removed on a clean stop unless ``keep_workdir`` or the environment
    variable ``MLKUBE_E2E_KEEP=1``). ``stages`` is the KWOK Stage file.
    """

    def __init__(
        self,
        bin_dir: Path | None = None,
        *,
        workdir: Path | None = None,
        stages: Path = DEFAULT_STAGES,
        keep_workdir: bool = False,
        startup_timeout: float = 180.0,
        log_tail_lines: int = 40,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self._bin_dir = bin_dir
        self._own_workdir = workdir is None
        self._workdir = workdir
        self._stages = stages
        self._keep = keep_workdir or os.environ.get("MLKUBE_E2E_KEEP") == "1"
        self._timeout = startup_timeout
        self._tail_lines = log_tail_lines
        self._echo = echo or (lambda line: print(line, file=sys.stderr, flush=True))
        self._components: list[_Component] = []
        self._pki: PKI | None = None
        self._ports: Ports | None = None
        self._failed = False
        self.startup_seconds: dict[str, float] = {}

    # -- what callers read --------------------------------------------------------------

    @property
    def workdir(self) -> Path:
        if self._workdir is None:
            raise RuntimeError("the cluster has not been started")
        return self._workdir

    @property
    def kubeconfig(self) -> Path:
        """The admin kubeconfig (client certificate; also used by every component)."""
        return self.workdir / "kubeconfig"

    @property
    def logs_dir(self) -> Path:
        return self.workdir / "logs"

    @property
    def pki(self) -> PKI:
        if self._pki is None:
            raise RuntimeError("the cluster has not been started")
        return self._pki

    @property
    def ports(self) -> Ports:
        if self._ports is None:
            raise RuntimeError("the cluster has not been started")
        return self._ports

    @property
    def server(self) -> str:
        """``https://127.0.0.1:<port>`` of the kube-apiserver."""
        return f"https://127.0.0.1:{self.ports.apiserver}"

    @property
    def token(self) -> str:
        """A static bearer token for the same admin identity as the kubeconfig."""
        return self.pki.admin_token

    # -- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> RealCluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            self._failed = True
        self.stop()

    def start(self) -> None:
        """Start every component in order and wait for each to be healthy.

        On failure stops what was started, keeps the work directory and raises
        :class:`ClusterStartError`, whose message ends with the tail of every component's
        log. A port taken by someone else in between is retried once on new ports.
        """
        for attempt in (1, 2):
            try:
                self._start_once()
                return
            except ClusterStartError as err:
                self._failed = True
                self.stop()
                if attempt == 2 or "address already in use" not in str(err):
                    raise
                self._echo("RealCluster: a port was taken; retrying once on new ports")
                self._failed = False
                if self._own_workdir:
                    self._workdir = None
            except BaseException:
                self._failed = True
                self.stop()
                raise

    def _start_once(self) -> None:
        t_start = time.monotonic()
        bin_dir = self._bin_dir or build_control_plane()
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="mlkube-realcluster-"))
        for sub in ("etcd", "logs", "kwok", "apiserver", "kcm", "scheduler"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        (self.workdir / "etcd").chmod(0o700)  # etcd warns about anything wider
        self._pki = generate_pki(self.workdir / "pki")
        self._ports = Ports(*_free_ports(6))
        self._write_kubeconfig()
        self._write_kwok_config()
        self._echo(f"RealCluster: starting in {self.workdir} (apiserver {self.server})")

        # 1. etcd -> /health
        self._launch("etcd", bin_dir, self._etcd_args())
        self._wait("etcd", self._etcd_healthy)
        # 2. kube-apiserver -> /readyz == ok (post-start hooks, RBAC bootstrap done)
        self._launch("kube-apiserver", bin_dir, self._apiserver_args())
        self._wait("kube-apiserver", lambda: self._https_ok(self.ports.apiserver, "/readyz"))
        # 3. kube-controller-manager, kube-scheduler -> /healthz; then the default SA
        self._launch("kube-controller-manager", bin_dir, self._kcm_args())
        self._launch("kube-scheduler", bin_dir, self._scheduler_args())
        self._wait(
            "kube-controller-manager",
            lambda: self._https_ok(self.ports.controller_manager, "/healthz", verify=False),
        )
        self._wait(
            "kube-scheduler",
            lambda: self._https_ok(self.ports.scheduler, "/healthz", verify=False),
        )
        self._wait(
            "serviceaccount default/default",
            lambda: (
                self._status("GET", "/api/v1/namespaces/default/serviceaccounts/default") == 200
            ),
        )
        # 4. kwok -> /healthz
        self._launch(
            "kwok", bin_dir, self._kwok_args(), env={"KWOK_WORKDIR": str(self.workdir / "kwok")}
        )
        self._wait("kwok", lambda: self._http_ok(f"http://127.0.0.1:{self.ports.kwok}/healthz"))
        self.startup_seconds["total"] = time.monotonic() - t_start
        self._echo(f"RealCluster: ready in {self.startup_seconds['total']:.1f}s")

    def stop(self) -> None:
        """Stop the components in reverse start order: SIGTERM, then SIGKILL after 10 s."""
        for comp in reversed(self._components):
            proc = comp.process
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=_TERM_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if comp.log_file is not None:
                comp.log_file.close()
                comp.log_file = None
        self._components = []
        if self._workdir is None:
            return
        if self._own_workdir and not self._keep and not self._failed:
            shutil.rmtree(self._workdir, ignore_errors=True)
        else:
            self._echo(f"RealCluster: work directory (logs, pki, kubeconfig) kept: {self.workdir}")

    def pid(self, component: str) -> int:
        """The process id of a started component (``etcd``, ``kube-apiserver``, ``kwok``, ...).

        ``setpriv`` execs the component, so this is the component's own process."""
        for comp in self._components:
            if comp.name == component and comp.process is not None:
                return comp.process.pid
        raise KeyError(f"RealCluster: no started component {component!r}")

    def mark_failed(self) -> None:
        """Keep the work directory (and its logs) when the cluster is stopped."""
        self._failed = True

    # -- logs ---------------------------------------------------------------------------

    def log_tails(self, lines: int | None = None) -> str:
        """The last ``lines`` lines of every component's log, one block per component."""
        n = lines or self._tail_lines
        blocks = []
        for path in sorted(self.logs_dir.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()
            tail = "\n".join(text[-n:])
            header = f"----- {path.name} (last {min(n, len(text))} of {len(text)} lines) -----"
            blocks.append(f"{header}\n{tail}")
        return "\n".join(blocks)

    # -- API helpers (stdlib only: the driver needs no Kubernetes client) --------------

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One admin request to the apiserver; returns (status, decoded JSON or text)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.server}{path}", data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        req.add_header("Accept", "application/json")
        try:
            with urllib.request.urlopen(req, context=self._admin_ssl(), timeout=10) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")

    def create_node(
        self,
        name: str,
        *,
        capacity: Mapping[str, str] | None = None,
        allocatable: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
        taints: Sequence[Mapping[str, str]] | None = None,
        wait_ready: bool = True,
        timeout: float = 60.0,
    ) -> dict[str, Any]:
        """Create a kwok-managed Node (see :func:`fake_node`); wait until it is Ready."""
        manifest = fake_node(
            name,
            capacity=capacity,
            allocatable=allocatable,
            labels=labels,
            annotations=annotations,
            taints=taints,
        )
        status, obj = self.request("POST", "/api/v1/nodes", manifest)
        if status != 201:
            raise RuntimeError(f"creating node {name}: HTTP {status}: {obj}")
        if wait_ready:
            obj = self.wait_node_ready(name, timeout=timeout)
        return dict(obj)

    def wait_node_ready(self, name: str, *, timeout: float = 60.0) -> dict[str, Any]:
        """Poll until the node's Ready condition is True (kwok's node-initialize stage)."""
        deadline = time.monotonic() + timeout
        while True:
            status, obj = self.request("GET", f"/api/v1/nodes/{name}")
            if status == 200:
                for cond in obj.get("status", {}).get("conditions") or []:
                    if cond.get("type") == "Ready" and cond.get("status") == "True":
                        return dict(obj)
            if time.monotonic() > deadline:
                raise TimeoutError(f"node {name} not Ready after {timeout}s:\n{self.log_tails(20)}")
            time.sleep(_POLL_SECONDS)

    # -- internals ----------------------------------------------------------------------

    def _admin_ssl(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.pki.ca_cert))
        ctx.load_cert_chain(str(self.pki.admin_cert), str(self.pki.admin_key))
        return ctx

    def _status(self, method: str, path: str) -> int:
        try:
            return self.request(method, path)[0]
        except (OSError, ssl.SSLError):
            return 0

    def _https_ok(self, port: int, path: str, *, verify: bool = True) -> bool:
        if verify:
            ctx = self._admin_ssl()
        else:  # kube-controller-manager / kube-scheduler serve a self-signed in-memory cert
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return self._http_ok(f"https://127.0.0.1:{port}{path}", ctx)

    @staticmethod
    def _http_ok(url: str, ctx: ssl.SSLContext | None = None) -> bool:
        try:
            with urllib.request.urlopen(url, context=ctx, timeout=5) as resp:
                return bool(resp.status == 200 and resp.read().strip() == b"ok")
        except (OSError, ssl.SSLError):
            return False

    def _etcd_healthy(self) -> bool:
        url = f"http://127.0.0.1:{self.ports.etcd_client}/health"
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return bool(json.loads(resp.read()).get("health") == "true")
        except (OSError, ValueError):
            return False

    def _launch(
        self, name: str, bin_dir: Path, args: list[str], env: Mapping[str, str] | None = None
    ) -> None:
        argv = [str(bin_dir / name), *args]
        # setpriv --pdeathsig: the component dies with this process even on SIGKILL of it.
        setpriv = shutil.which("setpriv")
        if setpriv and sys.platform.startswith("linux"):
            argv = [setpriv, "--pdeathsig", "KILL", "--", *argv]
        comp = _Component(name=name, argv=argv, log_path=self.logs_dir / f"{name}.log")
        comp.env = {**os.environ, **(env or {})}
        comp.log_file = open(comp.log_path, "ab")  # noqa: SIM115 - closed in stop()
        comp.log_file.write(f"$ {' '.join(argv)}\n".encode())
        comp.log_file.flush()
        comp.process = subprocess.Popen(
            argv,
            cwd=self.workdir,
            env=comp.env,
            stdin=subprocess.DEVNULL,
            stdout=comp.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._components.append(comp)

    def _wait(self, what: str, ready: Callable[[], bool]) -> None:
        t0 = time.monotonic()
        deadline = t0 + self._timeout
        while not ready():
            for comp in self._components:
                if comp.process is not None and comp.process.poll() is not None:
                    raise ClusterStartError(
                        f"RealCluster: {comp.name} exited with {comp.process.returncode} "
                        f"while waiting for {what}\n{self.log_tails()}"
                    )
            if time.monotonic() > deadline:
                raise ClusterStartError(
                    f"RealCluster: {what} not ready after {self._timeout:.0f}s\n{self.log_tails()}"
                )
            time.sleep(_POLL_SECONDS)
        self.startup_seconds[what] = time.monotonic() - t0

    def _write_kubeconfig(self) -> None:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": _CLUSTER_NAME,
                    "cluster": {
                        "server": self.server,
                        "certificate-authority": str(self.pki.ca_cert),
                    },
                }
            ],
            "users": [
                {
                    "name": ADMIN_USER,
                    "user": {
                        "client-certificate": str(self.pki.admin_cert),
                        "client-key": str(self.pki.admin_key),
                    },
                }
            ],
            "contexts": [
                {"name": _CLUSTER_NAME, "context": {"cluster": _CLUSTER_NAME, "user": ADMIN_USER}}
            ],
            "current-context": _CLUSTER_NAME,
            "preferences": {},
        }
        self.kubeconfig.write_text(yaml.safe_dump(config, sort_keys=False))

    def _write_kwok_config(self) -> None:
        stages = [d for d in yaml.safe_load_all(self._stages.read_text()) if d]
        if not any(d.get("kind") == "Stage" for d in stages):
            raise ClusterStartError(f"{self._stages} holds no Stage documents")
        text = yaml.safe_dump_all(stages, sort_keys=False)
        (self.workdir / "kwok.yaml").write_text(text)

    def _etcd_args(self) -> list[str]:
        client = f"http://127.0.0.1:{self.ports.etcd_client}"
        peer = f"http://127.0.0.1:{self.ports.etcd_peer}"
        return [
            "--name=node0",
            f"--data-dir={self.workdir / 'etcd'}",
            f"--listen-client-urls={client}",
            f"--advertise-client-urls={client}",
            f"--listen-peer-urls={peer}",
            f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=node0={peer}",
            "--quota-backend-bytes=8589934592",
            "--auto-compaction-retention=1",
            "--unsafe-no-fsync=true",
            "--log-level=warn",
        ]

    def _apiserver_args(self) -> list[str]:
        p = self.pki
        return [
            f"--etcd-servers=http://127.0.0.1:{self.ports.etcd_client}",
            "--etcd-prefix=/registry",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={self.ports.apiserver}",
            "--endpoint-reconciler-type=none",
            f"--cert-dir={self.workdir / 'apiserver'}",
            f"--tls-cert-file={p.apiserver_cert}",
            f"--tls-private-key-file={p.apiserver_key}",
            f"--client-ca-file={p.ca_cert}",
            f"--token-auth-file={p.tokens_csv}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--service-account-signing-key-file={p.sa_key}",
            f"--service-account-key-file={p.sa_pub}",
            f"--service-cluster-ip-range={_SERVICE_CIDR}",
            "--authorization-mode=Node,RBAC",
            "--allow-privileged=true",
        ]

    def _kcm_args(self) -> list[str]:
        p = self.pki
        return [
            f"--kubeconfig={self.kubeconfig}",
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
            f"--secure-port={self.ports.controller_manager}",
            f"--authorization-always-allow-paths={_ALWAYS_ALLOW}",
            f"--cert-dir={self.workdir / 'kcm'}",
            f"--service-account-private-key-file={p.sa_key}",
            f"--root-ca-file={p.ca_cert}",
            f"--cluster-signing-cert-file={p.ca_cert}",
            f"--cluster-signing-key-file={p.ca_key}",
        ]

    def _scheduler_args(self) -> list[str]:
        return [
            f"--kubeconfig={self.kubeconfig}",
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
            f"--secure-port={self.ports.scheduler}",
            f"--authorization-always-allow-paths={_ALWAYS_ALLOW}",
        ]

    def _kwok_args(self) -> list[str]:
        return [
            f"--kubeconfig={self.kubeconfig}",
            f"--config={self.workdir / 'kwok.yaml'}",
            "--manage-all-nodes=false",
            f"--manage-nodes-with-annotation-selector={'='.join(KWOK_NODE_ANNOTATION)}",
            f"--node-lease-duration-seconds={_NODE_LEASE_SECONDS}",
            f"--server-address=127.0.0.1:{self.ports.kwok}",
            f"--cidr={_POD_CIDR}",
            "--node-ip=127.0.0.1",
        ]
