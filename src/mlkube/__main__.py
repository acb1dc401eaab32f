"""``python -m mlkube``: the same entry point as the ``mlkube`` console script."""

from mlkube.cli.main import main

if __name__ == "__main__":
    main()
