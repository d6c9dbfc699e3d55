"""The embedded documentation set: complete enough for a building model, every parameter documented with a unit and
a range, read through the same command model as the HTML and .rst docs."""

from __future__ import annotations

from civilinstruct.pipelines.api_pairs.llm_pairs import _with_unit
from civilinstruct.opensees_docs.embedded import BUILTIN_DIGEST, BUILTIN_VERSION, builtin_digest, builtin_files, load_builtin_pages
from civilinstruct.opensees_docs.source import load_source, resolve_docs

NEEDED = {"model('basic')", "node", "fix", "mass", "equalDOF", "rigidDiaphragm", "geomTransf('Linear')",
          "geomTransf('PDelta')", "element('elasticBeamColumn')", "element('forceBeamColumn')",
          "element('dispBeamColumn')", "element('Truss')", "element('zeroLength')", "element('twoNodeLink')",
          "uniaxialMaterial('Steel01')", "uniaxialMaterial('Steel02')", "uniaxialMaterial('Concrete01')",
          "uniaxialMaterial('Concrete02')", "uniaxialMaterial('Elastic')", "section('Fiber')", "patch('rect')",
          "layer('straight')", "fiber", "timeSeries('Linear')", "pattern('Plain')", "load", "eleLoad", "sp",
          "rayleigh", "modalDamping", "constraints('Transformation')", "numberer('RCM')", "system('BandGeneral')",
          "test('NormDispIncr')", "algorithm('Newton')", "integrator('LoadControl')", "analysis('Static')", "analyze",
          "eigen", "modalProperties", "responseSpectrumAnalysis", "nodeDisp", "eleForce", "nodeEigenvector",
          "recorder('Node')", "parameter", "sensitivityAlgorithm", "sensNodeDisp", "randomVariable"}


def test_embedded_set_covers_the_families_and_a_building_model() -> None:
    pages = load_builtin_pages()
    keys = [p.signatures[0].command for p in pages]
    assert len(keys) == len(set(keys)) >= 80
    assert NEEDED <= set(keys), NEEDED - set(keys)
    assert {p.family for p in pages} == {
        "model building", "elements", "uniaxial materials", "nD materials", "sections and fibers",
        "loads and patterns", "analysis objects", "eigen, modal and response spectrum", "output",
        "sensitivity and reliability"}
    assert len(builtin_files()) == 10


def test_every_parameter_has_a_meaning_unit_and_range() -> None:
    for page in load_builtin_pages():
        assert page.summary and all(s.style == "python" for s in page.signatures), page.title
        documented = {a.name for a in page.args}
        for sig in page.signatures:
            named = {p.name for p in sig.params if p.kind != "flag"}
            assert named <= documented, (page.title, named - documented)
        for arg in page.args:
            assert arg.description and arg.unit and arg.range and arg.type, (page.title, arg.name)


def test_read_through_the_same_command_model() -> None:
    source = resolve_docs()
    assert (source.origin, source.kind, source.version, source.license) == ("embedded", "embedded",
                                                                            BUILTIN_VERSION, None)
    docs = load_source(source)
    by_key = {c.key: c for c in docs.commands()}
    steel = by_key["uniaxialMaterial('Steel01')"]
    assert steel.type_name == "Steel01" and [p.name for p in steel.signatures[0].params][:3] == ["matTag", "Fy", "E0"]
    fy = steel.doc.arg("Fy")
    assert fy.unit == "stress" and "MPa" in fy.range and "[unit: stress; range:" in _with_unit(fy)
    assert steel.doc.arg("a1").optional and not fy.optional
    beam = by_key["element('elasticBeamColumn')"]
    assert len(beam.signatures) == 2 and beam.signatures[0].flags == {"-mass", "-cMass"}


# Every label the embedded set has had, with the digest of its files. A changed YAML file changes the digest; the
# change passes only with a new label added here (and BUILTIN_VERSION/BUILTIN_DIGEST set to it), never under an old one.
LABELS = {"builtin-v2": "b703bcb75abaaad2"}


def test_the_label_changes_whenever_the_embedded_set_changes() -> None:
    digest = builtin_digest()
    assert digest == BUILTIN_DIGEST, (
        f"the embedded YAML set changed (digest {digest}): bump BUILTIN_VERSION in opensees_docs/embedded.py, "
        f"set BUILTIN_DIGEST = {digest!r} and add the new label to LABELS here")
    assert LABELS.get(BUILTIN_VERSION) == BUILTIN_DIGEST, "the label names other files than it did: bump it"
    assert len(set(LABELS.values())) == len(LABELS), "two labels for one set"
    assert resolve_docs().label == f"embedded@{BUILTIN_VERSION}" != "embedded@builtin-v1"


def test_the_digest_sees_a_one_byte_change(monkeypatch) -> None:
    from civilinstruct.opensees_docs import embedded

    class _File:
        def __init__(self, name: str, data: bytes) -> None:
            self.name, self._data = name, data

        def read_bytes(self) -> bytes:
            return self._data

    real = [_File(f.name, f.read_bytes()) for f in builtin_files()]
    monkeypatch.setattr(embedded, "builtin_files", lambda: real)
    assert embedded.builtin_digest() == BUILTIN_DIGEST
    real[0]._data += b" "
    assert embedded.builtin_digest() != BUILTIN_DIGEST
