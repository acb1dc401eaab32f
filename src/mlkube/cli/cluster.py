"""``mlkube cluster``: run a named embedded cluster behind a Kubernetes API on loopback.

Each cluster lives in ``$MLKUBE_HOME/clusters/<name>/`` (``MLKUBE_HOME`` defaults to
``~/.mlkube``): ``config.json`` (state dir, address, port), ``token`` (the bearer token,
0600), ``server.json`` (written by the running server: pid, URL, start time), ``server.pid``
and ``server.log``. Its state (``state.db``, ``pki/``) is there too unless ``--state-dir``
moves it. ``up`` starts ``python -m mlkube.server`` as a detached process and writes
the context ``mlkube-<name>`` into ``$MLKUBE_HOME/kubeconfig`` (and ``~/.kube/config`` only
with ``--merge-kubeconfig``); a second ``up`` reports the running cluster. The server is
imported only by the process it runs in, so this module stays light.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import click

__all__ = ["ClusterDir", "cluster", "kubeconfig_path", "mlkube_home"]

_DEFAULT_NAME: Final = "local"
_START_TIMEOUT: Final = 60.0
_STOP_TIMEOUT: Final = 15.0
_STATE_FILES: Final = ("state.db", "state.db-wal", "state.db-shm")


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


def _request(info: dict[str, Any], token: str, path: str, timeout: float = 5.0) -> Any:
    req = urllib.request.Request(
        str(info["url"]) + path,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=timeout, context=_ssl_context(info)) as resp:
        body = resp.read()
    return json.loads(body) if body[:1] in (b"{", b"[") else body.decode()


def _ready(cdir: ClusterDir) -> dict[str, Any] | None:
    info = cdir.info()
    if info is None:
        return None
    try:
        if _request(info, cdir.token(), "/readyz", timeout=2.0) == "ok":
            return info
    except (OSError, urllib.error.URLError, ValueError):
        return None
    return None


# -- kubeconfig -------------------------------------------------------------------------------


def kubeconfig_path() -> Path:
    return mlkube_home() / "kubeconfig"


def _context_name(name: str) -> str:
    return f"mlkube-{name}"


def _write_kubeconfig(
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
    entry = _context_name(cdir.name)
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


def _remove_from_kubeconfig(path: Path, name: str) -> None:
    import yaml

    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return
    entry = _context_name(name)
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


def _start(cdir: ClusterDir, *, foreground: bool) -> subprocess.Popen[bytes] | None:
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


def _failed(cdir: ClusterDir, why: str) -> click.ClickException:
    return click.ClickException(
        f"cluster {cdir.name} {why}; see {cdir.log_file}:\n{_tail(cdir.log_file, 20)}"
    )


def _wait_ready(cdir: ClusterDir, proc: subprocess.Popen[bytes] | None) -> dict[str, Any]:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise _failed(cdir, f"exited with code {proc.returncode}")
        with contextlib.suppress(FileNotFoundError, ValueError):
            pid = int(cdir.pid_file.read_text(encoding="utf-8").strip())
            if not _alive(pid):
                raise _failed(cdir, "exited while starting")
        info = _ready(cdir)
        if info is not None:
            return info
        time.sleep(0.05)
    raise _failed(cdir, "did not become ready")


def _stop(cdir: ClusterDir) -> bool:
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


def _port_free(address: Any, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET6 if ":" in str(address or "") else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            s.bind((str(address or "127.0.0.1"), port))
        except OSError:
            return False
    return True


def _tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


_name_option = click.option(
    "--name", default=_DEFAULT_NAME, show_default=True, help="Cluster name."
)


# -- commands ---------------------------------------------------------------------------------


@click.group()
def cluster() -> None:
    """Run an embedded cluster behind a Kubernetes API on loopback (kubectl just works)."""


@cluster.command()
@_name_option
@click.option("--port", type=int, default=None, help="Port to listen on (default: a free one).")
@click.option("--address", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--state-dir", type=click.Path(file_okay=False), default=None, help="State dir.")
@click.option("--foreground", is_flag=True, help="Run in this terminal until Ctrl-C.")
@click.option("--merge-kubeconfig", is_flag=True, help="Also add the context to ~/.kube/config.")
def up(
    name: str,
    port: int | None,
    address: str | None,
    state_dir: str | None,
    foreground: bool,
    merge_kubeconfig: bool,
) -> None:
    """Start the cluster (idempotent: a running cluster is reported, not restarted)."""
    cdir = ClusterDir.of(name)
    info = _ready(cdir)
    if info is None:
        config = cdir.config()
        if address is not None:
            config["address"] = address
        if port is not None:
            config["port"] = port
        elif config.get("port") and not _port_free(config.get("address"), int(config["port"])):
            config["port"] = 0  # the port of last time is taken now: pick a free one
        if state_dir is not None:
            config["state_dir"] = str(Path(state_dir).resolve())
        cdir.save_config(config)
        proc = _start(cdir, foreground=foreground)
        info = _wait_ready(cdir, proc)
        config["port"] = int(info["port"])  # the same port next time
        cdir.save_config(config)
        verb = "started"
    else:
        proc = None
        verb = "is running"
    _write_kubeconfig(kubeconfig_path(), cdir, info)
    if merge_kubeconfig:
        _write_kubeconfig(Path.home() / ".kube" / "config", cdir, info, switch=False)
    click.echo(f"cluster {name} {verb} at {info['url']}")
    click.echo(f"kubeconfig: {kubeconfig_path()} (context {_context_name(name)})")
    click.echo(f"  export KUBECONFIG={kubeconfig_path()}")
    if foreground and proc is not None:
        try:
            proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGTERM)
            proc.wait()


@cluster.command()
@_name_option
def down(name: str) -> None:
    """Stop the cluster; its state stays for the next ``up``."""
    cdir = ClusterDir.of(name)
    if _stop(cdir):
        click.echo(f"cluster {name} stopped")
    else:
        click.echo(f"cluster {name} is not running")


def _counts(info: dict[str, Any], token: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    resources = _request(info, token, "/api/v1").get("resources", [])
    groups = _request(info, token, "/apis").get("groups", [])
    lists: list[tuple[str, str]] = [("/api/v1", r["name"]) for r in resources]
    for group in groups:
        gv = group["preferredVersion"]["groupVersion"]
        for r in _request(info, token, f"/apis/{gv}").get("resources", []):
            lists.append((f"/apis/{gv}", r["name"]))
    for base, plural in lists:
        if "/" in plural:
            continue
        try:
            body = _request(info, token, f"{base}/{plural}?limit=1")
        except urllib.error.HTTPError:
            continue
        items = len(body.get("items") or [])
        total = items + int((body.get("metadata") or {}).get("remainingItemCount") or 0)
        key = plural if base == "/api/v1" else f"{plural}.{base.split('/')[2]}"
        if total and key not in counts:
            counts[key] = total
    return counts


@cluster.command()
@_name_option
@click.option(
    "-o", "--output", type=click.Choice(["text", "yaml", "json"]), default="text", help="Format."
)
def status(name: str, output: str) -> None:
    """Show whether the cluster runs, where, since when, and how many objects it holds."""
    cdir = ClusterDir.of(name)
    info = _ready(cdir)
    report: dict[str, Any] = {"name": name, "running": info is not None}
    if info is not None:
        token = cdir.token()
        version = _request(info, token, "/version")
        report.update(
            {
                "url": info["url"],
                "pid": info["pid"],
                "version": version.get("gitVersion"),
                "uptimeSeconds": int(time.time() - float(info.get("started") or time.time())),
                "stateDir": str(cdir.state_dir),
                "kubeconfig": str(kubeconfig_path()),
                "context": _context_name(name),
                "objects": _counts(info, token),
            }
        )
    if output == "json":
        click.echo(json.dumps(report, indent=2))
        return
    if output == "yaml":
        import yaml

        click.echo(yaml.safe_dump(report, sort_keys=False), nl=False)
        return
    if info is None:
        click.echo(f"cluster {name} is not running")
        return
    click.echo(f"cluster {name} is running")
    for key in ("url", "version", "pid", "stateDir", "kubeconfig", "context"):
        click.echo(f"  {key}: {report[key]}")
    click.echo(f"  uptime: {_uptime(report['uptimeSeconds'])}")
    click.echo("  objects:")
    for kind, count in sorted(report["objects"].items()):
        click.echo(f"    {kind}: {count}")


def _uptime(seconds: int) -> str:
    minutes, s = divmod(seconds, 60)
    hours, m = divmod(minutes, 60)
    return f"{hours}h{m}m{s}s" if hours else f"{m}m{s}s" if m else f"{s}s"


@cluster.command()
@_name_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(name: str, yes: bool) -> None:
    """Delete every object of the cluster (restarting it if it was running)."""
    cdir = ClusterDir.of(name)
    if not yes:
        click.confirm(f"Delete all state of cluster {name}?", abort=True)
    was_running = _stop(cdir)
    for file in _STATE_FILES:
        with contextlib.suppress(FileNotFoundError):
            (cdir.state_dir / file).unlink()
    click.echo(f"cluster {name} reset")
    if was_running:
        info = _wait_ready(cdir, _start(cdir, foreground=False))
        _write_kubeconfig(kubeconfig_path(), cdir, info)
        click.echo(f"cluster {name} started at {info['url']}")


def _follow(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8", errors="replace") as f:
        f.seek(0, os.SEEK_END)
        while True:
            line = f.readline()
            if line:
                yield line
            else:
                time.sleep(0.2)


@cluster.command()
@_name_option
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines.")
@click.option("--tail", type=int, default=-1, help="Only the last N lines.")
def logs(name: str, follow: bool, tail: int) -> None:
    """Print the server's log."""
    cdir = ClusterDir.of(name)
    if not cdir.log_file.exists():
        raise click.ClickException(f"cluster {name} has no log yet ({cdir.log_file})")
    text = cdir.log_file.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    if tail >= 0:
        lines = lines[-tail:] if tail else []
    for line in lines:
        click.echo(line)
    if follow:
        with contextlib.suppress(KeyboardInterrupt):
            for line in _follow(cdir.log_file):
                click.echo(line, nl=False)
