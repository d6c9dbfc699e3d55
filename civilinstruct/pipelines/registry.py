"""The registry of parts: each part's `PartDef` (name, version, depends_on, steps), found from the part names in
`civilinstruct.parts`; the only place that turns a part's name into its pipeline.

Each part is a folder whose `pipeline` module defines `PART_DEF` and `build(store, options) -> BuildReport`.
"""

from __future__ import annotations

import importlib

from civilinstruct.errors import CivilError
from civilinstruct.parts import PARTS
from civilinstruct.pipelines.executor import PartDef

NAMES: tuple[str, ...] = PARTS
# Where each part's pipeline lives (tests put small parts of their own in its place).
MODULES: dict[str, str] = {name: f"civilinstruct.pipelines.{name}.pipeline" for name in NAMES}


def get(name: str) -> PartDef:
    """The part called `name`, or one line naming the known parts. A part that fails to import is a bug: it raises."""
    if name not in NAMES:
        raise CivilError(f"unknown part {name!r} (expected one of: {', '.join(NAMES)})")
    part: PartDef = importlib.import_module(MODULES[name]).PART_DEF
    return part


def ordered(names: list[str] | tuple[str, ...]) -> list[str]:
    """`names` in dependency order (a part after the parts it depends on), otherwise in the order given."""
    wanted = list(dict.fromkeys(names))
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise CivilError(f"parts depend on each other in a cycle through {name!r}")
        visiting.add(name)
        for dep in get(name).depends_on:
            if dep in wanted:
                visit(dep)
        visiting.discard(name)
        done.append(name)

    for name in wanted:
        visit(name)
    return done
