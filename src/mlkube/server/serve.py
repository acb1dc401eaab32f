"""Serve one named embedded cluster: its state on disk, its token, and the controller loop.

:class:`ServedCluster` owns an engine :class:`~mlkube.engine.cluster.Cluster` on a
:class:`~mlkube.engine.clock.RealClock` persisted under a state directory, the aiohttp site
on a loopback address, and the loop that lets the cluster work: every 20 ms, and right after
each write, it runs the clock's due timers and ``cluster.step()``; once a minute it sends
watch bookmarks. ``python -m mlkube.server`` runs one in the foreground until SIGTERM or
SIGINT (graceful: watches end, the store closes) and writes ``server.json`` (pid, address,
port, start time) into the state directory once it listens, removing it on the way out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from aiohttp import web

from mlkube.engine.clock import RealClock
from mlkube.engine.cluster import Cluster
from mlkube.server.app import create_app
from mlkube.server.resources import Backend
from mlkube.server.tls import Certificates, ensure_certificates, server_context

__all__ = [
    "INFO_FILE",
    "PKI_DIR",
    "STATE_FILE",
    "TOKEN_FILE",
    "ServedCluster",
    "ServerThread",
    "main",
]

STATE_FILE: Final = "state.db"
TOKEN_FILE: Final = "token"
INFO_FILE: Final = "server.json"
PKI_DIR: Final = "pki"
_TICK_SECONDS: Final = 0.02
_BOOKMARK_SECONDS: Final = 60.0
_log = logging.getLogger("mlkube.server")


@dataclass
class ServedCluster:
    """A cluster served over HTTP in the running event loop."""

    state_dir: Path | None = None
    address: str = "127.0.0.1"
    port: int = 0
    token: str = ""
    name: str = "local"
    tls: bool = False
    bookmark_seconds: float = _BOOKMARK_SECONDS
    cluster: Cluster = field(init=False)
    url: str = field(init=False, default="")
    started: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        path = None
        if self.state_dir is not None:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            path = self.state_dir / STATE_FILE
        self.certificates: Certificates | None = None
        ca_pem = ""
        if self.tls:
            if self.state_dir is None:
                raise ValueError("a TLS cluster needs a state directory for its certificates")
            self.certificates = ensure_certificates(self.state_dir / PKI_DIR, self.address)
            ca_pem = self.certificates.ca_cert.read_text(encoding="utf-8")
        self.clock = RealClock()
        self.cluster = Cluster(clock=self.clock, path=path, ca_cert=ca_pem)
        self._wake = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._closed = False

    def _kick(self) -> None:
        self._wake.set()

    async def start(self) -> str:
        """Listen, start the controller loop; returns the server's URL."""
        self._wake = asyncio.Event()
        kubelet_logs = next(
            (
                c.logs  # type: ignore[attr-defined]
                for c in self.cluster.controllers.controllers
                if callable(getattr(c, "logs", None))
            ),
            None,
        )
        exec_context = next(
            (
                getattr(c, "exec_context")  # noqa: B009 - found by duck typing, as logs is
                for c in self.cluster.controllers.controllers
                if callable(getattr(c, "exec_context", None))
            ),
            None,
        )
        backend = Backend(self.cluster.api, self.clock.now, self._kick, kubelet_logs, exec_context)
        app = create_app(backend, token=self.token)
        app.on_shutdown.append(self._on_shutdown)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        context = server_context(self.certificates) if self.certificates else None
        site = web.TCPSite(
            self._runner, self.address, self.port, reuse_address=True, ssl_context=context
        )
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1])
        host = f"[{self.address}]" if ":" in self.address else self.address
        scheme = "https" if self.certificates else "http"
        self.url = f"{scheme}://{host}:{self.port}"
        self.started = time.time()
        self._loop_task = asyncio.create_task(self._work())
        return self.url

    async def _work(self) -> None:
        """1. run due timers, 2. step the controllers until idle, 3. bookmarks, 4. wait."""
        loop = asyncio.get_running_loop()
        next_bookmark = loop.time() + self.bookmark_seconds
        while not self._stopping:
            try:
                self.clock.run_due()
                for _ in range(100):
                    if self.cluster.step() == 0:
                        break
                if loop.time() >= next_bookmark:
                    self.cluster.store.send_bookmarks()
                    next_bookmark = loop.time() + self.bookmark_seconds
            except Exception:
                _log.exception("the controller loop failed a step")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_TICK_SECONDS):
                    await self._wake.wait()

    async def stop(self) -> None:
        """Graceful shutdown: stop listening, end watches, close the store."""
        if self._loop_task is not None:
            self._stopping = True
            self._wake.set()
            await self._loop_task
            self._loop_task = None
        if self._runner is not None:
            # 1. stop listening, 2. (on_shutdown) close the cluster, which ends every watch
            # stream, 3. wait for the handlers, now all short, and close the connections.
            await self._runner.cleanup()
            self._runner = None
        self._close_cluster()

    def _close_cluster(self) -> None:
        if not self._closed:
            self._closed = True
            self.cluster.close()

    async def _on_shutdown(self, _app: web.Application) -> None:
        self._close_cluster()

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pid": os.getpid(),
            "address": self.address,
            "port": self.port,
            "url": self.url,
            "ca": str(self.certificates.ca_cert) if self.certificates else "",
            "started": self.started,
        }


