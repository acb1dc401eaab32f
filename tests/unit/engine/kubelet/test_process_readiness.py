"""Readiness probes on process nodes: a container that really listens is Ready only once
its ``readinessProbe`` succeeds, and unready again after ``failureThreshold`` failures.

Semantics follow ``pkg/kubelet/prober/worker.go`` (the result starts as Failure; a probe
runs ``initialDelaySeconds`` after the start, then every ``periodSeconds``; the result
flips after ``successThreshold`` successes or ``failureThreshold`` failures in a row) and
``pkg/probe/http`` (a status in [200, 400) succeeds). Processes run in wall time while
virtual time advances in small steps (helpers from ``test_process``).
"""

from __future__ import annotations

import socket
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster

from .builders import NS, cluster, kubelet_of, make_node, make_pod
from .test_process import script, settle, wait

#: Serves /healthz with the status written in the file $STATUS_FILE (200 when absent),
#: after sleeping $DELAY seconds before it listens.
SERVER = """\
import http.server, os, pathlib, time
time.sleep(float(os.environ.get("DELAY", "0")))
status_file = pathlib.Path(os.environ.get("STATUS_FILE", "/nonexistent"))
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = int(status_file.read_text()) if status_file.exists() else 200
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"hello from the process runtime")
    def log_message(self, *args):
        pass
print("listening", flush=True)
http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def c(tmp_path: Path) -> Iterator[Cluster]:
    c = cluster(state_dir=tmp_path / "state")
    c.create(make_node("laptop").process().capacity(cpu="8", memory="16Gi").build())
    c.run_until_idle()
    yield c
    kubelet_of(c).close()


def server_pod(
    tmp_path: Path, port: int, probe: dict[str, Any], *, env: dict[str, str] | None = None
) -> dict[str, Any]:
    variables = {"PORT": str(port), **(env or {})}
    return (
        make_pod("web")
        .on("laptop")
        .grace(1)
        .container(
            command=[sys.executable, script(tmp_path, "server.py", SERVER)],
            env=[{"name": k, "value": v} for k, v in variables.items()],
            ports=[{"name": "http", "containerPort": port}],
            readinessProbe={"periodSeconds": 1, **probe},
        )
        .build()
    )


def ready(c: Cluster, name: str = "web") -> bool:
    conditions = c.get("pods", name, NS)["status"].get("conditions") or []
    return any(k["type"] == "Ready" and k["status"] == "True" for k in conditions)


def condition(c: Cluster, kind: str, name: str = "web") -> dict[str, Any]:
    pod = c.get("pods", name, NS)
    return next(k for k in pod["status"]["conditions"] if k["type"] == kind)


def test_a_probed_container_is_unready_until_its_server_answers_then_ready(
    c: Cluster, tmp_path: Path
) -> None:
    port = free_port()
    c.create(
        server_pod(
            tmp_path, port, {"httpGet": {"path": "/healthz", "port": "http"}}, env={"DELAY": "0.5"}
        )
    )
    wait(c, lambda: c.get("pods", "web", NS)["status"].get("phase") == "Running")
    unready = condition(c, "Ready")
    assert (unready["status"], unready["reason"], unready["message"]) == (
        "False",
        "ContainersNotReady",
        "containers with unready status: [main]",
    )
    assert c.get("pods", "web", NS)["status"]["containerStatuses"][0]["ready"] is False
    wait(c, lambda: ready(c))
    assert condition(c, "ContainersReady")["status"] == "True"
    assert c.get("pods", "web", NS)["status"]["containerStatuses"][0]["ready"] is True
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
        assert answer.read() == b"hello from the process runtime"


def test_a_tcp_socket_probe_succeeds_once_the_port_accepts(c: Cluster, tmp_path: Path) -> None:
    port = free_port()
    c.create(server_pod(tmp_path, port, {"tcpSocket": {"port": port}}))
    wait(c, lambda: ready(c))


def test_failure_threshold_failures_in_a_row_make_a_ready_container_unready(
    c: Cluster, tmp_path: Path
) -> None:
    port, status_file = free_port(), tmp_path / "status"
    probe = {"httpGet": {"path": "/healthz", "port": port}, "failureThreshold": 2}
    c.create(server_pod(tmp_path, port, probe, env={"STATUS_FILE": str(status_file)}))
    wait(c, lambda: ready(c))
    status_file.write_text("503")
    c.advance(1.05)  # one failed probe: still ready
    settle(c, lambda: True)
    assert ready(c)
    wait(c, lambda: not ready(c))
    assert condition(c, "Ready")["reason"] == "ContainersNotReady"
    status_file.write_text("302")  # a redirect counts as success, as in pkg/probe/http
    wait(c, lambda: ready(c))


def test_the_first_probe_waits_for_initial_delay_seconds(c: Cluster, tmp_path: Path) -> None:
    port = free_port()
    probe = {"tcpSocket": {"port": port}, "initialDelaySeconds": 30}
    c.create(server_pod(tmp_path, port, probe))
    log = lambda: kubelet_of(c).logs(NS, "web", "main")  # noqa: E731
    wait(c, lambda: "listening" in log())
    settle(c, lambda: True)
    assert not ready(c)
    c.advance(30)
    wait(c, lambda: ready(c))
    assert c.clock.monotonic() >= 30


def test_an_exec_probe_runs_in_the_containers_environment(c: Cluster, tmp_path: Path) -> None:
    marker = tmp_path / "healthy"
    check = "import os, sys; sys.exit(0 if os.path.exists(os.environ['MARKER']) else 1)"
    probe = {"exec": {"command": [sys.executable, "-c", check]}}
    c.create(server_pod(tmp_path, free_port(), probe, env={"MARKER": str(marker)}))
    wait(c, lambda: "listening" in kubelet_of(c).logs(NS, "web", "main"))
    c.advance(2)
    settle(c, lambda: True)
    assert not ready(c)
    marker.write_text("yes")
    wait(c, lambda: ready(c))


def test_a_pod_without_probes_is_ready_as_soon_as_it_runs(c: Cluster, tmp_path: Path) -> None:
    pod = server_pod(tmp_path, free_port(), {})
    del pod["spec"]["containers"][0]["readinessProbe"]
    c.create(pod)
    wait(c, lambda: c.get("pods", "web", NS)["status"].get("phase") == "Running")
    assert ready(c)


def test_a_deployment_on_a_process_node_becomes_available_and_answers_on_the_host(
    tmp_path: Path,
) -> None:
    c = Cluster(clock=FakeClock(), seed=0, path=tmp_path / "state.db")
    try:
        node = make_node("laptop").process().capacity(cpu="8", memory="16Gi", pods="110")
        c.create(node.build())
        port = free_port()
        template = server_pod(tmp_path, port, {"httpGet": {"path": "/", "port": "http"}})
        del template["spec"]["nodeName"]
        labels = {"app": "web"}
        c.create(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web", "namespace": NS},
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": labels},
                    "template": {"metadata": {"labels": labels}, "spec": template["spec"]},
                },
            }
        )
        c.create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "web", "namespace": NS},
                "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": "http"}]},
            }
        )

        def available() -> bool:
            return (
                int(c.get("deployments", "web", NS).get("status", {}).get("availableReplicas") or 0)
                == 1
            )

        wait(c, available, budget=60)
        endpoints = c.get("endpoints", "web", NS)
        subset = endpoints["subsets"][0]
        assert [p["port"] for p in subset["ports"]] == [port]
        assert len(subset["addresses"]) == 1
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
            assert answer.status == 200
    finally:
        c.close()


def test_a_failed_probe_is_a_warning_unhealthy_event_in_the_probers_words(
    c: Cluster, tmp_path: Path
) -> None:
    port = free_port()
    probe = {"httpGet": {"path": "/healthz", "port": port}}
    c.create(server_pod(tmp_path, port, probe, env={"DELAY": "0.5"}))
    wait(c, lambda: ready(c))
    unhealthy = [e for e in c.list("events", NS) if e.get("reason") == "Unhealthy"]
    assert unhealthy, "the probe before the server listened failed"
    assert unhealthy[0]["type"] == "Warning"
    assert unhealthy[0]["source"]["component"] == "kubelet"
    assert unhealthy[0]["message"] == (
        f'Readiness probe failed: Get "http://127.0.0.1:{port}/healthz": '
        f"dial tcp 127.0.0.1:{port}: connect: connection refused"
    )


def test_a_grpc_probe_says_the_process_runtime_does_not_support_it(
    c: Cluster, tmp_path: Path
) -> None:
    port = free_port()
    c.create(server_pod(tmp_path, port, {"grpc": {"port": port}}))
    wait(c, lambda: any(e.get("reason") == "Unhealthy" for e in c.list("events", NS)))
    event = next(e for e in c.list("events", NS) if e.get("reason") == "Unhealthy")
    assert event["message"] == (
        "Readiness probe failed: grpc probes are not supported by the local process runtime"
    )
    assert not ready(c)
