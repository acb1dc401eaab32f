"""The clusters a benchmark runs against, and how much memory their servers took.

Shared by the benchmarks that speak the Kubernetes API (``api.py``, ``scheduler_api.py``,
``bench_real.py``), so that every figure is taken the same way on both sides:

- :func:`target_from_kubeconfig`: the URL, TLS context and credentials of a kubeconfig's
  current context (certificate-authority and client certificates as files or inline data,
  or a bearer token), for aiohttp;
- :class:`EmbeddedServer`: ``python -m mlkube.server`` (TLS and a bearer token, as
  ``mlkube cluster up`` runs it) in a temporary state directory, with a kubeconfig for it;
- :func:`peak_rss_mib`: the sum of the peak resident set sizes (``VmHWM``) of the server
  processes: the mlkube server; or kube-apiserver and etcd.
"""

from __future__ import annotations

import base64
import json
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

__all__ = [
    "NO_SCHEDULER",
    "EmbeddedServer",
    "Target",
    "parse_figures",
    "peak_rss_mib",
    "target_from_kubeconfig",
]

#: A schedulerName nobody serves: pods that only the API should touch (no scheduler status
#: writes to count as watch events, on either side).
NO_SCHEDULER = "bench-no-scheduler"


@dataclass(frozen=True)
class Target:
    """Where to send requests: the server URL, TLS context and auth headers."""

    url: str
    context: ssl.SSLContext | None
    headers: dict[str, str]


def _named(
    entries: list[dict[str, Any]] | None, name: str, what: str, path: Path
) -> dict[str, Any]:
    for entry in entries or []:
        if entry.get("name") == name:
            return dict(entry[what])
    raise SystemExit(f"{path}: no {what} named {name!r} (check the kubeconfig's contexts)")


def target_from_kubeconfig(path: Path, tmp: Path) -> Target:
    """The current context of the kubeconfig at ``path``; inline keys are written to ``tmp``."""
    if not path.is_file():
        raise SystemExit(f"--kubeconfig: {path} is not a file")
    config = yaml.safe_load(path.read_text()) or {}
    current = config.get("current-context")
    if not current:
        raise SystemExit(f"{path}: no current-context (set one with kubectl config use-context)")
    context = _named(config.get("contexts"), current, "context", path)
    cluster = _named(config.get("clusters"), context["cluster"], "cluster", path)
    user = _named(config.get("users"), context["user"], "user", path)
    ssl_context: ssl.SSLContext | None = None
    if cluster["server"].startswith("https"):
        ssl_context = ssl.create_default_context()
        if "certificate-authority-data" in cluster:
            ca = tmp / "ca.crt"
            ca.write_bytes(base64.b64decode(cluster["certificate-authority-data"]))
            ssl_context.load_verify_locations(str(ca))
        elif "certificate-authority" in cluster:
            ssl_context.load_verify_locations(cluster["certificate-authority"])
        if "client-certificate-data" in user:
            cert, key = tmp / "client.crt", tmp / "client.key"
            cert.write_bytes(base64.b64decode(user["client-certificate-data"]))
            key.write_bytes(base64.b64decode(user["client-key-data"]))
            ssl_context.load_cert_chain(str(cert), str(key))
        elif "client-certificate" in user:
            ssl_context.load_cert_chain(user["client-certificate"], user["client-key"])
    headers = {"Authorization": f"Bearer {user['token']}"} if user.get("token") else {}
    return Target(cluster["server"], ssl_context, headers)


def peak_rss_mib(pids: list[int]) -> float:
    """The sum of the processes' peak resident set sizes (``VmHWM``), in MiB."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


def parse_figures(output: str) -> dict[str, float]:
    """The ``name: number`` lines of a benchmark's output."""
    figures: dict[str, float] = {}
    for line in output.splitlines():
        name, sep, value = line.rpartition(": ")
        if not sep:
            continue
        try:
            figures[name] = float(value)
        except ValueError:
            continue
    return figures


class EmbeddedServer:
    """``python -m mlkube.server`` in a temporary state directory, stopped on exit.

    ``kubeconfig`` points at it (the server's CA, a bearer token); ``pid`` is the server's
    process, the one whose memory the benchmarks report."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="mlkube-bench-")
        self.state = Path(self._tmp.name)
        self.kubeconfig = self.state / "kubeconfig"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError("the embedded server has not been started")
        return self._proc.pid

    def __enter__(self) -> EmbeddedServer:
        token = uuid.uuid4().hex
        (self.state / "token").write_text(token)
        with open(self.state / "server.log", "wb") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "mlkube.server", "--state-dir", str(self.state),
                 "--token-file", str(self.state / "token")],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        info_file = self.state / "server.json"
        deadline = time.monotonic() + 60
        while not info_file.exists():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise SystemExit((self.state / "server.log").read_text())
            time.sleep(0.05)
        info = json.loads(info_file.read_text())
        self.url = str(info["url"])
        cluster = {"server": info["url"], "certificate-authority": info["ca"]}
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "bench", "cluster": cluster}],
            "users": [{"name": "bench", "user": {"token": token}}],
            "contexts": [{"name": "bench", "context": {"cluster": "bench", "user": "bench"}}],
            "current-context": "bench",
        }
        self.kubeconfig.write_text(yaml.safe_dump(config, sort_keys=False))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._tmp.cleanup()
