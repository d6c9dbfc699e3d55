"""Release manifests: the YAML file that says which parts, how many samples, which seeds and generator make a release.

A manifest is validated strictly (unknown keys are typos, negative counts are mistakes, a docs directory must
exist) and every problem becomes one `CivilError` line naming the field, because a release build that runs for
twenty minutes should fail in the first second, not at the end.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from civilinstruct import parts
from civilinstruct.errors import CivilError
from civilinstruct.limits import Count, OptCount, OptPerCommand, OptSeed, Seed, ShardSize, Timeout, Workers

PART_ORDER: tuple[str, ...] = parts.PARTS  # in dependency order: bug_cot and expert read the long_code shards
DEPENDS_ON = parts.DEPENDS_ON
SFT_PARTS, RL_PARTS = parts.SFT_PARTS, parts.RL_PARTS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartSpec(_Strict):
    """How to build one part; unset fields fall back to the manifest's defaults."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)  # `from:` in YAML, `sources` in Python

    n: OptCount = Field(None, description="samples to produce (None: the pipeline's own default)")
    seed: OptSeed = Field(None, description="seed of this part (default: the manifest seed)")
    docs: Path | str | None = Field(None, description="OpenSeesPy docs (api_pairs): a folder relative to the manifest, "
                                    "`embedded`, or `openseespydoc@COMMIT` (fetched by `civilinstruct docs fetch`)")
    per_command: OptPerCommand = Field(None, description="pairs per documented command (api_pairs)")
    extra: dict[str, Any] = Field(default_factory=dict, description="pipeline-specific settings")
    sources: list[Path] = Field(default_factory=list, alias="from",
                                description="bug_cot: real generations to harvest failures from (JSONL, bench run "
                                            "parquet, part folder), relative to the manifest; `extra.synthetic` "
                                            "adds mutations drawn by the failure mix they show")


class Parts(_Strict):
    """The parts a release contains; a part left out is not built."""

    api_pairs: PartSpec | None = None
    long_code: PartSpec | None = None
    bug_cot: PartSpec | None = None
    expert: PartSpec | None = None

    def selected(self) -> list[tuple[str, PartSpec]]:
        """The parts present, in dependency order."""
        return [(name, spec) for name in PART_ORDER if (spec := getattr(self, name)) is not None]


class Generator(_Strict):
    """Which model writes the text: the offline rule-based generator, or an OpenAI-compatible endpoint."""

    backend: Literal["offline", "openai"] = "offline"
    base_url: str | None = None
    model: str | None = None
    request_timeout_s: float | None = Field(None, gt=0, le=3600, description="openai: seconds one attempt may take")
    llm_budget_s: float | None = Field(None, gt=0, le=86400,
                                       description="openai: seconds one request may take, all retries included")

    @model_validator(mode="after")
    def _openai_needs_endpoint(self) -> "Generator":
        if self.backend == "openai" and not (self.base_url and self.model):
            raise ValueError("backend openai needs base_url and model")
        return self


class Execution(_Strict):
    """How programs run: sandbox workers, per-program limit, and where (local pool or Ray)."""

    workers: Workers = 2
    timeout_s: Timeout = 60.0
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    shard_size: ShardSize = 1000


class Splits(_Strict):
    """Held-out splits, made by building (see `civilinstruct.release.splits`).

    A count (>= 1) is a number of rows, a value in (0, 1) a fraction. The source paper holds out 202 SFT rows for
    validation and 57 of the 512 expert rows for the RL test.
    """

    seed: Seed = 0
    validation: float = Field(0.02, ge=0, description="SFT rows (parts 1-3) held out for validation")
    test: float = Field(0.11, ge=0, description="expert rows held out for the RL test")
    expert_out_of_sft: bool = Field(True, description="leave out the SFT rows (parts 1-3) of buildings that have an "
                                    "expert row, so the RL prompts are not memorised in SFT (issue 16)")


class Decontaminate(_Strict):
    """BMEval cases whose buildings must never reach a training split."""

    cases: Path | None = Field(None, description="a cases parquet from `civilinstruct bench cases`")
    bench_seed: OptSeed = Field(None, description="rebuild the cases from this seed instead of a file")
    bench_n: Count = Field(128, ge=1, description="number of cases when rebuilding from bench_seed")


class Export(_Strict):
    """Where and how the release is exported after the build (a relative `out` is under the data directory)."""

    format: Literal["hf", "trl", "verl"] = "hf"
    out: Path = Path("export/hf")


