"""``mlkube cluster``: run a named embedded cluster behind a Kubernetes API on loopback.

Each cluster lives in ``$MLKUBE_HOME/clusters/<name>/`` (``MLKUBE_HOME`` defaults to
``~/.mlkube``): ``config.json`` (state dir, address, port), ``token`` (the bearer token,
0600), ``server.json`` (written by the running server: pid, URL, start time), ``server.pid``
and ``server.log``. Its state (``state.db``, ``pki/``) is there too unless ``--state-dir``
moves it. ``up`` starts ``python -m mlkube.server`` as a detached process and writes
the context ``mlkube-<name>`` into ``$MLKUBE_HOME/kubeconfig`` (and ``~/.kube/config`` only
with ``--merge-kubeconfig``); a second ``up`` reports the running cluster. The server is
imported only by the process it runs in, so this module stays light. The lifecycle itself
(find, start, stop, ready, kubeconfig) is :mod:`mlkube.sdk.local`, shared with the workload
commands and the SDK, which start the ``local`` cluster on demand.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import click

from mlkube.sdk.local import (
    DEFAULT_NAME,
    ClusterDir,
    LocalClusterError,
    kubeconfig_path,
    mlkube_home,
    ready,
    request,
    start,
    stop,
    wait_ready,
    write_kubeconfig,
)
from mlkube.sdk.local import context_name as _context_name
from mlkube.sdk.local import up as _up

__all__ = ["ClusterDir", "cluster", "kubeconfig_path", "mlkube_home"]

_DEFAULT_NAME: Final = DEFAULT_NAME
_STATE_FILES: Final = ("state.db", "state.db-wal", "state.db-shm")


@contextlib.contextmanager
def _startup_errors() -> Iterator[None]:
    try:
        yield
    except LocalClusterError as err:
        raise click.ClickException(str(err)) from err


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
    with _startup_errors():
        outcome = _up(name, port=port, address=address, state_dir=state_dir, foreground=foreground)
    cdir, info, proc = ClusterDir.of(name), outcome.info, outcome.proc
    verb = "started" if outcome.started else "is running"
    if merge_kubeconfig:
        write_kubeconfig(Path.home() / ".kube" / "config", cdir, info, switch=False)
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
    if stop(cdir):
        click.echo(f"cluster {name} stopped")
    else:
        click.echo(f"cluster {name} is not running")


def _counts(info: dict[str, Any], token: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    resources = request(info, token, "/api/v1").get("resources", [])
    groups = request(info, token, "/apis").get("groups", [])
    lists: list[tuple[str, str]] = [("/api/v1", r["name"]) for r in resources]
    for group in groups:
        gv = group["preferredVersion"]["groupVersion"]
        for r in request(info, token, f"/apis/{gv}").get("resources", []):
            lists.append((f"/apis/{gv}", r["name"]))
    for base, plural in lists:
        if "/" in plural:
            continue
        try:
            body = request(info, token, f"{base}/{plural}?limit=1")
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
    info = ready(cdir)
    report: dict[str, Any] = {"name": name, "running": info is not None}
    if info is not None:
        token = cdir.token()
        version = request(info, token, "/version")
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
    was_running = stop(cdir)
    for file in _STATE_FILES:
        with contextlib.suppress(FileNotFoundError):
            (cdir.state_dir / file).unlink()
    click.echo(f"cluster {name} reset")
    if was_running:
        with _startup_errors():
            info = wait_ready(cdir, start(cdir, foreground=False))
        write_kubeconfig(kubeconfig_path(), cdir, info)
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
