"""``mlkube use [CONTEXT] [--team T]``: the default target of every command, like
``kubectl config use-context`` but stored in mlkube's own ``$MLKUBE_HOME/config.yaml`` (the
user's kubeconfig is never edited). ``mlkube use local`` goes back to the embedded cluster;
``mlkube use`` alone shows the current default.
"""

from __future__ import annotations

import click

from mlkube.cli.session import emit, user_errors

__all__ = ["use"]


@click.command("use")
@click.argument("context", required=False)
@click.option("--kubeconfig", type=click.Path(dir_okay=False), help="The kubeconfig of CONTEXT.")
@click.option("-n", "--team", help="Also make this the default team.")
@click.option("--no-team", is_flag=True, help="Forget the default team.")
@click.option("-o", "--output", type=click.Choice(["text", "yaml", "json"]), default="text")
def use(
    context: str | None, kubeconfig: str | None, team: str | None, no_team: bool, output: str
) -> None:
    """Switch the default cluster (a kubeconfig context, or local) and team; show it."""
    from mlkube.sdk import target as targets

    with user_errors():
        if context is None and team is None and not no_team:
            current = targets.resolve()
        else:
            current = targets.use(context, kubeconfig=kubeconfig, team=team, clear_team=no_team)
    data = {
        "context": current.context,
        "kubeconfig": str(current.kubeconfig) if current.kubeconfig else None,
        "embedded": current.is_local,
        "team": current.team,
    }

    if output != "text":
        emit(data, output, lambda _: None)
        return
    where = (
        f"the embedded cluster {current.embedded_name} (context {current.context} of "
        f"{current.kubeconfig})"
        if current.is_local
        else f"context {current.context} of {current.kubeconfig or 'the default kubeconfig'}"
    )
    team_text = f", team {current.team}" if current.team else ", no default team"
    click.echo(f"default target: {where}{team_text}")
