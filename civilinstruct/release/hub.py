"""The Hugging Face side of a release: the Hub-ready folder, its dataset card, and the upload.

The folder is `data/<part>/<split>-00000-of-00001.parquet` plus a README.md whose YAML front matter declares one
config per part, so `datasets.load_dataset(DIR, "<part>")` works on the folder as it does on the Hub repo.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import yaml

from civilinstruct.errors import CivilError
from civilinstruct.release.rows import SCORE_PART, SplitWriters, iter_split_batches, score_parts_as_list
from civilinstruct.release.splits import SplitPlan
from civilinstruct.store import SCHEMA, SampleStore

if TYPE_CHECKING:
    from civilinstruct.release.manifest import Manifest

CARD_TEMPLATE = "dataset_card.md.j2"
PART_TITLES = {
    "api_pairs": "Part 1: API instruction-code pairs from the OpenSeesPy documentation, every snippet executed",
    "long_code": "Part 2: long, complete OpenSeesPy programs for sampled and seismically designed RC frames",
    "bug_cot": "Part 3: Bug-CoT, real execution failures with a structured debugging chain of thought and the fix",
    "expert": "Part 4: expert programs (score > 90) with the FE fundamental period T1 as ground truth",
}
CITATION = """@article{jiang2026rethinking,
  title={Rethinking Scientific Modeling: Toward Physically Consistent and Simulation-Executable Programmatic Generation},
  author={Jiang, Yongqing and Wang, Jianze and Shen, Zhiqi and Lin, Zhenghong and Wang, Jiayuan and Yang, Yijian and Dai, Kaoshan and Luo, Haoran},
  journal={arXiv preprint arXiv:2602.07083},
  year={2026}
}"""


def hf_schema() -> pa.Schema:
    """The shard schema with `score_parts` as a list of {name, value} (Arrow maps do not load in `datasets`)."""
    fields = [pa.field("score_parts", pa.list_(SCORE_PART)) if f.name == "score_parts" else f for f in SCHEMA]
    return pa.schema(fields)


def hf_features(schema: pa.Schema) -> list[dict[str, Any]]:
    """`dataset_info.features` in the card's YAML form (name + dtype / list / struct)."""
    return [{"name": f.name, **_feature(f.type)} for f in schema]


def _feature(t: pa.DataType) -> dict[str, Any]:
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        inner = _feature(t.value_type)
        return {"list": inner["dtype"] if "dtype" in inner else inner.get("struct", inner)}
    if pa.types.is_struct(t):
        return {"struct": [{"name": t.field(i).name, **_feature(t.field(i).type)} for i in range(t.num_fields)]}
    if pa.types.is_timestamp(t):
        return {"dtype": f"timestamp[{t.unit}, tz={t.tz}]" if t.tz else f"timestamp[{t.unit}]"}
    names = {pa.string(): "string", pa.large_string(): "large_string", pa.float64(): "float64",
             pa.float32(): "float32", pa.int64(): "int64", pa.int32(): "int32", pa.bool_(): "bool"}
    return {"dtype": names.get(t, str(t))}


def write_hf(store: SampleStore, parts: list[str], plan: SplitPlan, out: Path, *,
             manifest: Manifest | None = None) -> dict[str, int]:
    """Write the parquet files and README.md of a Hub dataset repository into `out` (an empty folder)."""
    schema = hf_schema()
    files: dict[str, int] = {}
    with SplitWriters() as writers:
        for part in parts:
            (out / "data" / part).mkdir(parents=True, exist_ok=True)
            for split, table in iter_split_batches(store, part, plan):
                idx = table.schema.get_field_index("score_parts")
                table = table.set_column(idx, "score_parts", score_parts_as_list(table.column("score_parts")))
                writers.write(str(out / "data" / part / f"{split}-00000-of-00001.parquet"),
                              table.select(schema.names).cast(schema))
    files.update(writers.rows)
    card = render_card(out, parts, plan, manifest=manifest)
    (out / "README.md").write_text(card, encoding="utf-8")
    return files


