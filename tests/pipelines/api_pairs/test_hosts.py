"""api_pairs.hosts: the host models an analysis option or a query is shown in. Each host, completed with its
target call, is run in the real sandbox in every unit system; numbers read back are checked by hand."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from civilinstruct.pipelines.api_pairs import hosts
from civilinstruct.pipelines.api_pairs.contexts import Context
from civilinstruct.pipelines.api_pairs.scenarios import KN_M, UNITS, Units
from civilinstruct.sandbox import Sandbox


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(timeout=20, memory_mb=512, workers=1, allow_weak_isolation=True) as sandbox:
        yield sandbox


def _program(ctx: Context, target: str) -> str:
    lines = ["import openseespy.opensees as ops"] + [c for c, _ in ctx.setup] + [target] + [c for c, _ in ctx.after]
    return "\n".join(lines) + "\n"


def test_pick_walks_the_options() -> None:
    """Guards the spread: consecutive variants take consecutive options (wrapping), an int and a tuple of that
    length pick alike, the salt moves the start, and no options gives 0 instead of a ZeroDivisionError."""
    first = hosts.pick("system", 0, hosts.SHAPES)
    assert [hosts.pick("system", v, hosts.SHAPES) for v in range(5)] == [(first + v) % 4 for v in range(5)]
    assert hosts.pick("system", 3, 4) == hosts.pick("system", 3, hosts.SHAPES)
    assert {hosts.pick(f"k{i}", 0, 4) for i in range(20)} == {0, 1, 2, 3}  # keys start at different places
    assert any(hosts.pick("system", 0, 97, salt=s) != hosts.pick("system", 0, 97) for s in ("a", "b", "c"))
    assert hosts.pick("x", 5, 0) == 0


def test_shapes_for_matches_the_analysis_kind() -> None:
    """Guards the host choice: a transient target never lands in a static host and vice versa."""
    assert hosts.shapes_for(None, transient=False, explicit=True) == ("cantilever",)
    assert hosts.shapes_for("integrator", transient=True, explicit=False) == ("cantilever", "shake")
    assert hosts.shapes_for("integrator", transient=False, explicit=False) == ("cantilever", "portal")
    assert "pushover" not in hosts.shapes_for("constraints", transient=False, explicit=False)
    assert hosts.shapes_for("system", transient=False, explicit=False) == hosts.SHAPES


@pytest.mark.parametrize("units", UNITS, ids=lambda u: u.length)
@pytest.mark.parametrize("shape", ["portal", "pushover", "shake"])
def test_each_host_runs_with_its_slot_filled(box: Sandbox, shape: str, units: Units) -> None:
    """Guards every host in every unit system: with the `system` slot left to the target and filled, the program
    runs to the end in OpenSees and prints what its read-back promises."""
    ctx = Context(variant=0)
    hosts.place(ctx, units, shape, False, skip="system")
    assert not any(code.startswith("ops.system(") for code, _ in ctx.setup)
    result = box.run(_program(ctx, "ops.system('BandGeneral')"))
    assert result.status == "ok", (result.exception_message, result.stderr[-400:])
    expected = {"portal": "sway:", "pushover": "last point of the pushover curve:", "shake": "peak drift:"}[shape]
    assert expected in result.stdout


def test_portal_base_shear_equals_the_wind_load(box: Sandbox) -> None:
    """Guards the portal's equilibrium read-back (variant 1): the two base reactions carry the wind load, a tenth
    of the 50 kN reference load: 5 kN."""
    ctx = Context(variant=1)
    hosts.place(ctx, KN_M, "portal", False, skip="system")
    result = box.run(_program(ctx, "ops.system('BandGeneral')"))
    assert result.status == "ok", result.stderr[-400:]
    shear, wind = map(float, re.search(r"base shear: (\S+) wind: (\S+)", result.stdout).groups())  # type: ignore[union-attr]
    assert wind == 5.0
    assert shear == pytest.approx(5.0, rel=1e-6)


@pytest.mark.parametrize("family, target", [
    ("node", "ops.node(2, 0.0, 3.6)"),
    ("fixX", "ops.fixX(0.0, 1, 1, 1)"),
    ("fixY", "ops.fixY(0.0, 1, 1, 1)"),
    ("fixZ", "ops.fixZ(0.0, 1, 1, 1, 1, 1, 1)"),
])
def test_node_family_hosts_run(box: Sandbox, family: str, target: str) -> None:
    """Guards the node-family hosts: once the target holds the member, a load at its free end deflects it
    (a non-zero displacement is printed)."""
    ctx = Context()
    hosts.node_family(ctx, KN_M, family)
    result = box.run(_program(ctx, target))
    assert result.status == "ok", (result.exception_message, result.stderr[-400:])
    disp = float(re.search(r"free-end displacement: (\S+)", result.stdout).group(1))  # type: ignore[union-attr]
    assert disp != 0.0


def test_mass_host_period_by_hand(box: Sandbox) -> None:
    """Guards the mass host: a 3.6 m cantilever, E I = 3e7 * 2.1e-3 = 63000 kN m2, k = 3 E I / h^3 = 4050.9 kN/m,
    40 t at the top: T = 2 pi sqrt(40 / 4050.9) = 0.6244 s (a small rotary inertia on top lengthens it a little)."""
    ctx = Context()
    hosts.node_family(ctx, KN_M, "mass")
    result = box.run(_program(ctx, "ops.mass(2, 40.0, 40.0, 1.0)"))
    assert result.status == "ok", result.stderr[-400:]
    period = float(re.search(r"period: (\S+) s", result.stdout).group(1))  # type: ignore[union-attr]
    assert period == pytest.approx(0.6244, rel=0.01)
