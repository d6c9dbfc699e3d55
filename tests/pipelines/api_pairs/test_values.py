"""Argument values (`api_pairs.values`): engineering magnitudes per unit system, pulled into physical ranges."""

from __future__ import annotations

import random

import pytest

from civilinstruct.opensees_docs.model import ArgDoc
from civilinstruct.pipelines.api_pairs.scenarios import KIP_IN, KN_M, N_MM
from civilinstruct.pipelines.api_pairs.values import describe, fit, number_for, unit_label


@pytest.mark.parametrize("units", [KN_M, N_MM, KIP_IN])
def test_a_yield_strength_is_near_the_units_typical_steel(units) -> None:
    value = number_for("Fy", ArgDoc(name="Fy", type="float", description="yield strength"), units, random.Random(1))
    assert 0.85 * units.fy <= float(value.expr) <= 1.15 * units.fy
    assert f"[{units.stress}]" in value.comment and "steel" in value.comment


def test_concrete_strength_is_negative_and_the_same_seed_gives_the_same_value() -> None:
    doc = ArgDoc(name="fpc", type="float", description="concrete compressive strength at 28 days")
    first = number_for("fpc", doc, N_MM, random.Random(7))
    assert float(first.expr) < 0 and first == number_for("fpc", doc, N_MM, random.Random(7))
    others = {number_for("fpc", doc, N_MM, random.Random(s)).expr for s in range(20)}
    assert len(others) > 1  # variants differ


def test_integer_parameters_are_written_as_integers() -> None:
    value = number_for("numIter", ArgDoc(name="numIter", type="int", description="iterations"), KN_M,
                       random.Random(0))
    assert value.expr.isdigit() and int(value.expr) in {10, 25, 50}


def test_unknown_name_uses_the_documented_default() -> None:
    value = number_for("qzz", None, KN_M, random.Random(0), default="3.5")
    assert value.expr == "3.5" and "documented default" in value.comment


def test_fit_moves_a_value_into_its_kind_then_its_documented_range() -> None:
    assert fit("zeta", 5.0, None) == (0.15, "a typical damping ratio")  # 5 (percent?) is no damping ratio
    assert fit("epsc0", 0.5, None) == (-0.002, "a typical strain")  # compression strains are negative
    doc = ArgDoc(name="q", type="float", range="0 to 0.1, typically 0.05", unit="-")
    assert fit("q", 0.3, doc) == (0.05, "the typical value the documentation gives")
    assert fit("q", 0.02, doc) == (0.02, "within the documented range 0 to 0.1")
    above = ArgDoc(name="q", type="float", range="> 0", unit="-")
    assert fit("q", -2.0, above) == (2.0, "kept above the documented lower bound")


def test_describe_keeps_one_clause_and_drops_optional_notes() -> None:
    doc = ArgDoc(name="Fy", description="yield strength (optional, default 1.0).")
    assert describe("Fy", doc) == "yield strength"
    long = ArgDoc(name="x", description="a " + "very " * 30 + "long text. Second sentence here.")
    assert len(describe("x", long)) <= 110 and "Second" not in describe("x", long)
    assert describe("qzz", None).startswith("qzz")  # no documentation, no glossary entry: the name itself


def test_unit_labels_follow_the_unit_system() -> None:
    assert unit_label("area", N_MM) == "mm^2" and unit_label("inertia", KIP_IN) == "in^4"
    assert unit_label("stiffness", KN_M) == "kN/m" and unit_label("stress", KIP_IN) == "ksi"
    assert unit_label("", KN_M) == ""
