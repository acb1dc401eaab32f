"""The embedded cluster: store, admission, scheduler, controllers and simulated kubelets.

Everything in the engine talks through the store's verbs, exactly as real
controllers talk only through the API server, and takes time from a Clock.
"""

__all__: list[str] = []
