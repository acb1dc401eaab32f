"""The local process runtime: a pod's containers run as real subprocesses on this machine.

For nodes annotated ``sim.mlkube.io/runtime: process``: each container's ``command`` +
``args`` run as a subprocess in its own session (the image is recorded, never pulled), in a
working directory per pod under the cluster's state directory, stdout and stderr kept as
the container's log (one file per run, so ``previous=True`` reads the run before). Stopping
sends SIGTERM to the process group and SIGKILL once the grace period has passed on the
cluster's clock, as the kubelet's killContainer does (``pkg/kubelet/kuberuntime/
kuberuntime_container.go``); an exit by signal N is reported as exit code 128 + N.

Process I/O is the only wall-clock thing in the engine and it lives here: nothing blocks,
the kubelet polls from ``sync()``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from mlkube.engine.clock import Clock
from mlkube.engine.kubelet import probes

__all__ = ["START_ERROR_EXIT_CODE", "ProcessRuntime"]

#: What the kubelet reports for a container that could not start (reason StartError).
START_ERROR_EXIT_CODE = 128
_HOST_VARS = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "VIRTUAL_ENV")
_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def _expand(value: str, env: Mapping[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        return "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0))

    return _REF.sub(sub, value)


@dataclass
class _Container:
    name: str
    proc: subprocess.Popen[bytes] | None
    log: IO[bytes] | None
    code: int | None = None
    env: dict[str, str] = field(default_factory=dict)  # what it started with (exec probes)


@dataclass
class _Pod:
    namespace: str
    name: str
    directory: Path
    containers: dict[str, _Container] = field(default_factory=dict)
    runs: dict[str, int] = field(default_factory=dict)  # container -> runs started
    kill_at: float | None = None


class ProcessRuntime:
    """Subprocesses for the pods of process nodes, keyed by pod uid."""

    def __init__(self, state_dir: Path, clock: Clock) -> None:
        self.state_dir = Path(state_dir)
        self._clock = clock
        self._pods: dict[str, _Pod] = {}
        self._latest: dict[tuple[str, str], _Pod] = {}  # (namespace, name) -> newest pod

    def pod_dir(self, pod: Mapping[str, Any]) -> Path:
        meta = pod.get("metadata") or {}
        return (
            self.state_dir
            / "pods"
            / f"{meta.get('namespace')}_{meta.get('name')}_{meta.get('uid')}"
        )

    def has(self, uid: str) -> bool:
        return uid in self._pods

    def start(self, pod: Mapping[str, Any], envs: Mapping[str, Mapping[str, str]]) -> None:
        """Start (or restart) every container of ``pod`` with its resolved environment."""
        meta = pod.get("metadata") or {}
        uid = str(meta.get("uid", ""))
        directory = self.pod_dir(pod)
        work = directory / "work"
        work.mkdir(parents=True, exist_ok=True)
        state = self._pods.get(uid)
        if state is None:
            state = _Pod(str(meta.get("namespace", "")), str(meta.get("name", "")), directory)
            self._pods[uid] = state
        self._latest[(state.namespace, state.name)] = state
        state.kill_at = None
        for container in (pod.get("spec") or {}).get("containers") or []:
            name = str(container.get("name", ""))
            run = state.runs.get(name, 0)
            state.runs[name] = run + 1
            env = dict(envs.get(name) or {})
            full = {k: os.environ[k] for k in _HOST_VARS if k in os.environ}
            full["HOSTNAME"] = state.name
            full.update(env)
            argv = [_expand(str(a), env) for a in container.get("command") or []]
            argv += [_expand(str(a), env) for a in container.get("args") or []]
            log_path = directory / "logs" / name / f"{run}.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log = log_path.open("wb")
            if not argv:
                log.write(b"no command to run: the local process runtime does not read images\n")
                log.close()
                state.containers[name] = _Container(name, None, None, START_ERROR_EXIT_CODE)
                continue
            try:
                proc = subprocess.Popen(
                    argv,
                    cwd=work,
                    env=full,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except OSError as err:
                log.write(f"{err}\n".encode())
                log.close()
                state.containers[name] = _Container(name, None, None, START_ERROR_EXIT_CODE)
                continue
            state.containers[name] = _Container(name, proc, log, env=full)

    def exec_probe(self, uid: str, container: str) -> probes.Exec | None:
        """How an exec probe runs a command in ``container``: its working directory and
        environment (None when the container is not running here)."""
        state = self._pods.get(uid)
        c = state.containers.get(container) if state is not None else None
        if state is None or c is None or c.proc is None:
            return None
        return probes.run_in(state.directory / "work", c.env)

    def exec_context(
        self, namespace: str, pod: str, container: str
    ) -> tuple[Path, dict[str, str]] | None:
        """Where ``pods/exec`` runs a command in a running container: the pod's working
        directory and the container's environment (None when it does not run here)."""
        state = self._latest.get((namespace, pod))
        c = state.containers.get(container) if state is not None else None
        if state is None or c is None or c.proc is None or c.proc.poll() is not None:
            return None
        return state.directory / "work", dict(c.env)

    def poll(self, uid: str) -> dict[str, int] | None:
        """Every container's exit code once all have exited; None while any runs."""
        state = self._pods.get(uid)
        if state is None:
            return None
        done = True
        for c in state.containers.values():
            if c.code is None and c.proc is not None:
                rc = c.proc.poll()
                if rc is None:
                    done = False
                    continue
                c.code = 128 - rc if rc < 0 else rc
                if c.log is not None:
                    c.log.close()
                    c.log = None
        if not done:
            return None
        return {name: c.code if c.code is not None else 0 for name, c in state.containers.items()}

    def stop(self, uid: str, grace: float) -> None:
        """SIGTERM now; SIGKILL at ``grace`` seconds from now (on the cluster clock)."""
        state = self._pods.get(uid)
        if state is None or state.kill_at is not None:
            return
        state.kill_at = self._clock.monotonic() + max(0.0, grace)
        self._signal(state, signal.SIGTERM)
        if grace <= 0:
            self._signal(state, signal.SIGKILL)

    def stopping(self, uid: str) -> bool:
        state = self._pods.get(uid)
        return state is not None and state.kill_at is not None

    def tick(self, uid: str) -> float | None:
        """Send SIGKILL if the grace period is over; else the seconds left (None: not
        stopping)."""
        state = self._pods.get(uid)
        if state is None or state.kill_at is None:
            return None
        left = state.kill_at - self._clock.monotonic()
        if left <= 0:
            self._signal(state, signal.SIGKILL)
            return 0.0
        return left

    @staticmethod
    def _signal(state: _Pod, sig: signal.Signals) -> None:
        for c in state.containers.values():
            if c.proc is not None and c.code is None and c.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(c.proc.pid, sig)

    def logs(self, namespace: str, pod: str, container: str, previous: bool = False) -> str:
        """The container's output (this run, or the one before with ``previous``)."""
        state = self._latest.get((namespace, pod))
        if state is None:
            return ""
        run = state.runs.get(container, 0) - (2 if previous else 1)
        path = state.directory / "logs" / container / f"{run}.log"
        if run < 0 or not path.exists():
            return ""
        return path.read_text(errors="replace")

    def forget(self, uid: str) -> None:
        """The pod is gone: kill what still runs and drop it (its logs stay readable by
        name until a new pod takes the name)."""
        state = self._pods.pop(uid, None)
        if state is None:
            return
        self._signal(state, signal.SIGKILL)
        for c in state.containers.values():
            if c.proc is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    c.proc.wait(timeout=0)
            if c.log is not None:
                c.log.close()

    def close(self) -> None:
        for uid in list(self._pods):
            state = self._pods[uid]
            self._signal(state, signal.SIGKILL)
            for c in state.containers.values():
                if c.proc is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        c.proc.wait(timeout=5)
                if c.log is not None:
                    c.log.close()
        self._pods.clear()
