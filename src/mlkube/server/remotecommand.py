"""``pods/exec`` over WebSocket: the RemoteCommand protocols ``v5.channel.k8s.io`` and
``v4.channel.k8s.io``, as kubectl v1.30+ speaks them first.

The request checks follow ``pkg/registry/core/pod/strategy.go`` (``streamLocation``: the
container named or the only one, the pod bound to a node); the stream follows
``apimachinery/pkg/util/httpstream/wsstream`` and client-go's ``tools/remotecommand``: every
binary message is one byte of channel (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize)
then data; in v5, ``255`` followed by a channel closes that channel (the client's end of
stdin). The command's end is a ``metav1.Status`` on the error channel, then a normal close:
``Success``, or ``NonZeroExitCode`` with the code as the ``ExitCode`` cause (kubectl exits
with it). Status frames are Go's ``json.Marshal`` output (``<``, ``>`` and ``&`` escaped),
and the session opens with an empty message on the lowest writable channel, as
kube-apiserver's stream translator (``apiserver/pkg/util/proxy/websocket.go``) sends them.
A process-runtime container runs the command as a local process in the pod's working
directory with the container's resolved environment (on a pseudo-terminal when ``tty`` is
asked for, its window sized by the resize channel). A simulated container has no kubelet
to reach, so it answers as kube-apiserver answers for a KWOK node: an ``InternalError``
whose message is the failed dial of the node's kubelet (:mod:`mlkube.server.kubeletconn`).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import pty
import struct
import termios
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from aiohttp import WSMsgType, web

from mlkube.api.registry import lookup
from mlkube.engine.apiserver import APIServer
from mlkube.engine.errors import BadRequest, InternalError, NotFound
from mlkube.server.kubeletconn import connection_info, dial_error, stream_location

__all__ = ["PROTOCOLS", "ExecContext", "exec_status", "serve_exec"]

#: The subprotocols served, most preferred first.
PROTOCOLS: Final = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
_CLOSE: Final = 255  # v5: close the channel in the next byte
#: What ``json.Marshal`` escapes that Python's encoder leaves as it is.
_GO_ESCAPES: Final = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_UPGRADE_REQUIRED: Final = "Upgrade request required"
_CHUNK: Final = 32 * 1024

#: ``(namespace, pod, container) -> (working directory, environment)`` of a container the
#: local process runtime runs, or None.
ExecContext = Callable[[str, str, str], tuple[Path, Mapping[str, str]] | None]


def exec_status(code: int | None, command: Sequence[str]) -> dict[str, Any]:
    """The Status the kubelet writes when the command ends (``cri-streaming`` exec.go)."""
    if code == 0:
        return {"metadata": {}, "status": "Success"}
    text = f"error executing command [{' '.join(command)}], exit code {code}"
    return {
        "metadata": {},
        "status": "Failure",
        "message": f"command terminated with non-zero exit code: {text}",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
    }


def _container(pod: Mapping[str, Any], name: str, wanted: str) -> str:
    """``validateContainer``: the container named, or the pod's only one."""
    spec = pod.get("spec") or {}
    every = [
        str(c.get("name", ""))
        for key in ("initContainers", "containers", "ephemeralContainers")
        for c in spec.get(key) or []
    ]
    if not wanted:
        containers = spec.get("containers") or []
        if len(containers) == 1:
            return str(containers[0].get("name", ""))
        if not containers:
            raise BadRequest(f"a container name must be specified for pod {name}")
        raise BadRequest(
            f"a container name must be specified for pod {name}, choose one of: [{' '.join(every)}]"
        )
    if wanted not in every:
        raise BadRequest(f"container {wanted} is not valid for pod {name}")
    return wanted


def _flag(query: Mapping[str, str], name: str) -> bool:
    return query.get(name, "").lower() in ("1", "true")


def _kubelet_params(query: Any) -> list[tuple[str, str]]:
    """``streamParams``: the kubelet's query for the exec options."""
    params: list[tuple[str, str]] = [("command", c) for c in query.getall("command", [])]
    for key, flag in (("error", "stderr"), ("input", "stdin"), ("output", "stdout")):
        if _flag(query, flag):
            params.append((key, "1"))
    if _flag(query, "tty"):
        params.append(("tty", "1"))
    return params


