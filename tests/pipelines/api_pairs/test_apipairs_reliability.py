"""The reliability pair (issue 18.3): a random column modulus mapped to the element through a parameter, a drift
limit state, and a first-order reliability index that must equal the hand formula for an elastic cantilever."""

from __future__ import annotations

import ast
import math
import re

import pytest

from civilinstruct.opensees_docs.source import load_source, resolve_docs
from civilinstruct.pipelines.api_pairs.generate import render
from civilinstruct.pipelines.api_pairs.semantic import problems
from civilinstruct.pipelines.api_pairs.verify import target_calls
from civilinstruct.sandbox import Sandbox


def _call_args(code: str, name: str, first: object = None) -> list[float]:
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name:
            args = [ast.literal_eval(a) for a in node.args]
            if first is None or args[0] == first:
                return args
    raise AssertionError(f"no {name} call")


def test_beta_matches_the_hand_formula_and_the_finite_difference_one() -> None:
    command = {c.key: c for c in load_source(resolve_docs(None)).commands()}["randomVariable"]
    cands = [render(command, v, 0) for v in (0, 1, 2)]
    with Sandbox(timeout=30, workers=2) as sandbox:
        results = list(sandbox.run_many([c.code for c in cands]))
    for cand, result in zip(cands, results):
        assert result.status == "ok", result.stderr
        assert problems(cand.code, result, cand.signature, command.doc) == []
        rv = target_calls(cand.code, cand.signature)[-1]
        mu, sigma = float(rv[rv.index("-mean") + 1]), float(rv[rv.index("-stdv") + 1])
        p = _call_args(cand.code, "load")[1]
        length = _call_args(cand.code, "node", 2)[2]
        _, _, e, _, inertia = _call_args(cand.code, "section")
        u_allow = float(re.search(r"^\s*u_allow = (\S+)", cand.code, re.M).group(1))
        assert e == mu  # the model is analysed at the mean of the random variable
        u = p * length ** 3 / (3 * mu * inertia)  # cantilever tip drift
        beta_hand = (u_allow - u) / (sigma * u / mu)  # g / (sigma |dg/dE|), dg/dE = u / E
        beta, beta_fd, pf = map(float, re.search(r"beta = (\S+)\s+beta_fd = (\S+)\s+pf = (\S+)", result.stdout).groups())
        assert beta == pytest.approx(beta_hand, rel=1e-5)
        assert beta_fd == pytest.approx(1.01 * beta_hand, rel=1e-4)  # a forward difference over +1 % of mu
        assert pf == pytest.approx(0.5 * math.erfc(beta_hand / math.sqrt(2)), rel=1e-3)
        assert 2.0 < beta < 3.0  # the drift limit sits where a serviceability check would put it
    assert {"'normal'", "'lognormal'"} <= {repr(target_calls(c.code, c.signature)[-1][1]) for c in cands}
