"""Physical ranges of argument values (`api_pairs.ranges`): the kind table, documented bounds, argument pairing."""

from __future__ import annotations

import math

import pytest

from civilinstruct.opensees_docs.model import ArgDoc, DocPage, Param, Signature
from civilinstruct.pipelines.api_pairs.ranges import doc_bounds, kind_of, out_of_range, paired

STEEL01 = Signature(function="uniaxialMaterial", type_name="Steel01", params=[
    Param(name="matTag", kind="value"), Param(name="Fy", kind="value"), Param(name="E0", kind="value"),
    Param(name="b", kind="value")])


def page(*args: ArgDoc) -> DocPage:
    return DocPage(path="Steel01.html", title="Steel01", signatures=[STEEL01], args=list(args))


@pytest.mark.parametrize(("name", "kind"), [
    ("zeta", "damping ratio"), ("nu", "Poisson's ratio"), ("epsc0", "strain"), ("theta_p", "angle"),
    ("b", "hardening ratio"), ("matTag", "tag"), ("iNode", "tag"), ("doRayleigh", "flag"), ("Fy", "stress"),
    ("cover", "length"), ("tol", "tolerance"), ("dt", "time"), ("E0", "stress")])
def test_kind_of_reads_the_parameter_name(name: str, kind: str) -> None:
    found = kind_of(name)
    assert found is not None and found.name == kind


def test_a_name_the_table_does_not_know_has_no_kind() -> None:
    assert kind_of("secTag2x") is None  # "tag" only at the end (with one digit)
    assert kind_of("numIntgrPts") is None


def test_documented_bounds_open_closed_and_spans() -> None:
    assert doc_bounds("> 0", "stress") == (0.0, math.inf, True, False)  # a zero bound holds in every unit
    assert doc_bounds(">= 1", "-") == (1.0, math.inf, False, False)
    assert doc_bounds("< 0.5", "") == (-math.inf, 0.5, False, True)
    assert doc_bounds("0 to 0.1", "-") == (0.0, 0.1, False, False)
    assert doc_bounds("-1 to 1; usually 0", "rad") == (-1.0, 1.0, False, False)


@pytest.mark.parametrize("text,unit", [("> 200", "MPa"), ("0 to 10", "mm"), ("2 times the yield strain", "-"),
                                       ("any", "-"), ("", "-")])
def test_no_bound_when_numbers_carry_a_unit_or_are_relative(text: str, unit: str) -> None:
    assert doc_bounds(text, unit) is None


def test_paired_skips_the_type_literal_and_resynchronises_on_flags() -> None:
    assert [(p.name, v) for p, v in paired(["Steel01", 1, 400.0, 2e5, 0.01], STEEL01)] == [
        ("matTag", 1), ("Fy", 400.0), ("E0", 2e5), ("b", 0.01)]
    sig = Signature(function="mass", params=[Param(name="nodeTag", kind="value"), Param(name="-dof", kind="flag"),
                                             Param(name="m", kind="value")])
    assert [(p.name, v) for p, v in paired([3, "-dof", 5.0], sig)] == [("nodeTag", 3), ("m", 5.0)]
    assert paired([3, "-nosuchflag", 5.0], sig) == [(sig.params[0], 3)]  # an unknown flag ends the matching


def test_out_of_range_reports_kind_and_documented_violations() -> None:
    doc = page(ArgDoc(name="b", type="float", range="0 to 0.1", unit="-"))
    ok = "import openseespy.opensees as ops\nops.uniaxialMaterial('Steel01', 1, 400.0, 2.0e5, 0.02)\n"
    assert out_of_range(ok, STEEL01, doc) == []
    too_hard = ok.replace("0.02)", "0.5)")
    assert out_of_range(too_hard, STEEL01, doc) == ["range: b = 0.5 is outside the documented '0 to 0.1'"]
    negative_tag = ok.replace("'Steel01', 1,", "'Steel01', -1,")
    assert out_of_range(negative_tag, STEEL01, doc)[0].startswith("range: matTag = -1 is not a tag")


def test_out_of_range_reads_values_through_variables_and_ignores_other_calls() -> None:
    doc = page(ArgDoc(name="b", type="float", range="0 to 0.1", unit="-"))
    code = ("import openseespy.opensees as ops\nb = 2.0\nops.uniaxialMaterial('Elastic', 2, 3.0)\n"
            "ops.uniaxialMaterial('Steel01', 1, 400.0, 2.0e5, b)\n")
    assert out_of_range(code, STEEL01, doc) == ["range: b = 2.0 is not a hardening ratio (-0.5 to 1 -)"]
    assert out_of_range("not python (", STEEL01, doc) == []