class Manifest(_Strict):
    """One dataset release."""

    name: str = "civilinstruct"
    version: str = "v1"
    description: str = ""
    seed: Seed = 0
    generator: Generator = Field(default_factory=Generator)
    prompts: dict[str, str] = Field(default_factory=dict, description=(
        "prompt template -> the start of its sha256 (lineage's prompt_hash): a build refuses a template that differs"))
    execution: Execution = Field(default_factory=Execution)
    parts: Parts
    splits: Splits = Field(default_factory=Splits)
    decontaminate: Decontaminate | None = None
    export: Export | list[Export] | None = None
    base_dir: Path = Field(Path("."), exclude=True, description="the manifest's folder; relative paths start here")

    @field_validator("prompts")
    @classmethod
    def _templates_as_pinned(cls, pins: dict[str, str]) -> dict[str, str]:
        """Ids and content depend on the prompt templates' text, so the same manifest must meet the same templates:
        a pin is checked before any work (pin the new hash to accept a changed template; its samples get new ids)."""
        from civilinstruct.llm.prompts import load_template

        for name, pin in pins.items():
            if not (8 <= len(pin) <= 64 and all(c in "0123456789abcdef" for c in pin)):
                raise ValueError(f"{name}: {pin!r} is not a template hash (8 to 64 hex digits of its sha256)")
            try:
                digest = load_template(name).hash
            except CivilError as e:
                raise ValueError(str(e)) from None
            if not digest.startswith(pin):
                raise ValueError(f"prompts/{name}.j2 has sha256 {digest[:12]}, the manifest pins {pin}: the template "
                                 f"changed since this release was defined (pin {digest[:12]} to accept it)")
        return pins

    @field_validator("parts")
    @classmethod
    def _some_part(cls, parts: Parts) -> Parts:
        if not parts.selected():
            raise ValueError(f"names no part (expected some of: {', '.join(PART_ORDER)})")
        return parts

    @model_validator(mode="after")
    def _dependencies_and_paths(self) -> "Manifest":
        chosen = {name for name, _ in self.parts.selected()}
        for name in chosen:
            missing = [dep for dep in DEPENDS_ON.get(name, ()) if dep not in chosen]
            if missing:
                raise ValueError(f"parts.{name}: needs part {missing[0]} in the same manifest (it reads its shards)")
        for name, spec in self.parts.selected():
            if spec.sources and name != "bug_cot":
                raise ValueError(f"parts.{name}.from: only bug_cot harvests real generations")
            spec.sources = [self.resolve(p) for p in spec.sources]
            for path in spec.sources:
                if not path.exists():
                    raise ValueError(f"parts.{name}.from: not found: {path}")
            if spec.docs is not None and not _names_docs(spec.docs):
                spec.docs = self.resolve(Path(spec.docs))
                if not spec.docs.is_dir():
                    raise ValueError(f"parts.{name}.docs: directory not found: {spec.docs}")
        if self.decontaminate is not None and self.decontaminate.cases is not None:
            self.decontaminate.cases = self.resolve(self.decontaminate.cases)
            if not self.decontaminate.cases.is_file():
                raise ValueError(f"decontaminate.cases: file not found: {self.decontaminate.cases}")
        return self

    def resolve(self, path: Path) -> Path:
        path = Path(path).expanduser()
        return path if path.is_absolute() else (self.base_dir / path).resolve()

    def exports(self) -> list[Export]:
        if self.export is None:
            return []
        return self.export if isinstance(self.export, list) else [self.export]


def _names_docs(spec: Path | str) -> bool:
    from civilinstruct.opensees_docs.source import is_named

    return is_named(spec)


def _field_path(loc: tuple[Any, ...]) -> str:
    """`export.Export.format` -> `export.format`: drop pydantic's union-branch tags from the location."""
    def is_tag(p: Any) -> bool:
        text = str(p)
        return text.startswith("function-") or "[" in text or text[:1].isupper()
    return ".".join(str(p) for p in loc if not is_tag(p)) or "manifest"


def _one_line(source: str, exc: ValidationError) -> str:
    err = exc.errors(include_url=False)[0]
    loc = _field_path(tuple(err["loc"]))
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        parent, _, key = loc.rpartition(".")
        where = f" in {parent}" if parent else ""
        hint = f" (expected one of: {', '.join(PART_ORDER)})" if parent == "parts" else ""
        return f"{source}: unknown key {key!r}{where}{hint}"
    if msg.startswith("Value error, "):
        text = msg.removeprefix("Value error, ")
        return f"{source}: {text}" if text.startswith(("parts.", "decontaminate.")) else f"{source}: {loc}: {text}"
    value = err.get("input")
    shown = f" (got {value!r})" if not isinstance(value, dict | list) and value is not None else ""
    others = {o for e in exc.errors()[1:] if not loc.startswith(o := _field_path(tuple(e["loc"])))}
    more = f" (and {len(others)} more)" if others else ""
    return f"{source}: {loc}: {msg.lower()}{shown}{more}"


def parse_manifest(data: Any, *, base_dir: Path = Path("."), source: str = "manifest") -> Manifest:
    """Validate a manifest already loaded from YAML; relative paths resolve against `base_dir`."""
    if not isinstance(data, dict):
        raise CivilError(f"{source}: a manifest is a YAML mapping (got {type(data).__name__})")
    if "base_dir" in data:
        raise CivilError(f"{source}: unknown key 'base_dir'")
    try:
        return Manifest.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        raise CivilError(_one_line(source, exc)) from None


def load_manifest(path: str | Path) -> Manifest:
    """Read and validate a manifest file, or fail with one line naming the file and the field."""
    path = Path(path)
    if not path.is_file():
        raise CivilError(f"{path}: manifest not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CivilError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason}); "
                         "save the manifest as UTF-8") from None
    except OSError as exc:
        raise CivilError(f"{path}: cannot read the manifest ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CivilError(f"{path}: not valid YAML{where}") from None
    except RecursionError:
        raise CivilError(f"{path}: nested too deeply to be a manifest") from None
    return parse_manifest(data, base_dir=path.resolve().parent, source=str(path))


def looks_like_manifest(target: str) -> bool:
    """`civilinstruct build TARGET`: a path (or a .yaml name) is a manifest, a bare part name is one pipeline."""
    return target.endswith((".yaml", ".yml")) or "/" in target or Path(target).is_file()
