"""`RaySandbox`: the same results as the local sandbox, in order, from actors on a local Ray instance."""

from __future__ import annotations

import importlib.util

import pytest

from civilinstruct.errors import CivilError

PROGRAMS = [
    "print('T1 = 0.512 s')\nprint('Compliance: PASS')",
    "x = 1\nraise ValueError('boom')\n",
    "import openseespy.opensees as ops\nops.wipe()\nops.model('basic', '-ndm', 1, '-ndf', 1)\n"
    "ops.node(1, 0.0)\nops.node(2, 0.0, '-mass', 10.0)\nops.fix(1, 1)\n"
    "ops.uniaxialMaterial('Elastic', 1, 4000.0)\nops.element('zeroLength', 1, 1, 2, '-mat', 1, '-dir', 1)\n"
    "import math\nw = ops.eigen('-fullGenLapack', 1)[0]\nprint(f'T1 = {2 * math.pi / math.sqrt(w):.4f} s')\n",
    "def f(:\n  pass\n",
]


def _summary(result: object) -> tuple:
    return (result.status, result.exception_type, result.error_line, result.period_s, result.compliance)


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="the [ray] extra is not installed")
def test_ray_sandbox_matches_local_sandbox() -> None:
    import ray

    from civilinstruct.pipelines.base import BuildOptions
    from civilinstruct.sandbox import Sandbox
    from civilinstruct.sandbox.ray_executor import RaySandbox

    with Sandbox(timeout=30, workers=1, allow_weak_isolation=True) as box:
        local = [_summary(r) for r in box.run_many(PROGRAMS)]
    assert local[0][0] == "ok" and local[1][:3] == ("error", "ValueError", 2) and local[2][3] == pytest.approx(
        2 * 3.141592653589793 / (4000 / 10) ** 0.5, rel=1e-3)

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        options = BuildOptions(executor="ray", timeout_s=30, allow_weak_isolation=True)
        with options.sandbox() as remote:
            assert isinstance(remote, RaySandbox)
            assert [_summary(r) for r in remote.run_many(PROGRAMS * 2, progress=True)] == local * 2
            assert _summary(remote.run(PROGRAMS[1])) == local[1]
            assert len(remote._actors) == 2
        assert ray.is_initialized()  # it joined the instance this test started, so it leaves it running
    finally:
        ray.shutdown()


def test_missing_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util as util

    from civilinstruct.sandbox.ray_executor import RaySandbox

    real = util.find_spec
    monkeypatch.setattr(util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    with pytest.raises(CivilError, match=r"civilinstruct\[ray\]"):
        RaySandbox().start()
