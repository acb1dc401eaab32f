"""The embedded ``local`` cluster's lifecycle: where it keeps its files, start, stop, ready.

``mlkube cluster up`` runs a named embedded cluster as a detached ``python -m mlkube.server``
process; the SDK and every workload command start the ``local`` one on demand when it is the
target and not running. Both go through this module, so there is one way to find, start and
stop a cluster. Each cluster lives in ``$MLKUBE_HOME/clusters/<name>/`` (``MLKUBE_HOME``
defaults to ``~/.mlkube``): ``config.json`` (state dir, address, port), ``token`` (the bearer
token, 0600), ``server.json`` (written by the running server: pid, URL, start time),
``server.pid`` and ``server.log``; its context ``mlkube-<name>`` is written into
``$MLKUBE_HOME/kubeconfig``. The server is imported only by the process it runs in, so this
module stays light (no engine, no server, no client).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = [
    "DEFAULT_NAME",
    "ClusterDir",
    "LocalClusterError",
    "Started",
    "context_name",
    "kubeconfig_path",
    "mlkube_home",
    "port_free",
    "ready",
    "remove_from_kubeconfig",
    "request",
    "start",
    "stop",
    "tail",
    "up",
    "wait_ready",
    "write_kubeconfig",
]

#: The embedded cluster every command targets by default.
DEFAULT_NAME: Final = "local"
_START_TIMEOUT: Final = 60.0
_STOP_TIMEOUT: Final = 15.0


class LocalClusterError(Exception):
    """The embedded cluster could not be started (the message names its log and its tail)."""


def mlkube_home() -> Path:
    return Path(os.environ.get("MLKUBE_HOME") or Path.home() / ".mlkube")


@dataclass
class ClusterDir:
    """Where one named cluster keeps its files."""

    name: str
    root: Path

    @classmethod
    def of(cls, name: str) -> ClusterDir:
        return cls(name, mlkube_home() / "clusters" / name)

    @property
    def config_file(self) -> Path:
        return self.root / "config.json"

    @property
    def token_file(self) -> Path:
        return self.root / "token"

    @property
    def info_file(self) -> Path:
        return self.root / "server.json"

    @property
    def pid_file(self) -> Path:
        return self.root / "server.pid"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def config(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.config_file.read_text(encoding="utf-8"))
            return data
        except (FileNotFoundError, ValueError):
            return {}

    def save_config(self, config: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(json.dumps(config, indent=2), encoding="utf-8")

    @property
    def state_dir(self) -> Path:
        configured = self.config().get("state_dir")
        return Path(configured) if configured else self.root

    def token(self) -> str:
        if not self.token_file.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(secrets.token_urlsafe(32))
        return self.token_file.read_text(encoding="utf-8").strip()

    def info(self) -> dict[str, Any] | None:
        """The running server's ``server.json``, if its process is alive."""
        try:
            info: dict[str, Any] = json.loads(self.info_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return info if _alive(int(info.get("pid") or 0)) else None

    def pid(self) -> int:
        info = self.info()
        if info is not None:
            return int(info["pid"])
        with contextlib.suppress(FileNotFoundError, ValueError):
            pid = int(self.pid_file.read_text(encoding="utf-8").strip())
            if _alive(pid):
                return pid
        return 0


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


# -- talking to the server --------------------------------------------------------------------


def _ssl_context(info: dict[str, Any]) -> ssl.SSLContext | None:
    ca = info.get("ca")
    if not str(info.get("url", "")).startswith("https"):
        return None
    return ssl.create_default_context(cafile=ca) if ca else ssl.create_default_context()


def request(info: dict[str, Any], token: str, path: str, timeout: float = 5.0) -> Any:
    """GET ``path`` from a running server (decoded JSON, or text)."""
    req = urllib.request.Request(
        str(info["url"]) + path,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=timeout, context=_ssl_context(info)) as resp:
        body = resp.read()
    return json.loads(body) if body[:1] in (b"{", b"[") else body.decode()


def ready(cdir: ClusterDir) -> dict[str, Any] | None:
    """The server's info when it runs and answers ``/readyz``, else None."""
    info = cdir.info()
    if info is None:
        return None
    try:
        if request(info, cdir.token(), "/readyz", timeout=2.0) == "ok":
            return info
    except (OSError, urllib.error.URLError, ValueError):
        return None
    return None


# -- kubeconfig -------------------------------------------------------------------------------


def kubeconfig_path() -> Path:
    return mlkube_home() / "kubeconfig"


def context_name(name: str) -> str:
    """The kubeconfig context of a named embedded cluster (``mlkube-local``)."""
    return f"mlkube-{name}"


def write_kubeconfig(
    path: Path, cdir: ClusterDir, info: dict[str, Any], *, switch: bool = True
) -> None:
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        loaded = {}
    config: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
    config.setdefault("apiVersion", "v1")
    config.setdefault("kind", "Config")
    entry = context_name(cdir.name)
    cluster: dict[str, Any] = {"server": info["url"]}
    ca = info.get("ca")
    if ca:
        cluster["certificate-authority-data"] = base64.b64encode(Path(ca).read_bytes()).decode()

    def put(section: str, value: dict[str, Any]) -> None:
        items = [i for i in config.get(section) or [] if i.get("name") != entry]
        items.append({"name": entry, **value})
        config[section] = items

    put("clusters", {"cluster": cluster})
    put("users", {"user": {"token": cdir.token()}})
    put("contexts", {"context": {"cluster": entry, "user": entry, "namespace": "default"}})
    if switch or not config.get("current-context"):
        config["current-context"] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        yaml.safe_dump(config, f, sort_keys=False)
    tmp.replace(path)


def remove_from_kubeconfig(path: Path, name: str) -> None:
    import yaml

    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return
    entry = context_name(name)
    for section in ("clusters", "users", "contexts"):
        config[section] = [i for i in config.get(section) or [] if i.get("name") != entry]
    if config.get("current-context") == entry:
        config["current-context"] = ""
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


# -- start and stop ---------------------------------------------------------------------------


def _server_command(cdir: ClusterDir, config: dict[str, Any]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mlkube.server",
        "--name",
        cdir.name,
        "--state-dir",
        str(cdir.state_dir),
        "--address",
        str(config.get("address") or "127.0.0.1"),
        "--port",
        str(config.get("port") or 0),
        "--token-file",
        str(cdir.token_file),
        "--info-file",
        str(cdir.info_file),
    ]


def start(cdir: ClusterDir, *, foreground: bool) -> subprocess.Popen[bytes] | None:
    """Start the server: detached (it double-forks; None is returned) or as a child."""
    config = cdir.config()
    cdir.token()
    for stale in (cdir.info_file, cdir.pid_file):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    command = [*_server_command(cdir, config), "--pid-file", str(cdir.pid_file)]
    if not foreground:
        command.append("--daemon")
    with open(cdir.log_file, "ab") as log:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            close_fds=True,
        )
    if foreground:
        return proc
    proc.wait()  # the first fork exits at once; the server runs on in its own session
    return None