def _status_frame(status: Mapping[str, Any]) -> bytes:
    """The error channel's message: the Status as ``json.Marshal`` writes it."""
    text = json.dumps(status, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in _GO_ESCAPES.items():
        text = text.replace(char, escaped)
    return bytes([ERROR]) + text.encode()


def _first_channel(query: Mapping[str, str]) -> int:
    """The lowest writable channel, which the session's empty opening message goes to."""
    if _flag(query, "stdout"):
        return STDOUT
    return STDERR if _flag(query, "stderr") else ERROR


async def serve_exec(
    request: web.Request,
    api: APIServer,
    namespace: str,
    name: str,
    context: ExecContext | None,
) -> web.StreamResponse:
    """``GET|POST pods/<name>/exec``: check, upgrade, run, report."""
    # 1. the pod, its container, its node (refusals come before the upgrade)
    pods = lookup("pods")
    pod = api.get(pods, namespace, name)
    query = request.query
    container = _container(pod, name, query.get("container", ""))
    node_name = (pod.get("spec") or {}).get("nodeName")
    if not node_name:
        raise BadRequest(f"pod {name} does not have a host assigned")
    node: dict[str, Any] | None
    try:
        node = api.get(lookup("nodes"), None, node_name)
    except NotFound:
        node = None
    host, port = connection_info(node, node_name)
    command = list(query.getall("command", []))
    ws = web.WebSocketResponse(protocols=PROTOCOLS, autoping=True, max_msg_size=0)
    if not ws.can_prepare(request).ok:
        raise BadRequest(_UPGRADE_REQUIRED)
    # 2. the upgrade, announced by an empty message
    await ws.prepare(request)
    await ws.send_bytes(bytes([_first_channel(query)]))
    v5 = ws.ws_protocol == PROTOCOLS[0]
    where = context(namespace, name, container) if context is not None else None
    try:
        if where is None:
            # no kubelet behind a simulated node: the dial fails (a name is looked up)
            url = stream_location(
                host, port, "exec", namespace, name, container, _kubelet_params(query)
            )
            dial = await asyncio.to_thread(dial_error, host, port)
            err = InternalError(f'error sending request: Post "{url}": {dial}')
            status = {k: v for k, v in err.to_status().items() if k not in ("kind", "apiVersion")}
        else:
            # 3. the command, its streams, its end
            status = await _run(ws, command, where, query, v5)
        await ws.send_bytes(_status_frame(status))
    finally:
        await ws.close()
    return ws


async def _run(
    ws: web.WebSocketResponse,
    command: list[str],
    where: tuple[Path, Mapping[str, str]],
    query: Mapping[str, str],
    v5: bool,
) -> dict[str, Any]:
    """Run the command and carry its streams; its Status once it has ended."""
    tty = _flag(query, "tty")
    try:
        io = await (_Terminal.start if tty else _Pipes.start)(command, where, _flag(query, "stdin"))
    except OSError as err:
        # what runc says of a command it cannot start, with a shell's exit code
        why = "executable file not found in $PATH" if isinstance(err, FileNotFoundError) else err
        message = f'exec: "{command[0] if command else ""}": {why}\n'
        await ws.send_bytes(bytes([STDOUT if tty else STDERR]) + message.encode())
        return exec_status(127 if isinstance(err, FileNotFoundError) else 126, command)

    async def pump(stream: asyncio.StreamReader | None, channel: int) -> None:
        if stream is None:
            return
        with contextlib.suppress(OSError):  # a terminal whose last writer is gone: EIO
            while chunk := await stream.read(_CHUNK):
                await ws.send_bytes(bytes([channel]) + chunk)

    async def feed() -> None:
        async for msg in ws:
            if msg.type != WSMsgType.BINARY or not msg.data:
                if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.ERROR):
                    break
                continue
            channel, data = msg.data[0], msg.data[1:]
            if channel == STDIN and data:
                await io.write(data)
            elif channel == RESIZE:
                io.resize(data)
            elif v5 and channel == _CLOSE and data[:1] == bytes([STDIN]):
                io.close_stdin()
        io.kill()  # the client went away: so does the command

    reader = asyncio.ensure_future(feed())
    try:
        await asyncio.gather(pump(io.stdout, STDOUT), pump(io.stderr, STDERR))
        code = await io.proc.wait()
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        io.close()
    return exec_status(128 - code if code < 0 else code, command)


class _Pipes:
    """The command's streams as pipes (no ``tty``)."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    @classmethod
    async def start(
        cls, command: list[str], where: tuple[Path, Mapping[str, str]], stdin: bool
    ) -> _Pipes:
        cwd, env = where
        proc = await asyncio.create_subprocess_exec(
            *command,
            cwd=cwd,
            env=dict(env),
            stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        return cls(proc)

    async def write(self, data: bytes) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.write(data)
            with contextlib.suppress(ConnectionError):
                await self.proc.stdin.drain()

    def resize(self, data: bytes) -> None:
        """A pipe has no size."""

    def close_stdin(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()

    def kill(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()

    def close(self) -> None:
        """Pipes close with the process."""


class _Terminal(_Pipes):
    """The command on a pseudo-terminal (``tty``): one output stream, stderr merged as a
    terminal merges it; stdin's end is the terminal's end-of-file character; resize
    messages (``{"Width": w, "Height": h}``) set the window size."""

    def __init__(
        self,
        proc: asyncio.subprocess.Process,
        master: int,
        stdout: asyncio.StreamReader,
        transport: asyncio.BaseTransport,
    ) -> None:
        super().__init__(proc)
        self.master = master
        self.stdout = stdout
        self.stderr = None
        self._transport = transport

    @classmethod
    async def start(
        cls, command: list[str], where: tuple[Path, Mapping[str, str]], stdin: bool
    ) -> _Terminal:
        cwd, env = where
        master, slave = pty.openpty()
        try:
            proc = await asyncio.create_subprocess_exec(
                *command,
                cwd=cwd,
                env={**env, "TERM": env.get("TERM", "xterm")},
                stdin=slave if stdin else asyncio.subprocess.DEVNULL,
                stdout=slave,
                stderr=slave,
                start_new_session=True,
            )
        except OSError:
            os.close(master)
            raise
        finally:
            os.close(slave)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(os.dup(master), "rb", 0)
        )
        return cls(proc, master, reader, transport)

    async def write(self, data: bytes) -> None:
        with contextlib.suppress(OSError):
            os.write(self.master, data)

    def resize(self, data: bytes) -> None:
        try:
            size = json.loads(data)
            packed = struct.pack("HHHH", int(size["Height"]), int(size["Width"]), 0, 0)
            fcntl.ioctl(self.master, termios.TIOCSWINSZ, packed)
        except (ValueError, KeyError, TypeError, OSError):
            return  # a malformed resize changes nothing, as the kubelet ignores it

    def close_stdin(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self.master, b"\x04")

    def close(self) -> None:
        self._transport.close()
        with contextlib.suppress(OSError):
            os.close(self.master)
