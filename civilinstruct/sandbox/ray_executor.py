"""`RaySandbox`: the sandbox's `run` / `run_many` with the programs spread over a Ray cluster.

Each Ray actor holds one ordinary `civilinstruct.sandbox.Sandbox` (one worker), so every program gets exactly the
isolation it gets locally; Ray only decides which machine runs it. Actors, not tasks, because a sandbox pays its
start-up (interpreter + openseespy import, bubblewrap probe) once and then runs many programs.
Ray is the optional `[ray]` extra and is imported only when a `RaySandbox` starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from civilinstruct.errors import CivilError, require_extra
from civilinstruct.sandbox.result import RunResult


def init_ray(address: str | None = None, num_cpus: int | None = None) -> bool:
    """Join the Ray instance already initialized, else start/connect one; True when this call started it."""
    require_extra("ray", "ray")
    import ray

    if ray.is_initialized():
        return False
    try:
        ray.init(address=address, num_cpus=num_cpus if address is None else None, include_dashboard=False,
                 log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CivilError(f"cannot start or reach Ray at {address or 'a new local instance'}: {first}") from None
    return True


@contextmanager
def ray_session(address: str | None = None) -> Iterator[None]:
    """One Ray instance for a whole release build, so each part's `RaySandbox` joins it instead of starting one."""
    started = init_ray(address)
    try:
        yield
    finally:
        if started:
            import ray

            ray.shutdown()


class _SandboxActor:
    """The body of a Ray actor: a local sandbox kept open for the actor's lifetime."""

    def __init__(self, timeout: float, memory_mb: int, allow_weak_isolation: bool) -> None:
        from civilinstruct.sandbox import Sandbox

        self.box = Sandbox(timeout=timeout, memory_mb=memory_mb, workers=1,
                           allow_weak_isolation=allow_weak_isolation)
        self.box.__enter__()

    def run(self, code: str) -> Any:
        return self.box.run(code)

    def close(self) -> None:
        self.box.__exit__(None, None, None)


class RaySandbox:
    """Same interface as `Sandbox`; `address=None` starts a local Ray instance (or joins the one `ray.init` made)."""

    def __init__(self, address: str | None = None, timeout: float = 60.0, memory_mb: int = 2048,
                 workers: int | None = None, allow_weak_isolation: bool = False, num_cpus: int | None = None) -> None:
        self.address = address
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.workers = workers
        self.allow_weak_isolation = allow_weak_isolation
        self.num_cpus = num_cpus
        self._actors: list[Any] = []
        self._owns_ray = False

    # -- lifecycle -------------------------------------------------------------------------------------------
    def __enter__(self) -> "RaySandbox":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        if self._actors:
            return
        require_extra("ray", "ray")
        import ray

        self._owns_ray = init_ray(self.address, self.num_cpus)
        n = self.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        actor_cls = ray.remote(num_cpus=1)(_SandboxActor)
        self._actors = [actor_cls.remote(self.timeout, self.memory_mb, self.allow_weak_isolation) for _ in range(n)]

    def close(self) -> None:
        if not self._actors and not self._owns_ray:
            return
        import ray

        for actor in self._actors:
            try:
                ray.get(actor.close.remote(), timeout=30)
            except Exception:  # an actor that died already has nothing to close
                pass
            ray.kill(actor)
        self._actors = []
        if self._owns_ray:
            ray.shutdown()
            self._owns_ray = False

    # -- running ---------------------------------------------------------------------------------------------
    def run(self, code: str) -> RunResult:
        return next(self.run_many([code]))

    def run_many(self, codes: Iterable[str], workers: int | None = None,
                 progress: bool = False) -> Iterator[RunResult]:
        """Results in the order of `codes`; at most one program in flight per actor (each is one sandbox worker)."""
        self.start()
        from ray.util import ActorPool

        actors = self._actors[:workers] if workers else self._actors
        pool = ActorPool(actors)
        codes = list(codes)
        results = _unwrap(pool.map(lambda actor, code: actor.run.remote(code), codes))
        if not progress:
            yield from results
            return
        from civilinstruct.progress import progress_bar

        with progress_bar(transient=True) as bar:
            task = bar.add_task("running programs on Ray", total=len(codes))
            for result in results:
                bar.advance(task)
                yield result


def _unwrap(results: Iterator[RunResult]) -> Iterator[RunResult]:
    """Re-raise a user error from inside an actor (e.g. the sandbox refusing weak isolation) as one `CivilError`."""
    from ray.exceptions import RayActorError, RayTaskError

    try:
        yield from results
    except RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, CivilError):
            raise CivilError(str(cause)) from None
        raise
    except RayActorError as exc:
        cause = getattr(exc, "cause", None) or getattr(exc, "error_msg", "")
        raise CivilError(f"a Ray sandbox actor died: {str(cause).strip().splitlines()[-1] if str(cause).strip() else exc}"
                         ) from None
