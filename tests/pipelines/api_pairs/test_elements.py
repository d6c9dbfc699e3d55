"""What an element type needs (`api_pairs.elements`), and node coordinates that make a valid element of it."""

from __future__ import annotations

import itertools
import math

import pytest

from civilinstruct.pipelines.api_pairs.elements import ELEMENTS, coordinates, needs_for


def test_known_types_and_the_frame_fallback() -> None:
    assert needs_for("stdBrick", set()) == ELEMENTS["stdbrick"] and needs_for("stdBrick", set()).nodes == 8
    assert needs_for("ShellMITC4", set()).material == "plate"
    unknown = needs_for("someNewElement", set())
    assert (unknown.ndm, unknown.ndf, unknown.nodes, unknown.material) == (2, 3, 2, "section")


def test_a_frame_form_with_3d_properties_is_the_3d_element() -> None:
    three_d = needs_for("elasticBeamColumn", {"Area", "E_mod", "G_mod", "Jxx", "Iy", "Iz"})
    assert (three_d.ndm, three_d.ndf, three_d.nodes) == (3, 6, 2)
    assert needs_for("quad", {"Iy"}).ndm == 2  # only two-node frame forms are lifted to 3D


@pytest.mark.parametrize("name", sorted(ELEMENTS))
def test_coordinates_give_distinct_nodes_in_the_models_dimension(name: str) -> None:
    needs = ELEMENTS[name]
    points = coordinates(needs.nodes, needs.ndm, 2.0, needs.zero_length)
    assert len(points) == needs.nodes and all(len(p) == needs.ndm for p in points)
    if needs.zero_length:
        assert all(p == points[0] for p in points)  # a zero-length element's nodes coincide
    else:
        assert all(math.dist(a, b) > 0 for a, b in itertools.combinations(points, 2)), name


def test_a_two_node_member_lies_along_y_with_the_span() -> None:
    assert coordinates(2, 2, 3.5, False) == [[0.0, 0.0], [0.0, 3.5]]
    assert coordinates(2, 3, 3.5, False) == [[0.0, 0.0, 0.0], [0.0, 3.5, 0.0]]
    quad = coordinates(4, 2, 1.0, False)
    area = 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(quad, quad[1:] + quad[:1]))  # signed
    assert area == 1.0  # counter-clockwise unit square, as quad elements expect
