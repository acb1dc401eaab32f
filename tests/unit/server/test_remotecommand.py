"""``pods/exec`` on the wire: the checks before the upgrade, and the channel frames of
``v4.channel.k8s.io`` (the protocol before v5's close signal)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp

from mlkube.server.remotecommand import exec_status
from mlkube.server.serve import ServerThread
from tests.unit.server.conftest import TOKEN, Http, pod

PODS = "/api/v1/namespaces/default/pods"


def _running_process_pod(api: Http) -> None:
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "laptop", "annotations": {"sim.mlkube.io/runtime": "process"}},
    }
    assert api.post("/api/v1/nodes", node).status == 201
    body = pod("sleeper")
    body["spec"]["nodeName"] = "laptop"
    body["spec"]["containers"][0]["command"] = [
        sys.executable,
        "-c",
        "import time; time.sleep(600)",
    ]
    assert api.post(PODS, body).status == 201
    deadline = time.monotonic() + 30
    while api.get(f"{PODS}/sleeper").json().get("status", {}).get("phase") != "Running":
        assert time.monotonic() < deadline, "the process pod did not start"
        time.sleep(0.05)


async def _frames(url: str, protocol: str) -> tuple[str | None, list[tuple[int, bytes]]]:
    frames: list[tuple[int, bytes]] = []
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as session,
        session.ws_connect(url, protocols=(protocol,)) as ws,
    ):
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.BINARY:
                frames.append((msg.data[0], msg.data[1:]))
        return ws.protocol, frames


def test_a_v4_client_gets_stdout_then_the_status_on_the_error_channel(
    served: ServerThread, api: Http
) -> None:
    _running_process_pod(api)
    script = "print('out'); import sys; print('err', file=sys.stderr)"
    query = "&".join(f"command={c}" for c in (sys.executable, "-c", script))
    url = f"{served.url}{PODS}/sleeper/exec?{query}&stdout=true&stderr=true"
    protocol, frames = asyncio.run(_frames(url, "v4.channel.k8s.io"))
    assert protocol == "v4.channel.k8s.io"
    out = b"".join(data for channel, data in frames if channel == 1)
    err = b"".join(data for channel, data in frames if channel == 2)
    assert (out, err) == (b"out\n", b"err\n")
    assert frames[-1][0] == 3
    assert json.loads(frames[-1][1]) == {"metadata": {}, "status": "Success"}


def test_a_plain_request_without_the_upgrade_is_400(api: Http) -> None:
    _running_process_pod(api)
    reply = api.post(f"{PODS}/sleeper/exec?command=true&stdout=true", b"")
    assert (reply.status, reply.json()["message"]) == (400, "Upgrade request required")


def test_a_pod_without_a_node_has_no_host_to_exec_on(api: Http) -> None:
    api.post(PODS, pod("pending"))
    reply = api.post(f"{PODS}/pending/exec?command=true&stdout=true", b"")
    assert (reply.status, reply.json()["message"]) == (
        400,
        "pod pending does not have a host assigned",
    )


def test_a_pod_of_two_containers_needs_one_named(api: Http) -> None:
    two: dict[str, Any] = pod("two")
    two["spec"]["nodeName"] = "n1"
    two["spec"]["containers"].append({"name": "side", "image": "busybox"})
    api.post(PODS, two)
    reply = api.post(f"{PODS}/two/exec?command=true&stdout=true", b"")
    assert reply.json()["message"] == (
        "a container name must be specified for pod two, choose one of: [main side]"
    )


def test_a_non_zero_exit_is_the_kubelets_status_with_the_exit_code_cause() -> None:
    assert exec_status(3, ["sh", "-c", "exit 3"]) == {
        "metadata": {},
        "status": "Failure",
        "message": "command terminated with non-zero exit code: error executing command "
        "[sh -c exit 3], exit code 3",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": "3"}]},
    }


def test_a_simulated_pod_opens_the_session_then_reports_the_failed_dial_as_go_encodes_it(
    served: ServerThread, api: Http
) -> None:
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "sim-0"},
        "status": {"addresses": [{"type": "Hostname", "address": "127.0.0.1"}]},
    }
    assert api.post("/api/v1/nodes", node).status == 201
    body = pod("simulated")
    body["spec"]["nodeName"] = "sim-0"
    assert api.post(PODS, body).status == 201
    url = f"{served.url}{PODS}/simulated/exec?command=echo&command=hi&stdout=true&stderr=true"
    _, frames = asyncio.run(_frames(url, "v5.channel.k8s.io"))
    kubelet = (
        "https://127.0.0.1:10250/exec/default/simulated/main"
        "?command=echo&command=hi&error=1&output=1"
    )
    dial = "dial tcp 127.0.0.1:10250: connect: connection refused"
    why = f'error sending request: Post "{kubelet}": {dial}'
    status = {
        "metadata": {},
        "status": "Failure",
        "message": f"Internal error occurred: {why}",
        "reason": "InternalError",
        "details": {"causes": [{"message": why}]},
        "code": 500,
    }
    # kube-apiserver's stream translator: an empty message on stdout, then json.Marshal's
    # Status on the error channel (``&`` escaped)
    assert frames == [
        (1, b""),
        (3, json.dumps(status, separators=(",", ":")).replace("&", "\\u0026").encode()),
    ]


def test_a_pod_on_a_node_that_is_gone_is_not_found_before_the_upgrade(
    served: ServerThread, api: Http
) -> None:
    body = pod("orphan")
    body["spec"]["nodeName"] = "gone"
    api.post(PODS, body)
    reply = api.post(f"{PODS}/orphan/exec?command=true&stdout=true", b"")
    assert (reply.status, reply.json()["message"]) == (404, 'pods "gone" not found')
