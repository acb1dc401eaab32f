"""``kubectl exec`` on a simulated pod answers as on a KWOK pod of the real control plane,
word for word and frame for frame.

kube-apiserver dials the node's preferred address (``Hostname`` first: KWOK's nodes and
mlkube's both report their name there), so the answer is the failed lookup of the node's
name on this machine's resolver; the session opens with an empty stdout message and the
Status is ``json.Marshal``'s. A pod bound to a node that does not exist is refused before
the upgrade, with the store's quirk of naming the request's resource (``pods``).
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
import websocket

from mlkube.client import KubeClient
from mlkube.testing.controlplane import KWOK_NODE_TAINT, fake_node
from tests.e2e.targets import Target

pytestmark = pytest.mark.e2e

NS = "default"
TIMEOUT = 60.0


def _kubectl_exec(target: Target, pod: str, *command: str) -> tuple[int, str]:
    done = subprocess.run(
        ["kubectl", f"--kubeconfig={target.kubeconfig}", f"--namespace={NS}", "exec", pod, "--",
         *command],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, "KUBECONFIG": str(target.kubeconfig)},
    )  # fmt: skip
    return done.returncode, done.stderr


def _pod(name: str, node: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "nodeName": node,
            "tolerations": [{"key": KWOK_NODE_TAINT["key"], "operator": "Exists"}],
            "containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10"}],
        },
    }


def _running(client: KubeClient, name: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while (client.get("pods", name, NS).get("status") or {}).get("phase") != "Running":
        if time.monotonic() > deadline:
            pytest.fail(f"pod {name} did not start within {TIMEOUT:.0f}s")
        time.sleep(0.2)


def _frames(target: Target, pod: str) -> list[tuple[int, bytes]]:
    """Every binary message of an exec session (v5), as ``(channel, data)``."""
    query = urlencode(
        [("command", "echo"), ("command", "a&b"), ("stdout", "true"), ("stderr", "true")]
    )
    url = target.server.replace("https://", "wss://", 1)
    ws = websocket.create_connection(
        f"{url}/api/v1/namespaces/{NS}/pods/{pod}/exec?{query}",
        subprotocols=["v5.channel.k8s.io"],
        header=[f"{k}: {v}" for k, v in target.headers.items()],
        sslopt={"context": target.tls},
        timeout=TIMEOUT,
    )
    frames: list[tuple[int, bytes]] = []
    try:
        while True:
            try:
                opcode, data = ws.recv_data()
            except websocket.WebSocketConnectionClosedException:
                break
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                break
            if opcode == websocket.ABNF.OPCODE_BINARY:
                frames.append((data[0], bytes(data[1:])))
    finally:
        ws.close()
        ws.shutdown()  # the socket too, when the server ended the session first
    return frames


@pytest.fixture(scope="module")
def simulated_pod(targets: list[Target]) -> str:
    """The same node and pod on both clusters: a KWOK node, a simulated one; Running."""
    node, pod = f"exec-{uuid.uuid4().hex[:6]}", "exec-sim"
    for target in targets:
        with target.client() as client:
            client.create(fake_node(node))
            client.create(_pod(pod, node))
            _running(client, pod)
    return pod


def test_kubectl_exec_on_a_simulated_pod_says_what_it_says_on_a_kwok_pod(
    targets: list[Target], simulated_pod: str
) -> None:
    real, embedded = (_kubectl_exec(t, simulated_pod, "echo", "hi") for t in targets)
    assert real[0] == 1
    assert "Internal error occurred: error sending request: Post" in real[1]
    assert embedded == real


def test_the_exec_session_sends_the_same_frames_on_both_clusters(
    targets: list[Target], simulated_pod: str
) -> None:
    real, embedded = (_frames(t, simulated_pod) for t in targets)
    assert real[0] == (1, b"")
    assert b"\\u0026" in real[-1][1]
    assert embedded == real


def test_a_pod_on_a_node_that_does_not_exist_is_refused_alike_before_the_upgrade(
    targets: list[Target],
) -> None:
    node, pod = f"gone-{uuid.uuid4().hex[:6]}", "exec-orphan"
    answers = []
    for target in targets:
        with target.client() as client:
            client.create(_pod(pod, node))
        answers.append(_kubectl_exec(target, pod, "true"))
    real, embedded = answers
    assert real == (1, f'Error from server (NotFound): pods "{node}" not found\n')
    assert embedded == real
