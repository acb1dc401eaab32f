"""What every workload command shares: the target flags, the banner, output, user errors.

``--kubeconfig``, ``--context`` and ``-n/--team`` select the cluster and team as
:func:`mlkube.sdk.target.resolve` does (the default: the embedded ``local`` cluster, started on
demand with one line saying so). :class:`Session` opens the SDK client once and prints the
banner (``cluster: mlkube-local (embedded) · team vision``) to stderr once. A mistake a user
can make (a spec problem, no cluster, a refused write, a failed wait) is one message on
stderr and exit code 1 (2 for a timeout), never a traceback. Tests inject a ready client as
``obj={"client": ...}`` and a console as ``obj={"console": ...}``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from mlkube.sdk.client import Client
    from mlkube.sdk.target import Target

__all__ = [
    "OUTPUT",
    "Session",
    "console",
    "emit",
    "fail",
    "session",
    "target_options",
    "user_errors",
]

#: ``-o``: a table (the default) or the data as YAML or JSON.
OUTPUT = click.Choice(["table", "yaml", "json"])


def console() -> Console:
    """``obj["console"]`` when given (tests), else a console on stdout."""
    injected = (click.get_current_context().obj or {}).get("console")
    if injected is not None:
        return injected  # type: ignore[no-any-return]
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one message each and an exit code."""
    from mlkube.client import ApiError, ConnectionFailed
    from mlkube.platform.problems import SpecError
    from mlkube.sdk.errors import MlkubeError

    try:
        yield
    except SpecError as err:
        for p in err.problems:
            click.echo(f"error: {p}", err=True)
        sys.exit(1)
    except MlkubeError as err:
        fail(str(err), err.exit_code)
    except ApiError as err:
        fail(err.message or f"the server answered {err.code}")
    except ConnectionFailed as err:
        fail(str(err))


def emit(data: Any, output: str, table: Callable[[Console], None]) -> None:
    """``-o json|yaml`` prints ``data``; the default prints the table."""
    if output == "json":
        click.echo(json.dumps(data, indent=2))
    elif output == "yaml":
        import yaml

        click.echo(yaml.safe_dump(data, sort_keys=False), nl=False)
    else:
        table(console())


def target_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--kubeconfig``, ``--context``, ``-n/--team`` (kubectl's selection)."""
    f = click.option("-n", "--team", help="The team (its namespace, quota and datasets).")(f)
    f = click.option("--context", help="The kubeconfig context (default: mlkube use's).")(f)
    return click.option(
        "--kubeconfig",
        type=click.Path(dir_okay=False),
        help="The kubeconfig file (default: the embedded local cluster's).",
    )(f)


class Session:
    """One command's target: resolved from the flags, connected once, announced once."""

    def __init__(self, kubeconfig: str | None, context: str | None, team: str | None) -> None:
        from mlkube.sdk.target import resolve

        self.target: Target = resolve(kubeconfig, context, team)
        self._client: Client | None = (click.get_current_context().obj or {}).get("client")
        self._announced = False
        if self._client is not None and team:
            self._client.target = self._client.target.with_team(team)

    def announce(self, line: str) -> None:
        if not self._announced:
            click.echo(line, err=True)
            self._announced = True

    def client(self, *, start: bool = True) -> Client:
        """The SDK client (the embedded cluster started on demand), announced on stderr."""
        if self._client is None:
            from mlkube.sdk.client import Client
            from mlkube.sdk.target import open_client

            def started(line: str) -> None:
                click.echo(line, err=True)

            kube = open_client(self.target, start=start, on_start=started)
            self._client = Client(kube, self.target)
            click.get_current_context().call_on_close(self._client.close)
        self.announce(self._client.banner())
        return self._client

    def offline_client(self) -> Client | None:
        """A client when the cluster can be reached without starting anything, else None
        (``-o yaml``: manifests need no cluster, only the platform stored on one)."""
        from mlkube.sdk.errors import TargetError

        try:
            return self.client(start=False)
        except TargetError as err:
            self.announce(f"cluster: none ({err}); rendering without a platform (no placement)")
            return None


def session(kubeconfig: str | None, context: str | None, team: str | None) -> Session:
    return Session(kubeconfig, context, team)
