"""Real served clusters in their own processes, and the clients that drive them.

``served_cluster`` starts ``python -m mlkube.server`` (TLS and a bearer token, as
``mlkube cluster up`` runs it) on a free loopback port, waits for its ``server.json`` and
``/readyz``, and writes a kubeconfig for kubectl, lightkube and the official client.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

TOKEN = "integration-token"
_READY_TIMEOUT = 60.0


@dataclass
class Served:
    """One server process and how to reach it."""

    state_dir: Path
    insecure_http: bool = False
    proc: subprocess.Popen[bytes] | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return str(self.info["url"])

    @property
    def info_file(self) -> Path:
        return self.state_dir / "server.json"

    @property
    def kubeconfig(self) -> Path:
        return self.state_dir / "kubeconfig"

    def start(self) -> None:
        if not self.insecure_http and shutil.which("openssl") is None:
            pytest.skip("the openssl command makes the served cluster's certificates")
        token_file = self.state_dir / "token"
        token_file.write_text(TOKEN, encoding="utf-8")
        if self.info_file.exists():
            self.info_file.unlink()
        command = [
            sys.executable,
            "-m",
            "mlkube.server",
            "--state-dir",
            str(self.state_dir),
            "--port",
            str(self.info.get("port", 0)),
            "--token-file",
            str(token_file),
        ]
        if self.insecure_http:
            command.append("--insecure-http")
        log = open(self.state_dir / "server.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + _READY_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.state_dir / "server.log").read_text()
            if self.info_file.exists():
                self.info = json.loads(self.info_file.read_text(encoding="utf-8"))
                if self.request("/readyz") == b"ok":
                    break
            time.sleep(0.05)
        else:
            raise AssertionError("the server did not become ready")
        self._write_kubeconfig()

    def ssl_context(self) -> ssl.SSLContext | None:
        if self.insecure_http:
            return None
        return ssl.create_default_context(cafile=str(self.info["ca"]))

    def request(self, path: str) -> bytes:
        req = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(req, timeout=10, context=self.ssl_context()) as resp:
            body: bytes = resp.read()
            return body

    def _write_kubeconfig(self) -> None:
        cluster: dict[str, Any] = {"server": self.url}
        if not self.insecure_http:
            ca = Path(self.info["ca"]).read_bytes()
            cluster["certificate-authority-data"] = base64.b64encode(ca).decode()
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "mlkube", "cluster": cluster}],
            "users": [{"name": "mlkube", "user": {"token": TOKEN}}],
            "contexts": [
                {
                    "name": "mlkube",
                    "context": {"cluster": "mlkube", "user": "mlkube", "namespace": "default"},
                }
            ],
            "current-context": "mlkube",
        }
        self.kubeconfig.write_text(yaml.safe_dump(config), encoding="utf-8")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=30)
        self.proc = None
        return code


@pytest.fixture(scope="module")
def served_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = Served(tmp_path_factory.mktemp("served"))
    served.start()
    yield served
    if served.proc is not None:
        served.stop()


@dataclass
class Kubectl:
    kubeconfig: Path
    cache_dir: Path
    namespace: str

    def run(self, *args: str, check: bool = True, stdin: str | None = None) -> str:
        done = subprocess.run(
            ["kubectl", f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.cache_dir}",
             f"--namespace={self.namespace}", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "KUBECONFIG": str(self.kubeconfig)},
        )  # fmt: skip
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout if check else done.stdout + done.stderr

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "-o", "json"))

    def apply(self, manifest: dict[str, Any], *args: str) -> str:
        return self.run("apply", "-f", "-", *args, stdin=yaml.safe_dump(manifest))


@pytest.fixture
def kubectl(served_cluster: Served, tmp_path: Path) -> Kubectl:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    namespace = f"t-{uuid.uuid4().hex[:8]}"
    k = Kubectl(served_cluster.kubeconfig, tmp_path / "kube-cache", namespace)
    k.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    return k


def pod_manifest(name: str, **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {"app": name}},
        "spec": {"containers": [{"name": "main", "image": "busybox"}]},
    }
