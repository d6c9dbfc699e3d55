"""The release build: every part of a manifest in dependency order, then its exports.

Resuming is the store's job (a pipeline skips the ids already committed), so running the same manifest again after
a kill continues where it stopped, and running it on a finished build writes nothing new.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from civilinstruct.errors import CivilError
from civilinstruct.pipelines import registry
from civilinstruct.pipelines.base import BuildOptions, BuildReport
from civilinstruct.pipelines.executor import PartDef, build_part
from civilinstruct.release.export import ExportReport, export_release
from civilinstruct.release.manifest import Manifest, PartSpec
from civilinstruct.store import Store


def load_pipeline(part: str) -> PartDef:
    """The registered part called `part`, or one line naming the known parts."""
    return registry.get(part)


LLM_LIMITS = ("request_timeout_s", "llm_budget_s")  # openai backend time limits (manifest generator / CLI)


def run_pipeline(store: Store, part: str, options: BuildOptions) -> BuildReport:
    """One part, through the executor (`civilinstruct.pipelines.executor`).

    LLM responses are cached beside the data (DATA/llm-cache.duckdb) unless a cache is named, so rerunning a
    build against an endpoint costs nothing and the cache travels with the data it produced.
    """
    if options.backend == "openai" and "llm_cache" not in options.extra:
        options = options.model_copy(update={"extra": {**options.extra,
                                                       "llm_cache": str(store.data_dir / "llm-cache.duckdb")}})
    return build_part(load_pipeline(part), store, options)


def part_options(manifest: Manifest, part: str, spec: PartSpec, overrides: dict[str, Any]) -> BuildOptions:
    """A part's options: the manifest's part section over its defaults, then the command line's overrides."""
    extra = dict(spec.extra)
    if spec.sources:
        extra["from"] = [str(p) for p in spec.sources]
    for key in LLM_LIMITS:
        if (limit := getattr(manifest.generator, key)) is not None:
            extra.setdefault(key, limit)
    values: dict[str, Any] = {
        "n": spec.n, "seed": manifest.seed if spec.seed is None else spec.seed, "docs": spec.docs,
        "workers": manifest.execution.workers, "timeout_s": manifest.execution.timeout_s,
        "backend": manifest.generator.backend, "base_url": manifest.generator.base_url,
        "model": manifest.generator.model, "executor": manifest.execution.executor,
        "ray_address": manifest.execution.ray_address, "shard_size": manifest.execution.shard_size,
        "extra": extra,
    }
    if spec.per_command is not None:
        values["per_command"] = spec.per_command
    if spec.docs is not None and overrides.get("docs") is None:
        extra["docs_origin"] = "manifest"  # lineage says the docs came from the manifest, not --docs
    values.update({k: v for k, v in overrides.items() if v is not None})
    return checked_options(values)


def checked_options(values: dict[str, Any]) -> BuildOptions:
    """`BuildOptions` from merged settings; combinations that cannot work are one line, not a late traceback."""
    if values.get("backend") == "openai" and not (values.get("base_url") and values.get("model")):
        raise CivilError("backend openai needs a base URL and a model (--base-url, --model)")
    limits = {key: values.pop(key) for key in LLM_LIMITS if values.get(key) is not None}
    if limits:  # command-line limits for the openai backend travel in `extra`, over the manifest's
        values["extra"] = {**(values.get("extra") or {}), **limits}
    for key in LLM_LIMITS:
        values.pop(key, None)
    try:
        return BuildOptions(**{k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in err["loc"])
        raise CivilError(f"{field}: {err['msg'].removeprefix('Value error, ')}") from None


def build_release(manifest: Manifest, data_dir: str | Path, *, overrides: dict[str, Any] | None = None,
                  on_part: Callable[[int, int, str, BuildOptions], None] | None = None,
                  export: bool = True, repair: bool = False) -> tuple[list[BuildReport], list[ExportReport]]:
    """Build every part of the manifest in order, then write each export the manifest asks for (`repair`: damaged
    shards are dropped and rebuilt instead of stopping the build)."""
    overrides = overrides or {}
    store = Store(data_dir, repair=repair)
    # in dependency order (the manifest has checked that a part's dependencies are in it); a pipeline that is
    # missing or does not import fails here, before any work
    chosen = dict(manifest.parts.selected())
    selected = [(part, chosen[part]) for part in registry.ordered(list(chosen))]
    plans = [(part, part_options(manifest, part, spec, overrides)) for part, spec in selected]
    from civilinstruct.release.heldout import write_record

    write_record(data_dir, manifest)  # before any work: export and train make these splits from DATA alone
    reports = []
    with ExitStack() as stack:
        ray_parts = [o for _, o in plans if o.executor == "ray"]
        if ray_parts:
            from civilinstruct.sandbox.ray_executor import ray_session

            stack.enter_context(ray_session(ray_parts[0].ray_address))
        for i, (part, options) in enumerate(plans, start=1):
            if on_part is not None:
                on_part(i, len(plans), part, options)
            reports.append(run_pipeline(store, part, options))
    exports = []
    if export:
        from civilinstruct.release.contamination import load_contamination

        targets = manifest.exports()
        leaks = load_contamination(manifest.decontaminate, data_dir=Path(data_dir),
                                   timeout_s=manifest.execution.timeout_s,
                                   allow_weak_isolation=bool(overrides.get("allow_weak_isolation"))) if targets else None
        for target in targets:
            out = target.out if target.out.is_absolute() else Path(data_dir) / target.out
            exports.append(export_release(data_dir, target.format, out, manifest=manifest, contamination=leaks))
    return reports, exports
