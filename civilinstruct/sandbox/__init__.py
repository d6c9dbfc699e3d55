"""Run untrusted OpenSeesPy programs isolated (bubblewrap namespaces, rlimits, uid drop) and fast (warm zygotes)."""

from civilinstruct.sandbox.pool import Sandbox
from civilinstruct.sandbox.result import RunResult, RunStatus
from civilinstruct.sandbox.runner import ProgramRunner

__all__ = ["ProgramRunner", "RunResult", "RunStatus", "Sandbox"]
