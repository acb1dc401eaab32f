"""The in-tree scheduler plugins, one module per plugin, each exporting NAME and one class."""

__all__ = [
    "balancedallocation",
    "defaultbinder",
    "defaultpreemption",
    "imagelocality",
    "interpodaffinity",
    "nodeaffinity",
    "nodename",
    "nodeports",
    "noderesources",
    "nodeunschedulable",
    "podtopologyspread",
    "tainttoleration",
    "volumebinding",
    "volumerestrictions",
]