def _lineage_summary(out: Path, part: str) -> dict[str, Any]:
    """Generators, pipeline versions, prompt templates and execution outcomes of one exported part (via DuckDB)."""
    import duckdb

    if not any((out / "data" / part).glob("*.parquet")):  # every row left out (e.g. expert buildings out of SFT)
        return {"generators": {}, "pipelines": {}, "prompt_templates": {}, "seeds": {}, "execution": {},
                "mean_score": None, "created": ["", ""], "derived": 0, "docs": {}, "docs_licenses": []}
    glob = str(out / "data" / part / "*.parquet").replace("'", "''")
    con = duckdb.connect()
    try:
        def counts(expr: str) -> dict[str, int]:
            rows = con.execute(f"SELECT coalesce(CAST({expr} AS VARCHAR), 'none') AS k, count(*) "
                               f"FROM read_parquet('{glob}') GROUP BY k ORDER BY count(*) DESC, k").fetchall()
            return {str(k): int(n) for k, n in rows}

        score = con.execute(f"SELECT avg(score), min(lineage.created_at), max(lineage.created_at) "
                            f"FROM read_parquet('{glob}')").fetchone()
        return {"generators": counts("lineage.generator"), "pipelines": counts(
                    "lineage.pipeline || '/' || lineage.pipeline_version"),
                "prompt_templates": counts("lineage.prompt_template"), "seeds": counts("lineage.seed"),
                "execution": counts("execution.status"), "mean_score": None if score[0] is None else round(score[0], 2),
                "created": [str(score[1])[:19], str(score[2])[:19]],
                "derived": con.execute(f"SELECT count(*) FROM read_parquet('{glob}') "
                                       f"WHERE len(lineage.parent_ids) > 0").fetchone()[0],
                "docs": {k: v for k, v in counts("json_extract_string(extra, '$.docs')").items() if k != "none"},
                "docs_licenses": _docs_licenses(con, glob)}
    finally:
        con.close()


def _docs_licenses(con: Any, glob: str) -> list[str]:
    """The licence notes of the documentation a part was built from (api_pairs from the upstream docs)."""
    rows = con.execute(f"SELECT DISTINCT json_extract_string(extra, '$.docs_license') AS l FROM read_parquet('{glob}') "
                       f"WHERE l IS NOT NULL ORDER BY l").fetchall()
    return [r[0] for r in rows]


def upstream_licenses(folder: str | Path) -> list[str]:
    """Licence notes that an hf export folder carries from upstream documentation (`publish` prints them first)."""
    import duckdb

    files = sorted(Path(folder).glob("data/*/*.parquet"))
    if not files:
        return []
    con = duckdb.connect()
    try:
        glob = str(Path(folder) / "data" / "*" / "*.parquet").replace("'", "''")
        return _docs_licenses(con, glob)
    finally:
        con.close()


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "n>1M"


def card_metadata(out: Path, parts: list[str], plan: SplitPlan, manifest: Manifest | None = None) -> dict[str, Any]:
    """The YAML front matter: configs (one per part), dataset_info with features and split sizes, and tags."""
    configs, infos = [], []
    features = hf_features(hf_schema())
    total = 0
    for i, part in enumerate(parts):
        split_files = sorted((out / "data" / part).glob("*.parquet"))
        splits = []
        for split in ("train", "validation", "test"):
            chosen = [p for p in split_files if p.name.startswith(f"{split}-")]
            if chosen:
                splits.append({"name": split, "num_bytes": sum(p.stat().st_size for p in chosen),
                               "num_examples": int(plan.counts[part][split])})
        total += sum(s["num_examples"] for s in splits)
        config: dict[str, Any] = {"config_name": part, "data_files": [
            {"split": s["name"], "path": f"data/{part}/{s['name']}-*.parquet"} for s in splits]}
        if i == 0:
            config["default"] = True
        configs.append(config)
        infos.append({"config_name": part, "features": features, "splits": splits,
                      "download_size": sum(p.stat().st_size for p in split_files),
                      "dataset_size": sum(s["num_bytes"] for s in splits)})
    name = getattr(manifest, "name", "civilinstruct")
    return {"pretty_name": f"{name} ({getattr(manifest, 'version', 'v1')})", "license": "apache-2.0",
            "language": ["en", "zh"], "task_categories": ["text-generation"],
            "tags": ["code", "openseespy", "structural-engineering", "seismic-design", "instruction-tuning",
                     "grpo", "civilinstruct"],
            "size_categories": [_size_category(total)], "configs": configs, "dataset_info": infos}


