"""Shared fixtures: a temporary data directory, the CLI runner, the repository paths, and a few documentation pages
written by the tests in the upstream OpenSeesPyDoc reStructuredText layout (so no test needs a folder beside the
repository; `DOCS_FIXTURE`, the rendered HTML, is used in addition only where it exists)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
DOCS_FIXTURE = REPO.parent / "shared" / "opensees-docs" / "html"  # optional: CI has it, a user's clone does not

def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of the HTML parser on the full rendered docs (`needs_html`) run where those docs exist; elsewhere
    they are deselected, not skipped: nothing the product does depends on them (the .rst and embedded tests run)."""
    if DOCS_FIXTURE.is_dir():
        return
    keep = [i for i in items if i.get_closest_marker("needs_html") is None]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


_SUB = """\
.. |int| replace:: (`int`_)
.. |float| replace:: (`float`_)
.. |str| replace:: (`str`_)
.. |listf| replace:: (`list`_ (`float`_))
.. |listi| replace:: (`list`_ (`int`_))
"""


def _page(title: str, directive: str, summary: str, rows: list[tuple[str, str, str]], extra: str = "") -> str:
    width = 34
    rule = "=" * (width - 2) + "   " + "=" * 60
    table = "\n".join(f"   {('``' + n + '`` |' + t + '|').ljust(width)} {d}" for n, t, d in rows)
    body = f"\n   {rule}\n{table}\n   {rule}\n" if rows else ""
    bar = "=" * (len(title) + 2)
    return (f".. include:: sub.txt\n\n{bar}\n {title}\n{bar}\n\n.. function:: {directive}\n   :noindex:\n\n"
            f"   {summary}\n{body}{textwrap.dedent(extra)}")


RST_PAGES: dict[str, str] = {
    "sub.txt": _SUB,
    "index.rst": ".. toctree::\n   :maxdepth: 1\n\n   src/node\n   src/steel01\n",
    "src/steel01.rst": _page(
        "Steel01", "uniaxialMaterial('Steel01', matTag, Fy, E0, b, a1, a2, a3, a4)",
        "A bilinear steel law with kinematic hardening.",
        [("matTag", "int", "tag of the material"), ("Fy", "float", "yield strength"),
         ("E0", "float", "initial elastic tangent"), ("b", "float", "post-yield to initial tangent ratio"),
         ("a1", "float", "isotropic hardening, compression (optional)"),
         ("a2", "float", "isotropic hardening scale (optional)"),
         ("a3", "float", "isotropic hardening, tension (optional)"),
         ("a4", "float", "isotropic hardening scale (optional)")],
        "\n.. note::\n\n   Zero hardening with no softening suits the BandSPD system.\n"),
    "src/node.rst": _page(
        "node command", "node(nodeTag, *crds, '-ndf', ndf, '-mass', *mass)", "Creates a node.",
        [("nodeTag", "int", "node tag"), ("crds", "listf", "coordinates of the node"),
         ("ndf", "int", "number of DOFs of the node (optional)"), ("mass", "listf", "nodal mass per DOF (optional)")]),
    "src/elasticBeamColumn.rst": _page(
        "Elastic Beam Column Element",
        "element('elasticBeamColumn', eleTag, *eleNodes, Area, E_mod, Iz, transfTag, <'-mass', mass>, <'-cMass'>)",
        "A linear elastic beam-column (2D form).",
        [("eleTag", "int", "element tag"), ("eleNodes", "listi", "the two end nodes"),
         ("Area", "float", "cross-sectional area"), ("E_mod", "float", "Young's modulus"),
         ("Iz", "float", "second moment of area about local z"), ("transfTag", "int", "tag of a geomTransf"),
         ("mass", "float", "mass per unit length (optional, default = 0.0)")]),
    "src/newmark.rst": _page(
        "Newmark Method", "integrator('Newmark', gamma, beta, '-form', form)", "Newmark time stepping.",
        [("gamma", "float", "gamma factor"), ("beta", "float", "beta factor"),
         ("form", "str", "primary variable, 'D' (default), 'V' or 'A' (optional)")]),
    "src/nodeDisp.rst": _page(
        "nodeDisp command", "nodeDisp(nodeTag, dof=-1)", "Returns a node displacement.",
        [("nodeTag", "int", "node tag"), ("dof", "int", "one DOF, 1 through ndf (optional)")],
        "\n   .. code-block:: python\n\n      ops.nodeDisp(1, 1)\n"),
    "src/Bcast.rst": _page(
        "Bcast command", "Bcast(*data)", "Broadcasts data from the first process to the others.",
        [("data", "list", "data to broadcast")]),
    "src/wipe.rst": _page("wipe command", "wipe()", "Removes the model and the analysis.", []),
}


_DEFAULT = [n for n in RST_PAGES if n.startswith("src/") and n != "src/wipe.rst"]


def write_rst_docs(folder: Path, names: list[str] | None = None) -> Path:
    """Write (some of) `RST_PAGES` under `folder`, in the upstream repository's layout; returns `folder`."""
    for name, text in RST_PAGES.items():
        if name in ("sub.txt", "index.rst") or name in (names if names is not None else _DEFAULT):
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def rst_docs(tmp_path: Path) -> Path:
    """A small OpenSeesPyDoc source tree: six command pages, an index page and the substitution file."""
    return write_rst_docs(tmp_path / "OpenSeesPyDoc")


@pytest.fixture
def write_docs():
    """`write_docs(folder, ["src/steel01.rst", ...])`: some of the pages, for tests that count per command."""
    return write_rst_docs


@pytest.fixture(autouse=True)
def _no_user_docs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the user's own docs cache or CIVILINSTRUCT_DOCS: the resolution order starts clean."""
    monkeypatch.setenv("CIVILINSTRUCT_CACHE", str(tmp_path_factory.getbasetemp() / "civilinstruct-cache"))
    monkeypatch.delenv("CIVILINSTRUCT_DOCS", raising=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
