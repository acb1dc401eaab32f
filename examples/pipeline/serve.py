"""Serve: answer predictions over HTTP with the model ``train.py`` saved (stdlib only).

``GET /healthz`` is 200 once ``model.json`` is loaded (503 before: the readiness probe
waits for it), ``POST /predict`` takes ``{"features": [x1, ...]}`` (one row) or
``{"instances": [[...], ...]}`` and answers ``{"predictions": [{"class": 0|1,
"probability": p}, ...], "model": {...}}``. A malformed request gets 400 and a sentence
saying what was expected. SIGTERM stops it cleanly.

    python serve.py --model /models --model-volume models [--port 8080 --host 0.0.0.0]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from common import mounted


class Model:
    """The saved logistic regression; loaded on first use, so serving can start first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def loaded(self) -> dict[str, Any] | None:
        with self._lock:
            if self._data is None and self.path.exists():
                self._data = json.loads(self.path.read_text())
            return self._data

    def predict(self, rows: list[list[float]]) -> list[dict[str, Any]]:
        data = self.loaded()
        assert data is not None
        weights, mean, scale = data["weights"], data["mean"], data["scale"]
        out = []
        for row in rows:
            z = data["bias"] + sum(
                w * (x - m) / s for w, x, m, s in zip(weights, row, mean, scale, strict=True)
            )
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            out.append({"class": int(p > 0.5), "probability": round(p, 6)})
        return out


def _rows(body: Any, features: int) -> list[list[float]]:
    """The rows of a request, or ValueError saying what a request looks like."""
    expected = f'expected {{"features": [{features} numbers]}} or {{"instances": [[...], ...]}}'
    if not isinstance(body, dict):
        raise ValueError(expected)
    if "features" in body:
        rows = [body["features"]]
    elif "instances" in body:
        rows = body["instances"]
    else:
        raise ValueError(expected)
    if not isinstance(rows, list) or not rows:
        raise ValueError(expected)
    for row in rows:
        ok = isinstance(row, list) and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in row
        )
        if not ok or len(row) != features:
            raise ValueError(f"each row needs {features} numbers; {expected}")
    return [[float(v) for v in row] for row in rows]


def handler(model: Model) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, code: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path != "/healthz":
                self._send(404, {"error": f"no such path {self.path}; try /healthz or /predict"})
            elif model.loaded() is None:
                self._send(503, {"status": f"waiting for {model.path}"})
            else:
                self._send(200, {"status": "ok"})

        def do_POST(self) -> None:
            if self.path != "/predict":
                self._send(404, {"error": f"no such path {self.path}; POST to /predict"})
                return
            data = model.loaded()
            if data is None:
                self._send(503, {"error": f"the model is not there yet ({model.path})"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                rows = _rows(json.loads(self.rfile.read(length) or b"null"), len(data["weights"]))
            except ValueError as err:  # json.JSONDecodeError is a ValueError
                self._send(400, {"error": str(err)})
                return
            info = {"params": data.get("params"), "metrics": data.get("metrics")}
            self._send(200, {"predictions": model.predict(rows), "model": info})

        def log_message(self, format: str, *args: Any) -> None:
            print(f"{self.address_string()} {format % args}", flush=True)

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="the model volume's mountPath")
    parser.add_argument("--model-volume", default=None, help="the model volume's name")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))
    args = parser.parse_args(argv)

    model = Model(mounted(args.model, args.model_volume) / "model.json")
    server = ThreadingHTTPServer((args.host, args.port), handler(model))
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"serving {model.path} on http://{args.host}:{server.server_port}", flush=True)
    server.serve_forever()
    server.server_close()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