def render_card(out: Path, parts: list[str], plan: SplitPlan, *, manifest: Manifest | None = None) -> str:
    """README.md: YAML front matter + the card's sections, rendered with jinja2."""
    import jinja2

    metadata = card_metadata(out, parts, plan, manifest)
    env = jinja2.Environment(loader=jinja2.PackageLoader("civilinstruct.release", "templates"),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    lineage = {part: _lineage_summary(out, part) for part in parts}
    if any(summary["docs_licenses"] for summary in lineage.values()):
        # rows derived from the upstream OpenSeesPy docs carry its terms: the Hub's "other" licence, named per config
        metadata["license"] = "other"
        metadata["license_name"] = "apache-2.0-and-openseespy-documentation-terms"
    body = env.get_template(CARD_TEMPLATE).render(
        meta=metadata, parts=parts, titles=PART_TITLES, counts={p: dict(plan.counts[p]) for p in parts},
        plan=plan, lineage=lineage, manifest=manifest, citation=CITATION,
        manifest_yaml=_manifest_yaml(manifest), created=datetime.now(UTC).strftime("%Y-%m-%d"),
        requested={name: spec.n if spec.n is not None else "default" for name, spec in manifest.parts.selected()}
        if manifest else {}, held_out=manifest.splits if manifest else None)
    front = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=120)
    return f"---\n{front}---\n\n" + re.sub(r"\n{3,}", "\n\n", body)


def _manifest_yaml(manifest: Manifest | None) -> str | None:
    if manifest is None:
        return None
    data = manifest.model_dump(mode="json", exclude_none=True)
    for spec in data.get("parts", {}).values():  # absolute paths of the builder's machine say nothing to a reader
        if spec.get("docs"):
            spec["docs"] = Path(spec["docs"]).name
    if data.get("decontaminate", {}).get("cases"):
        data["decontaminate"]["cases"] = Path(data["decontaminate"]["cases"]).name
    return yaml.safe_dump(data, sort_keys=False, width=120).strip()


# -- publishing ------------------------------------------------------------------------------------------------

def check_export_dir(folder: Path) -> list[str]:
    """The configs an hf export folder declares; fails with one line if it is not one."""
    readme = folder / "README.md"
    if not folder.is_dir():
        raise CivilError(f"{folder}: no such folder (make one with `civilinstruct export DATA --format hf --out DIR`)")
    if not readme.is_file() or not (folder / "data").is_dir():
        raise CivilError(f"{folder}: not an hf export (needs README.md and data/; "
                         f"make one with `civilinstruct export DATA --format hf --out DIR`)")
    text = readme.read_text(encoding="utf-8")
    try:
        front = yaml.safe_load(text.split("---", 2)[1]) if text.startswith("---") else None
    except (yaml.YAMLError, IndexError):
        front = None
    configs = [c.get("config_name") for c in (front or {}).get("configs") or [] if isinstance(c, dict)]
    if not configs:
        raise CivilError(f"{readme}: the dataset card declares no configs in its YAML front matter")
    return configs


