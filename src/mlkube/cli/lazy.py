"""A click group whose subcommands are imported only when they run.

``mlkube --help`` must stay fast and must not import the engine, the server or
lightkube, so the group knows each command by name, import path and one line
of help, and imports the module only when that command is invoked (or its own
``--help`` is asked for).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import click

__all__ = ["LazyCommand", "LazyGroup"]


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """A subcommand known by where it lives, not by its object."""

    import_path: str  # "package.module:attribute"
    short_help: str


class LazyGroup(click.Group):
    """A ``click.Group`` that resolves :class:`LazyCommand` entries on demand."""

    def __init__(self, *args: object, lazy: dict[str, LazyCommand] | None = None, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._lazy: dict[str, LazyCommand] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy:
            return self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands from their registered help, without importing them."""
        rows: list[tuple[str, str]] = []
        for name in self.list_commands(ctx):
            if name in self._lazy:
                rows.append((name, self._lazy[name].short_help))
                continue
            cmd = super().get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def _load(self, name: str) -> click.Command:
        entry = self._lazy[name]
        module_name, _, attr = entry.import_path.partition(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry.import_path} is not a click command")
        return command