class ServerThread:
    """A :class:`ServedCluster` on its own event loop in a daemon thread (tests, benchmarks)."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.served: ServedCluster | None = None
        self.url = ""

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on the server's loop and return its result (engine access from tests)."""

        async def run() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result()

    def start(self) -> str:
        self._thread.start()

        async def boot() -> str:
            self.served = ServedCluster(**self._kwargs)
            return await self.served.start()

        self.url = asyncio.run_coroutine_threadsafe(boot(), self._loop).result()
        return self.url

    def stop(self) -> None:
        if self.served is not None:
            asyncio.run_coroutine_threadsafe(self.served.stop(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> ServerThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _write_info(path: Path, info: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(info), encoding="utf-8")
    tmp.replace(path)


async def _serve(args: argparse.Namespace) -> None:
    state_dir = Path(args.state_dir)
    token = ""
    if args.token_file:
        token = Path(args.token_file).read_text(encoding="utf-8").strip()
    served = ServedCluster(
        state_dir=state_dir,
        address=args.address,
        port=args.port,
        token=token,
        name=args.name,
        tls=not args.insecure_http,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    info_file = Path(args.info_file) if args.info_file else state_dir / INFO_FILE
    url = await served.start()
    # What exists now (modules, schemas, the restored state) lives as long as the process:
    # keep it out of the cyclic collector's scans.
    gc.collect()
    gc.freeze()
    _write_info(info_file, served.info())
    _log.info("cluster %s serving on %s", args.name, url)
    try:
        await stop.wait()
    finally:
        _log.info("cluster %s shutting down", args.name)
        with contextlib.suppress(FileNotFoundError):
            info_file.unlink()
        await served.stop()


def _daemonize() -> None:
    """Detach from the starting process and its session (the classic double fork)."""
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)


def main(argv: list[str] | None = None) -> None:
    """``python -m mlkube.server --state-dir DIR [--port N] [--address A] ...``."""
    parser = argparse.ArgumentParser(prog="mlkube-server")
    parser.add_argument("--name", default="local")
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token-file", default="")
    parser.add_argument("--info-file", default="", help="where to write server.json")
    parser.add_argument("--insecure-http", action="store_true", help="serve plain HTTP")
    parser.add_argument("--daemon", action="store_true", help="detach (double fork) first")
    parser.add_argument("--pid-file", default="", help="where to write the server's pid")
    args = parser.parse_args(argv)
    if args.daemon:
        _daemonize()
    if args.pid_file:
        Path(args.pid_file).write_text(str(os.getpid()), encoding="utf-8")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
