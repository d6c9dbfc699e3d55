"""The package's layers, enforced: no module imports from a layer above its own.

Every import counts, the lazy ones inside functions and under TYPE_CHECKING included (a lazy import hides a cycle; it
does not remove it), and so does a string that names a module of ours ("civilinstruct.x.y" or "civilinstruct.x:f"),
because `importlib.import_module` turns it into one. Layers, lowest first (the folders are the stages):

    errors, parts, limits < health, progress, signals, physics, store < spec < design
    < codegen, opensees_docs, llm < sandbox < scoring (and the `reward` alias) < pipelines < bench
    < release < train, server < cli

Within a layer a module may import its own layer-mates, except where the layer is a row of independent peers
(`PEERS`): there each peer stands alone. What does not hold yet is listed in `ALLOWED`, one entry per import with the
reason; an entry that no longer occurs fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "civilinstruct"

LAYERS: list[set[str]] = [
    {"", "errors", "parts", "limits"},  # "": the package root (__version__); parts and limits: facts, no imports
    {"health", "progress", "signals", "physics", "store"},
    {"spec"},
    {"design"},
    {"codegen", "opensees_docs", "llm"},
    {"sandbox"},
    {"scoring", "reward"},  # reward: the public alias of scoring.reward for training configs
    {"pipelines"},
    {"bench"},
    {"release"},
    {"train", "server"},
    {"cli", "__main__"},  # __main__: `python -m civilinstruct`, the command line
]
# Layers whose members must not import one another (only lower layers).
PEERS: list[set[str]] = [{"health", "progress", "signals", "physics", "store"}, {"codegen", "opensees_docs", "llm"},
                         {"train", "server"}]

# (importing module, imported module): what does not hold yet, with the reason. The list only shrinks.
ALLOWED: dict[tuple[str, str], str] = {
}

_MODULE_STRING = re.compile(r"civilinstruct(\.[A-Za-z_]\w*)+(:[A-Za-z_]\w*)?")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or path.is_dir()


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module of ours that `source` (the text of `module`) imports, at any depth, or names as a string."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "civilinstruct":  # `from civilinstruct import codegen` imports civilinstruct.codegen
                found.update(f"civilinstruct.{a.name}" if (PACKAGE / a.name).exists()
                             or (PACKAGE / f"{a.name}.py").exists() else target for a in node.names)
            else:
                found.add(target)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _MODULE_STRING.fullmatch(node.value):
            name = node.value.partition(":")[0]
            if _is_module(name):  # not a key that merely looks like one ("civilinstruct.body" in an ASGI scope)
                found.add(name)
    return {name for name in found if name == "civilinstruct" or name.startswith("civilinstruct.")}


def top(module: str) -> str:
    """The layer key of a module: its first name under the package ("" for the package root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def rank(module: str) -> int:
    key = top(module)
    for index, layer in enumerate(LAYERS):
        if key in layer:
            return index
    raise AssertionError(f"{module}: top-level name {key!r} is in no layer; add it to LAYERS in {__file__}")


def upward(importer: str, imported: str) -> bool:
    """Does this import point up (or across independent peers)?"""
    if top(importer) == top(imported):
        return False
    if rank(imported) > rank(importer):
        return True
    return rank(imported) == rank(importer) and any(top(importer) in p for p in PEERS)


def package_imports() -> dict[tuple[str, str], Path]:
    edges = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        for imported in imports_of(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"):
            edges[(module, imported)] = path
    return edges


def test_every_top_level_name_has_a_layer() -> None:
    names = {p.stem for p in PACKAGE.glob("*.py")} | {p.name for p in PACKAGE.iterdir()
                                                      if p.is_dir() and any(p.glob("*.py"))}
    names.discard("__init__")
    placed = set().union(*LAYERS)
    assert names - placed == set(), "place each new top-level module or package in LAYERS"
    assert {n for n in placed - names if n} == set(), "LAYERS names a module that no longer exists"


def test_no_import_points_up() -> None:
    edges = package_imports()
    bad = sorted(f"{a} -> {b}  ({path.relative_to(PACKAGE.parent)})" for (a, b), path in edges.items()
                 if upward(a, b) and (a, b) not in ALLOWED)
    assert not bad, "imports from a higher layer (or across peers):\n" + "\n".join(bad)


def test_allowed_exceptions_still_exist_and_still_point_up() -> None:
    edges = package_imports()
    stale = [pair for pair in ALLOWED if pair not in edges or not upward(*pair)]
    assert not stale, f"remove these from ALLOWED, they no longer occur: {stale}"


@pytest.mark.parametrize(("module", "source", "upward_to"), [
    ("civilinstruct.store.shards", "import civilinstruct.pipelines.base\n", "civilinstruct.pipelines.base"),
    ("civilinstruct.physics.period", "def f():\n    from civilinstruct.sandbox import Sandbox\n",
     "civilinstruct.sandbox"),
    ("civilinstruct.sandbox.pool", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                   "    from ..bench.cases import Case\n", "civilinstruct.bench.cases"),
    ("civilinstruct.spec.model", "import importlib\nM = importlib.import_module('civilinstruct.codegen.render')\n",
     "civilinstruct.codegen.render"),
    ("civilinstruct.pipelines.base", "from civilinstruct import release\n", "civilinstruct.release"),
    ("civilinstruct.codegen.answer", "H = 'civilinstruct.llm.offline:OfflineBackend'\n", "civilinstruct.llm.offline"),
])
def test_the_checker_sees_each_kind_of_import(module: str, source: str, upward_to: str) -> None:
    """An upward import added in any of these forms would fail `test_no_import_points_up`."""
    assert upward_to in imports_of(source, module)
    assert upward(module, upward_to)


def test_downward_and_same_layer_imports_pass() -> None:
    assert not upward("civilinstruct.cli.app", "civilinstruct.store")
    assert not upward("civilinstruct.pipelines.api_pairs.coverage", "civilinstruct.pipelines.api_pairs.pipeline")  # one layer
    assert not upward("civilinstruct.spec.model", "civilinstruct.spec.instructions")
    assert not upward("civilinstruct.sandbox.pool", "civilinstruct")  # the package root's __version__
