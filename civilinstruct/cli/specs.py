"""`civilinstruct specs` (seeded building specs) and `civilinstruct design` (design one building by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from civilinstruct import limits

from civilinstruct.cli.common import console, print_json
from civilinstruct.errors import CivilError


def _spec_from(values: dict[str, Any], spec_file: Path | None, instruction: str | None) -> Any:
    """A `BuildingSpec` from a JSON file, an instruction, or flags (flags override the others)."""
    from pydantic import ValidationError

    from civilinstruct.design import BuildingSpec
    from civilinstruct.physics import codes

    base: dict[str, Any] = {}
    if spec_file is not None:
        try:
            base = json.loads(spec_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CivilError(f"{spec_file}: no such file") from None
        except (OSError, json.JSONDecodeError) as exc:
            raise CivilError(f"{spec_file}: not a JSON spec ({exc})") from None
        if not isinstance(base, dict):
            raise CivilError(f"{spec_file}: a spec is a JSON object")
    elif instruction is not None:
        from civilinstruct.spec.instructions import parse_instruction

        base = parse_instruction(instruction).canonical()
    base.update({k: v for k, v in values.items() if v is not None})
    if "pga_g" in values and values["pga_g"] is not None and values.get("intensity") is None:
        base["intensity"] = codes.intensity_from_pga(values["pga_g"])
    elif "intensity" in base and values.get("pga_g") is None:
        intensity = float(base["intensity"])
        if intensity not in codes.PGA_G:
            raise CivilError(f"unknown seismic intensity {base['intensity']}: GB 50011 uses 7, 7.5, 8, 8.5 or 9")
        base.setdefault("pga_g", codes.PGA_G[intensity])
        if values.get("intensity") is not None:
            base["pga_g"] = codes.PGA_G[intensity]
    try:
        return BuildingSpec(**base)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CivilError(f"invalid spec field {where}: {first['msg']}") from None


def design_summary(d: Any) -> dict[str, Any]:
    """The design as JSON-able data (everything but the per-node load tables)."""
    data = d.model_dump(exclude={"node_load_kn", "node_mass_t"})
    data["t1_s"] = d.t1_s
    data["base_shear_kn"] = d.base_shear_kn
    data["max_drift_ratio"] = f"1/{1 / d.max_drift:.0f}"
    return data


def register(app: typer.Typer) -> None:
    @app.command("specs")
    def specs(
        n: int = typer.Option(10, "--n", callback=limits.cli(limits.count), help="how many specs"),
        seed: int = typer.Option(0, "--seed", callback=limits.cli(limits.seed),
                                 help="sampling seed; same seed, same specs"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Sample building specs inside the GB 50011 limits (function, stories, bays, spans, seismic setting)."""
        from civilinstruct.design import sample_specs

        items = sample_specs(n, seed)
        if as_json:
            print_json([s.canonical() for s in items])
            return
        from rich.table import Table

        table = Table(title=f"{n} specs, seed {seed}")
        for col in ("#", "function", "stories", "h (m)", "bays X x Y", "spans X/Y (m)", "intensity", "group",
                    "site"):
            table.add_column(col)
        for i, s in enumerate(items):
            table.add_row(str(i), s.function, str(s.stories), f"{s.story_height_m:g}", f"{s.bays_x} x {s.bays_y}",
                          f"{s.span_x_m:g}/{s.span_y_m:g}", f"{s.intensity:g} ({s.pga_g:.2f}g)",
                          str(s.design_group), s.site_class)
        console.print(table)

    @app.command("design")
    def design_cmd(
        spec_file: Path | None = typer.Option(None, "--spec", help="JSON file with a building spec"),
        instruction: str | None = typer.Option(None, "--instruction", help="read the building from this text"),
        function: str | None = typer.Option(None, "--function", help="office|residential|mall|hospital|school|factory"),
        stories: int | None = typer.Option(None, "--stories", help="number of stories"),
        story_height: float | None = typer.Option(None, "--story-height", help="story height (m)"),
        bays_x: int | None = typer.Option(None, "--bays-x", help="bays along X"),
        bays_y: int | None = typer.Option(None, "--bays-y", help="bays along Y"),
        span_x: float | None = typer.Option(None, "--span-x", help="span along X (m)"),
        span_y: float | None = typer.Option(None, "--span-y", help="span along Y (m)"),
        intensity: float | None = typer.Option(None, "--intensity", help="7, 7.5, 8, 8.5 or 9"),
        pga: float | None = typer.Option(None, "--pga", help="design PGA in g (sets the intensity)"),
        design_group: int | None = typer.Option(None, "--design-group", help="1, 2 or 3"),
        site_class: str | None = typer.Option(None, "--site-class", help="I0, I1, II, III or IV"),
        code: bool = typer.Option(False, "--code", help="print the generated OpenSeesPy program instead"),
        style_seed: int = typer.Option(0, "--style-seed", help="program style (with --code)"),
        as_json: bool = typer.Option(False, "--json", help="print the design as JSON"),
    ) -> None:
        """Design one RC frame by hand (flags, --spec JSON or --instruction text; flags win).

        Prints the design, or one line naming the rule the building breaks (exit 1).
        """
        from civilinstruct.design import design

        values = {"function": function, "stories": stories, "story_height_m": story_height, "bays_x": bays_x,
                  "bays_y": bays_y, "span_x_m": span_x, "span_y_m": span_y, "intensity": intensity,
                  "pga_g": pga, "design_group": design_group, "site_class": site_class}
        spec = _spec_from(values, spec_file, instruction)
        d = design(spec)
        if code:
            from civilinstruct.codegen import render

            typer.echo(render(d, style_seed), nl=False)
            return
        if as_json:
            print_json(design_summary(d))
            return
        s = d.spec
        console.print(f"[bold]{s.stories}-story {s.function} RC frame[/], H = {s.height_m:g} m, intensity "
                      f"{s.intensity:g} ({s.pga_g:.2f}g), group {s.design_group}, site {s.site_class}")
        console.print(f"{d.concrete}, category {d.category}, seismic grade {d.seismic_grade} (details "
                      f"{d.details_grade}), {d.frame_position} frame; columns "
                      + ", ".join(f"{g.size_m * 1000:.0f} mm ({g.first_story}-{g.last_story}, {g.bars_side.label}/side)"
                                  for g in d.column_groups)
                      + f"; beams {d.beam_b_m * 1000:.0f}x{d.beam_h_m * 1000:.0f} mm ({d.beam_bars.label})")
        console.print(f"T1 = {d.t1_s:.3f} s (empirical {d.empirical_t1_s:.3f} s), base shear {d.base_shear_kn:.0f} kN, "
                      f"max drift 1/{1 / d.max_drift:.0f}, axial ratio {d.max_axial_ratio:.2f} <= {d.axial_limit:.2f}, "
                      f"beam D/C {d.max_beam_dc:.2f}, column D/C {d.max_column_dc:.2f}, gravity-only D/C "
                      f"{d.max_gravity_dc:.2f}, shear D/C {d.max_shear_dc:.2f}, strong column {d.scwb_ratio:.2f}, "
                      f"sum G/(D h) {d.max_theta:.3f}: all checks pass")
