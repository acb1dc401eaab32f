"""Which cluster and team a command talks to: kubectl's selection, with a local default.

Like kubectl, an explicit ``--kubeconfig``/``--context`` picks a context of a kubeconfig
(``$KUBECONFIG`` or ``~/.kube/config`` when no file is given). Without them the target is
the default stored by ``mlkube use`` in ``$MLKUBE_HOME/config.yaml``, and without that the
embedded ``local`` cluster (context ``mlkube-local`` of ``$MLKUBE_HOME/kubeconfig``), which
:func:`open_client` starts on demand (:mod:`mlkube.sdk.local`). The team (``-n/--team``)
comes from the flag, else from the stored default. :meth:`Target.banner` is the one line
every command prints to stderr so nobody wonders which cluster they just wrote to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

from mlkube.sdk import local
from mlkube.sdk.errors import TargetError

if TYPE_CHECKING:
    from mlkube.client import KubeClient

__all__ = [
    "CONFIG_FILE",
    "LOCAL",
    "Target",
    "config_path",
    "load_config",
    "open_client",
    "resolve",
    "save_config",
    "use",
]

#: ``mlkube use local`` and the default: the embedded cluster mlkube runs itself.
LOCAL: Final = local.DEFAULT_NAME
CONFIG_FILE: Final = "config.yaml"
_LOCAL_ALIASES: Final = frozenset({LOCAL, local.context_name(LOCAL)})


def config_path() -> Path:
    """``$MLKUBE_HOME/config.yaml``: the default target (``context``, ``kubeconfig``, ``team``)."""
    return local.mlkube_home() / CONFIG_FILE


def load_config() -> dict[str, str]:
    """The stored defaults; an absent or unreadable file is no defaults."""
    import yaml

    try:
        loaded = yaml.safe_load(config_path().read_text(encoding="utf-8"))
    except (FileNotFoundError, yaml.YAMLError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {str(k): str(v) for k, v in loaded.items() if v is not None}


def save_config(config: dict[str, str]) -> None:
    import yaml

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dict(sorted(config.items()))), encoding="utf-8")


@dataclass(frozen=True)
class Target:
    """A cluster (a kubeconfig context, or the embedded cluster ``local``) and a team."""

    #: The kubeconfig context; None: the kubeconfig's current context.
    context: str | None = None
    #: The kubeconfig file; None: ``$KUBECONFIG`` or ``~/.kube/config`` (kubectl's default).
    kubeconfig: Path | None = None
    #: The name of the embedded cluster mlkube runs (``local``) when the target is it.
    embedded_name: str | None = None
    team: str | None = None

    @classmethod
    def local(cls, team: str | None = None, name: str = LOCAL) -> Target:
        return cls(local.context_name(name), local.kubeconfig_path(), name, team)

    @property
    def is_local(self) -> bool:
        return self.embedded_name is not None

    def with_team(self, team: str | None) -> Target:
        return replace(self, team=team)

    def banner(self, *, context: str | None = None, server: str | None = None) -> str:
        """``cluster: mlkube-local (embedded) · team vision``."""
        name = context or self.context or "(current context)"
        where = "embedded" if self.is_local else (server or str(self.kubeconfig or "kubeconfig"))
        who = f"team {self.team}" if self.team else "no team"
        return f"cluster: {name} ({where}) · {who}"


def resolve(
    kubeconfig: str | Path | None = None,
    context: str | None = None,
    team: str | None = None,
) -> Target:
    """The target of a command: explicit flags, else ``mlkube use``'s default, else ``local``.

    ``--context local`` (or ``mlkube-local``) without ``--kubeconfig`` is the embedded cluster.
    """
    stored = load_config()
    team = team or stored.get("team") or None
    if kubeconfig is None and context in _LOCAL_ALIASES:
        return Target.local(team)
    if kubeconfig is not None or context is not None:
        return Target(context, Path(kubeconfig) if kubeconfig is not None else None, None, team)
    stored_context = stored.get("context")
    if not stored_context or stored_context in _LOCAL_ALIASES:
        return Target.local(team)
    stored_file = stored.get("kubeconfig")
    return Target(stored_context, Path(stored_file) if stored_file else None, None, team)


def use(
    context: str | None,
    *,
    kubeconfig: str | Path | None = None,
    team: str | None = None,
    clear_team: bool = False,
) -> Target:
    """Store the default target (``mlkube use CONTEXT``); ``local`` is the embedded cluster.

    A context that the kubeconfig does not have is a :class:`TargetError` naming the file.
    With ``context`` None only the team changes.
    """
    config = load_config()
    if context is not None:
        if kubeconfig is None and context in _LOCAL_ALIASES:
            config["context"] = LOCAL
            config.pop("kubeconfig", None)
        else:
            _check_context(kubeconfig, context)
            config["context"] = context
            if kubeconfig is not None:
                config["kubeconfig"] = str(Path(kubeconfig).resolve())
            else:
                config.pop("kubeconfig", None)
    if team is not None:
        config["team"] = team
    elif clear_team:
        config.pop("team", None)
    save_config(config)
    return resolve()


def _kubeconfig_client(kubeconfig: str | Path | None, context: str | None) -> KubeClient:
    from mlkube.client import ConnectionFailed, KubeClient

    where = str(kubeconfig) if kubeconfig is not None else "the kubeconfig ($KUBECONFIG)"
    try:
        return KubeClient.from_kubeconfig(kubeconfig, context=context)
    except ConnectionFailed as err:
        raise TargetError(f"--context: {err} ({where})") from err
    except Exception as err:  # lightkube's ConfigError: a missing file, context or user
        if context is not None and "not found" in str(err) and "ontext" in str(err):
            raise TargetError(f"--context: no context {context!r} in {where}") from err
        raise TargetError(f"--kubeconfig: cannot use {where}: {err}") from err


def _check_context(kubeconfig: str | Path | None, context: str) -> None:
    _kubeconfig_client(kubeconfig, context).close()


def open_client(
    target: Target,
    *,
    start: bool = True,
    on_start: Callable[[str], None] | None = None,
) -> KubeClient:
    """A client of the target; the embedded cluster is started first when it is not running
    (``on_start`` gets the one line saying so), unless ``start`` is False (then a
    :class:`TargetError`). The cluster is asked its ``/version`` once, so an unreachable
    cluster is one clear error here rather than later."""
    from mlkube.client import ApiError, ConnectionFailed

    if target.embedded_name is not None:
        cdir = local.ClusterDir.of(target.embedded_name)
        if local.ready(cdir) is None:
            if not start:
                raise TargetError(
                    f"the embedded cluster {target.embedded_name} is not running "
                    f"(mlkube cluster up starts it)"
                )
            if on_start is not None:
                on_start(
                    f"starting the embedded cluster {target.embedded_name} "
                    f"(mlkube cluster down stops it)"
                )
            try:
                local.up(target.embedded_name)
            except local.LocalClusterError as err:
                raise TargetError(str(err)) from err
    client = _kubeconfig_client(target.kubeconfig, target.context)
    try:
        client.version()
    except (ConnectionFailed, ApiError) as err:
        client.close()
        message = err.message if isinstance(err, ApiError) else str(err)
        raise TargetError(f"cluster {client.context} is unreachable: {message}") from err
    return client