def _failed(cdir: ClusterDir, why: str) -> LocalClusterError:
    return LocalClusterError(
        f"cluster {cdir.name} {why}; see {cdir.log_file}:\n{tail(cdir.log_file, 20)}"
    )


def wait_ready(cdir: ClusterDir, proc: subprocess.Popen[bytes] | None) -> dict[str, Any]:
    """Wait for a starting server's ``/readyz``; :class:`LocalClusterError` if it dies."""
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise _failed(cdir, f"exited with code {proc.returncode}")
        with contextlib.suppress(FileNotFoundError, ValueError):
            pid = int(cdir.pid_file.read_text(encoding="utf-8").strip())
            if not _alive(pid):
                raise _failed(cdir, "exited while starting")
        info = ready(cdir)
        if info is not None:
            return info
        time.sleep(0.05)
    raise _failed(cdir, "did not become ready")


def stop(cdir: ClusterDir) -> bool:
    """Stop a running server (SIGTERM, then SIGKILL); False when it was not running."""
    pid = cdir.pid()
    if not pid:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_TIMEOUT
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.05)
    with contextlib.suppress(FileNotFoundError):
        cdir.info_file.unlink()
    with contextlib.suppress(FileNotFoundError):
        cdir.pid_file.unlink()
    return True


def port_free(address: Any, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in str(address or "") else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            s.bind((str(address or "127.0.0.1"), port))
        except OSError:
            return False
    return True


def tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


@dataclass(frozen=True)
class Started:
    """What :func:`up` found or did: the server's info, whether it was started now, and the
    child process when it runs in the foreground."""

    info: dict[str, Any]
    started: bool
    proc: subprocess.Popen[bytes] | None = None


def up(
    name: str = DEFAULT_NAME,
    *,
    port: int | None = None,
    address: str | None = None,
    state_dir: str | None = None,
    foreground: bool = False,
) -> Started:
    """Start the named cluster unless it runs (idempotent), and write its kubeconfig context.

    Steps: 1. a cluster that answers ``/readyz`` is reported as it is; 2. otherwise its
    ``config.json`` takes the given address, port (the port of last time unless taken) and
    state dir, 3. the server starts and 4. its port is kept for next time; 5. the context
    ``mlkube-<name>`` is written into ``$MLKUBE_HOME/kubeconfig``.
    """
    cdir = ClusterDir.of(name)
    info = ready(cdir)
    proc: subprocess.Popen[bytes] | None = None
    started = info is None
    if info is None:
        config = cdir.config()
        if address is not None:
            config["address"] = address
        if port is not None:
            config["port"] = port
        elif config.get("port") and not port_free(config.get("address"), int(config["port"])):
            config["port"] = 0  # the port of last time is taken now: pick a free one
        if state_dir is not None:
            config["state_dir"] = str(Path(state_dir).resolve())
        cdir.save_config(config)
        proc = start(cdir, foreground=foreground)
        info = wait_ready(cdir, proc)
        config["port"] = int(info["port"])  # the same port next time
        cdir.save_config(config)
    write_kubeconfig(kubeconfig_path(), cdir, info)
    return Started(info, started, proc)
