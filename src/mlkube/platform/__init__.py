"""ML intent to built-in objects: a functional core of renderers and one imperative shell.

The package exports only the spec (light to import, so that ``mlkube.platform.lint`` and the
workloads pay nothing for the shell); the rest lives in modules named for what they do:
``validate.validate(spec)`` lists problems, ``render.render(spec)`` gives the built-in objects,
``plan.Plan`` and ``apply.apply(spec, target)`` make a cluster match (any
``target.ClusterAPI``), ``profiles.resolve`` gives workloads their placement, and
``show.status(target)`` reads the live platform back.
"""

from mlkube.platform.problems import Problem, SpecError
from mlkube.platform.spec import Platform, load_file, loads

__all__ = ["Platform", "Problem", "SpecError", "load_file", "loads"]
