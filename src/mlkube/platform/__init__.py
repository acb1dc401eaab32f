"""ML intent to built-in objects: a functional core of renderers and one imperative shell."""

__all__: list[str] = []
