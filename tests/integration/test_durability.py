"""Every create that was acknowledged with a 201 survives a SIGKILL of the server."""

from __future__ import annotations

import http.client
import json
import signal
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.integration.conftest import TOKEN, Served

CM = "/api/v1/namespaces/default/configmaps"


def _writer(url: str, acknowledged: list[str], enough: threading.Event) -> None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    i = 0
    try:
        while True:
            name = f"cm-{i}"
            body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}
            conn.request("POST", CM, body=json.dumps(body), headers=headers)
            resp = conn.getresponse()
            resp.read()
            if resp.status == 201:
                acknowledged.append(name)
            if len(acknowledged) >= 300:
                enough.set()
            i += 1
    except (OSError, http.client.HTTPException):
        return  # the server was killed under the writer
    finally:
        conn.close()


@pytest.mark.slow
def test_acknowledged_creates_survive_sigkill(tmp_path: Path) -> None:
    served = Served(tmp_path, insecure_http=True)
    served.start()
    acknowledged: list[str] = []
    enough = threading.Event()
    writer = threading.Thread(target=_writer, args=(served.url, acknowledged, enough))
    writer.start()
    assert enough.wait(timeout=120)
    assert served.stop(signal.SIGKILL) == -signal.SIGKILL
    writer.join(timeout=30)
    served.start()
    try:
        names = {item["metadata"]["name"] for item in json.loads(served.request(CM))["items"]}
    finally:
        served.stop()
    missing = [n for n in acknowledged if n not in names]
    assert len(acknowledged) >= 300
    assert missing == []


@pytest.mark.slow
def test_sigterm_shuts_down_cleanly_and_keeps_the_state(tmp_path: Path) -> None:
    served = Served(tmp_path, insecure_http=True)
    served.start()
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept"}}
    parts = urlsplit(served.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request(
        "POST",
        CM,
        body=json.dumps(body),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert conn.getresponse().status == 201
    conn.close()
    assert served.stop(signal.SIGTERM) == 0
    assert not served.info_file.exists()
    served.start()
    try:
        kept = json.loads(served.request(f"{CM}/kept"))
    finally:
        served.stop()
    assert kept["metadata"]["name"] == "kept"


@pytest.mark.slow
def test_sigterm_ends_open_watches_and_exits(tmp_path: Path) -> None:
    served = Served(tmp_path, insecure_http=True)
    served.start()
    parts = urlsplit(served.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request(
        "GET", f"{CM}?watch=true&timeoutSeconds=600", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    stream = conn.getresponse()
    assert stream.status == 200
    first = json.loads(stream.readline())
    assert first["type"] == "ADDED"
    assert served.stop(signal.SIGTERM) == 0
    rest = stream.read()
    conn.close()
    assert all(json.loads(line)["type"] == "ADDED" for line in rest.splitlines() if line)
