"""``kubectl exec`` (WebSocket, ``v5.channel.k8s.io``) against the served cluster: a
process-runtime pod runs the command locally; a simulated pod answers as a KWOK pod does."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from typing import Any

import pytest

from tests.integration.conftest import Kubectl


def _exec(
    kubectl: Kubectl, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["kubectl", f"--kubeconfig={kubectl.kubeconfig}", f"--namespace={kubectl.namespace}",
         "exec", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "KUBECONFIG": str(kubectl.kubeconfig)},
    )  # fmt: skip


def _pod(name: str, node: str, **container: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "nodeName": node,
            "containers": [{"name": "main", "image": "python", **container}],
        },
    }


@pytest.fixture
def process_pod(kubectl: Kubectl) -> str:
    node = f"laptop-{kubectl.namespace}"
    kubectl.apply(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": node, "annotations": {"sim.mlkube.io/runtime": "process"}},
        }
    )
    kubectl.apply(
        _pod(
            "sleeper",
            node,
            command=[sys.executable, "-c", "import time; time.sleep(600)"],
            env=[{"name": "GREETING", "value": "hello from the pod"}],
        )
    )
    deadline = time.monotonic() + 30
    while kubectl.json("get", "pod", "sleeper").get("status", {}).get("phase") != "Running":
        assert time.monotonic() < deadline, "the process pod did not start"
        time.sleep(0.1)
    return "sleeper"


def test_exec_runs_in_the_pods_directory_with_its_environment(
    kubectl: Kubectl, process_pod: str
) -> None:
    script = (
        "import os, sys; print(os.getcwd()); print(os.environ['GREETING']); "
        "print('warn', file=sys.stderr)"
    )
    done = _exec(kubectl, process_pod, "--", sys.executable, "-c", script)
    cwd, greeting = done.stdout.splitlines()
    assert (done.returncode, greeting, done.stderr) == (0, "hello from the pod", "warn\n")
    assert cwd.endswith("/work")
    assert f"{kubectl.namespace}_sleeper_" in cwd


def test_the_commands_exit_code_is_kubectls(kubectl: Kubectl, process_pod: str) -> None:
    done = _exec(kubectl, process_pod, "--", sys.executable, "-c", "raise SystemExit(3)")
    assert (done.returncode, done.stderr) == (3, "command terminated with exit code 3\n")


def test_stdin_reaches_the_command_and_its_end_ends_it(kubectl: Kubectl, process_pod: str) -> None:
    done = _exec(kubectl, "-i", process_pod, "--", "cat", stdin="line one\nline two\n")
    assert (done.returncode, done.stdout) == (0, "line one\nline two\n")


def test_a_command_that_does_not_exist_exits_127(kubectl: Kubectl, process_pod: str) -> None:
    done = _exec(kubectl, process_pod, "--", "no-such-command")
    assert done.returncode == 127
    assert done.stderr.startswith('exec: "no-such-command": executable file not found in $PATH\n')


def test_an_unknown_container_is_refused_before_the_upgrade(
    kubectl: Kubectl, process_pod: str
) -> None:
    done = _exec(kubectl, process_pod, "-c", "nope", "--", "true")
    assert done.stderr == (
        "Error from server (BadRequest): container nope is not valid for pod sleeper\n"
    )


def test_a_simulated_pod_answers_as_a_kwok_pod_with_no_kubelet_to_reach(
    kubectl: Kubectl,
) -> None:
    # the preferred address is an IP (KWOK's --node-ip), so no lookup comes first
    node = f"sim-{kubectl.namespace}"
    address = {"type": "Hostname", "address": "127.0.0.1"}
    kubectl.apply(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": node},
            "status": {"addresses": [address]},
        }
    )
    kubectl.apply(_pod("simulated", node))
    done = _exec(kubectl, "simulated", "--", "echo", "hi")
    url = (
        f"https://127.0.0.1:10250/exec/{kubectl.namespace}/simulated/main"
        "?command=echo&command=hi&error=1&output=1"
    )
    assert (done.returncode, done.stderr) == (
        1,
        f'error: Internal error occurred: error sending request: Post "{url}": '
        "dial tcp 127.0.0.1:10250: connect: connection refused\n",
    )


def test_a_pod_on_a_node_that_is_gone_is_refused_before_the_upgrade(kubectl: Kubectl) -> None:
    kubectl.apply(_pod("orphan", f"gone-{kubectl.namespace}"))
    done = _exec(kubectl, "orphan", "--", "true")
    # kube-apiserver's store names the request's resource, not the node's
    assert (done.returncode, done.stderr) == (
        1,
        f'Error from server (NotFound): pods "gone-{kubectl.namespace}" not found\n',
    )


def _exec_on_a_terminal(kubectl: Kubectl, *args: str, keys: bytes = b"") -> tuple[int, str]:
    """``kubectl exec -it`` with kubectl on a 100x30 pseudo-terminal; ``keys`` typed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(
        ["kubectl", f"--kubeconfig={kubectl.kubeconfig}", f"--namespace={kubectl.namespace}",
         "exec", "-it", *args],
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
        env={**os.environ, "KUBECONFIG": str(kubectl.kubeconfig)},
    )  # fmt: skip
    os.close(slave)
    output = b""
    deadline = time.monotonic() + 60
    typed = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # kubectl has exited and closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            elif not typed and keys and proc.poll() is None:
                time.sleep(0.5)  # let kubectl put its terminal in raw mode first
                os.write(master, keys)
                typed = True
            if proc.poll() is not None and not ready:
                break
        code = proc.wait(timeout=10)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return code, output.decode(errors="replace")


def test_a_terminal_session_gets_a_tty_of_the_clients_size(
    kubectl: Kubectl, process_pod: str
) -> None:
    script = (
        "import os, sys; print(sys.stdin.isatty(), sys.stdout.isatty(), os.get_terminal_size())"
    )
    code, output = _exec_on_a_terminal(kubectl, process_pod, "--", sys.executable, "-c", script)
    assert code == 0
    assert "True True os.terminal_size(columns=100, lines=30)" in output


def test_end_of_file_typed_on_the_terminal_ends_the_command(
    kubectl: Kubectl, process_pod: str
) -> None:
    code, output = _exec_on_a_terminal(kubectl, process_pod, "--", "cat", keys=b"typed\n\x04")
    assert code == 0
    assert output.count("typed") == 2  # the terminal's echo, then cat's copy
