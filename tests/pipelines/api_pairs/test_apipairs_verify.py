"""Signature checking of snippets, near-duplicate removal and the generator's determinism."""

from __future__ import annotations

from civilinstruct.pipelines.api_pairs.dedup import dedup, jaccard, shingles
from civilinstruct.pipelines.api_pairs.verify import check_call, required_args, target_calls
from civilinstruct.opensees_docs import DocPage, parse_signature
from civilinstruct.opensees_docs.model import ArgDoc

SIG = parse_signature("element", "'zeroLength', eleTag, *eleNodes, '-mat', *matTags, '-dir', *dirs, "
                                 "<'-doRayleigh', rFlag=0>")
DOC = DocPage(path="z.html", args=[ArgDoc(name="eleTag", type="int"), ArgDoc(name="eleNodes", type="list"),
                                   ArgDoc(name="matTags", type="list"), ArgDoc(name="dirs", type="list")])


def test_call_with_spread_lists_is_counted_from_the_ast() -> None:
    code = ("import openseespy.opensees as ops\nnodes = [1, 2]\nmats = [101, 102]\n"
            "ops.element('zeroLength', 1, *nodes, '-mat', *mats, '-dir', *[1, 2])\n")
    assert target_calls(code, SIG) == [["zeroLength", 1, 1, 2, "-mat", 101, 102, "-dir", 1, 2]]
    assert check_call(code, SIG, DOC) is None


def test_wrong_calls_are_reported() -> None:
    assert "no call" in check_call("import openseespy.opensees as ops\nops.node(1, 0.0)\n", SIG, DOC)
    assert "no call" in check_call("ops.element('Truss', 1, 1, 2, 1.0, 1)\n", SIG, DOC)
    bad_flag = "ops.element('zeroLength', 1, 1, 2, '-mat', 1, '-dir', 1, '-bogus')\n"
    assert "undocumented flag" in check_call(bad_flag, SIG, DOC)
    assert "fewer than" in check_call("ops.element('zeroLength', 1)\n", SIG, DOC)
    steel = parse_signature("uniaxialMaterial", "'Steel01', matTag, Fy, E0, b, a1, a2, a3, a4")
    assert "more than" in check_call("ops.uniaxialMaterial('Steel01', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)\n", steel)
    optional_a = DocPage(path="s", args=[ArgDoc(name=f"a{i}", description="(optional)") for i in range(1, 5)])
    assert check_call("ops.uniaxialMaterial('Steel01', 1, 350.0, 2e5, 0.01)\n", steel, optional_a) is None
    assert required_args(SIG, DOC) == 3


def test_dedup_masks_numbers_and_keeps_first() -> None:
    items = ["Define Steel01 for an office frame with Fy = 355 and E0 = 200000, comment each argument.",
             "Define Steel01 for an office frame with Fy = 420 and E0 = 210000, comment each argument.",
             "For a pile in soft clay, write the PySimple1 spring with line-by-line comments."]
    kept = [text for text, ok in dedup(items, text=str, group=lambda _: "g") if ok]
    assert kept == [items[0], items[2]]
    assert jaccard(shingles(items[0]), shingles(items[1])) == 1.0
    assert list(dedup(items[:2], text=str, group=lambda t: t)) == [(items[0], True), (items[1], True)]
