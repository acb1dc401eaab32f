"""The ``mlkube`` command line: commands, renderers and the lazy command registry."""

__all__: list[str] = []