def publish(folder: str | Path, repo: str, *, private: bool = False, token: str | None = None,
            endpoint: str | None = None, timeout_s: float = 60.0, deadline_s: float = 6 * 3600.0) -> str:
    """Create (or reuse) the dataset repo and upload the folder in one commit; returns the commit URL.

    Every HTTP request gets `timeout_s` (huggingface_hub's default is none: a silent endpoint hangs for ever) and
    the whole publish `deadline_s`, so a Hub that never answers, or answers in a loop, fails with one line.
    """
    folder = Path(folder)
    check_export_dir(folder)
    if repo.count("/") != 1 or not all(repo.split("/")):
        raise CivilError(f"--repo {repo!r}: expected OWNER/NAME")
    if not token:
        from huggingface_hub import get_token

        token = os.environ.get("HF_TOKEN") or get_token()  # HF_TOKEN, else what `hf auth login` stored
    if not token:
        raise CivilError("no Hugging Face token: run `hf auth login`, or create a write token at "
                         "https://huggingface.co/settings/tokens and export HF_TOKEN=...")
    endpoint = endpoint or os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    from huggingface_hub import HfApi, constants

    if constants.HF_HUB_OFFLINE:
        raise CivilError("HF_HUB_OFFLINE is set: unset it to publish")
    from huggingface_hub.errors import HfHubHTTPError

    api = HfApi(endpoint=endpoint, token=token)

    def upload() -> Any:
        api.create_repo(repo, repo_type="dataset", private=private, exist_ok=True)
        return api.upload_folder(repo_id=repo, repo_type="dataset", folder_path=str(folder),
                                 commit_message="civilinstruct release", ignore_patterns=[".civilinstruct-*", ".*"])

    try:
        with _request_timeout(timeout_s):
            info = _within(upload, deadline_s, f"{endpoint}: the publish did not finish within {deadline_s:g} s")
    except HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CivilError(f"{endpoint}: the Hub refused the upload (HTTP {status}): {first}") from None
    except (OSError, ConnectionError) as exc:
        raise CivilError(f"{endpoint}: cannot reach the Hub ({_reason(exc)})") from None
    except (ValueError, KeyError, TypeError) as exc:  # a 200 whose body is not the JSON the Hub API sends
        raise CivilError(f"{endpoint}: the Hub gave an answer that is not its API's JSON ({_reason(exc)})") from None
    except Exception as exc:  # transport errors of the HTTP client (httpx, or its vendored copy) are no OSError
        if _is_transport_error(exc):
            what = "no answer within the request timeout" if _is_timeout(exc) else "cannot reach the Hub"
            raise CivilError(f"{endpoint}: {what} ({_reason(exc)}; see --timeout)") from None
        raise
    return str(getattr(info, "commit_url", info))


@contextmanager
def _request_timeout(timeout_s: float) -> Iterator[None]:
    """huggingface_hub's shared HTTP client, with `timeout_s` on connect, read, write and pool, while inside."""
    from huggingface_hub.utils import _http

    def factory() -> Any:
        client = _http.default_client_factory()
        client.timeout = _http.httpx2.Timeout(timeout_s)
        return client

    _http.set_client_factory(factory)
    try:
        yield
    finally:
        _http.set_client_factory(_http.default_client_factory)


def _within(call: Any, deadline_s: float, message: str) -> Any:
    """`call()` in a daemon thread; its result or exception, or `CivilError(message)` after `deadline_s`."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=run, name="civilinstruct-publish", daemon=True)
    worker.start()
    worker.join(deadline_s)
    if worker.is_alive():
        raise CivilError(message)
    if "error" in box:
        raise box["error"]
    return box["value"]


def _is_timeout(exc: BaseException) -> bool:
    return any("Timeout" in c.__name__ for c in type(exc).__mro__)


def _is_transport_error(exc: BaseException) -> bool:
    names = {c.__name__ for c in type(exc).__mro__}
    module = type(exc).__module__.split(".")[0]
    return bool(names & {"TransportError", "RequestError", "TimeoutException"}) or module.startswith(
        ("httpx", "httpcore", "requests", "urllib3"))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__

