"""opensees_docs.signature: the OpenSeesPy docs' Tcl habits inside Python signatures, read into parameters."""

from __future__ import annotations

from civilinstruct.opensees_docs.signature import parse_signature


def _params(sig) -> list[tuple[str, str, bool, str | None]]:  # type: ignore[no-untyped-def]
    return [(p.name, p.kind, p.optional, p.default) for p in sig.params]


def test_type_literal_varargs_and_an_optional_group_split_over_two_params() -> None:
    """Guards the commonest page shape: the quoted type becomes type_name, `*eleNodes` is varargs, and
    `<'-mass'`, `mass>` (one optional group over two params) makes both optional."""
    sig = parse_signature("element", ["'elasticBeamColumn'", "eleTag", "*eleNodes", "Area", "E_mod", "Iz",
                                      "transfTag", "<'-mass'", "mass>", "<'-cMass'>"])
    assert (sig.function, sig.type_name, sig.style) == ("element", "elasticBeamColumn", "python")
    assert _params(sig) == [("eleTag", "value", False, None), ("eleNodes", "varargs", False, None),
                            ("Area", "value", False, None), ("E_mod", "value", False, None),
                            ("Iz", "value", False, None), ("transfTag", "value", False, None),
                            ("-mass", "flag", True, None), ("mass", "value", True, None),
                            ("-cMass", "flag", True, None)]
    assert sig.raw.startswith("element('elasticBeamColumn', eleTag, *eleNodes")


def test_two_names_in_one_param_and_an_open_bracket_mid_token() -> None:
    """Guards `Den <Su_factor` (two names, the second opens an optional group) and `Dmg1 Dmg2>`."""
    sig = parse_signature("nDMaterial", "'PressureIndependMultiYield', tag, nd, rho, Den <Su_factor, Dmg1 Dmg2>")
    assert sig.type_name == "PressureIndependMultiYield"
    assert [(n, o) for n, _, o, _ in _params(sig)] == [("tag", False), ("nd", False), ("rho", False),
                                                       ("Den", False), ("Su_factor", True), ("Dmg1", True),
                                                       ("Dmg2", True)]


def test_defaults_with_commas_and_ellipsis() -> None:
    """Guards `*ang=[0.0,360.0]` (a comma inside brackets is not a separator; a default makes it optional) and
    that `...` is not a parameter."""
    sig = parse_signature("uniaxialMaterial", "'X', tag, *ang=[0.0,360.0], b=0.1, ...")
    assert _params(sig) == [("tag", "value", False, None), ("ang", "varargs", True, "[0.0,360.0]"),
                            ("b", "value", True, "0.1")]


def test_flag_slips_and_tcl_signatures() -> None:
    """Guards `<-'lumped'>` read as the optional flag '-lumped', a command without a type literal, and a Tcl
    signature (a space or $ in the name) kept as raw text only."""
    sig = parse_signature("rayleigh", "alphaM, betaK, <-'lumped'>")
    assert sig.type_name is None
    assert _params(sig)[-1] == ("-lumped", "flag", True, None)
    tcl = parse_signature("node $tag $x", "a")
    assert (tcl.function, tcl.style, tcl.params) == ("node", "tcl", [])
    assert parse_signature("mass", ["nodeTag", "*massValues"]).params[1].kind == "varargs"
