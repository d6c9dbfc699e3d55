"""opensees_docs.rst: one reStructuredText page of the OpenSeesPy docs read into a DocPage, line by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from civilinstruct.opensees_docs.rst import parse_rst, parse_rst_file

PAGE = """\
.. include:: sub.txt

==========
 Steel01
==========

.. function:: uniaxialMaterial('Steel01', matTag, Fy, E0, b, a1, a2, a3, a4)
   :noindex:

   This command is used to construct a uniaxial bilinear steel material object.

   ===================================   ===========================================================================
   ``matTag`` |int|                      integer tag identifying material
   ``Fy`` |float|                        yield strength
   ``b`` |float|                         strain-hardening ratio (ratio between post-yield tangent
                                         and initial elastic tangent)
   ``a1`` |float|                        isotropic hardening parameter, :math:`a_1`
   ===================================   ===========================================================================

.. code-block:: python

      ops.uniaxialMaterial('Steel01', 1, 60.0, 30000.0, 0.01)
      ops.uniaxialMaterial('Steel01', 2, 50.0, 29000.0, 0.02)

.. note::

   If strain-hardening ratio is zero and you do not expect softening of your system use ``BandSPD``.
"""


def test_a_material_page_by_hand() -> None:
    """Guards every piece of a typical page: title between rules, the signature with its type literal, the first
    paragraph as summary, table rows with substituted types, a continued description joined, math markup
    removed, the note and the example (dedented)."""
    page = parse_rst(PAGE, "src/steel01.rst")
    assert page.title == "Steel01" and page.skipped is None
    (sig,) = page.signatures
    assert (sig.function, sig.type_name, [p.name for p in sig.params]) == (
        "uniaxialMaterial", "Steel01", ["matTag", "Fy", "E0", "b", "a1", "a2", "a3", "a4"])
    assert page.summary == "This command is used to construct a uniaxial bilinear steel material object."
    args = {a.name: a for a in page.args}
    assert list(args) == ["matTag", "Fy", "b", "a1"]
    assert (args["matTag"].type, args["Fy"].type) == ("int", "float")
    assert args["b"].description == ("strain-hardening ratio (ratio between post-yield tangent and initial elastic "
                                     "tangent)")
    assert args["a1"].description == "isotropic hardening parameter, a_1"
    assert page.notes == ["If strain-hardening ratio is zero and you do not expect softening of your system use "
                          "BandSPD."]
    assert page.examples == ["ops.uniaxialMaterial('Steel01', 1, 60.0, 30000.0, 0.01)\n"
                             "ops.uniaxialMaterial('Steel01', 2, 50.0, 29000.0, 0.02)"]


def test_field_lists_and_ops_prefix() -> None:
    """Guards the other argument style (`:param type name: text`) and a `py:function` with an `ops.` prefix."""
    text = ("Node\n====\n\n.. py:function:: ops.node(nodeTag, *crds)\n\n   Create a node.\n\n"
            "   :param int nodeTag: node tag\n   :param list (float) crds: ``x`` and ``y``\n")
    page = parse_rst(text)
    assert page.signatures[0].function == "node"
    assert [(a.name, a.type, a.description) for a in page.args] == [("nodeTag", "int", "node tag"),
                                                                     ("crds", "list (float)", "x and y")]


def test_pages_without_commands_say_why(tmp_path: Path) -> None:
    """Guards `skipped`: an index page, a guide, a page with a Tcl line only, and an unreadable file."""
    assert parse_rst(".. toctree::\n   :maxdepth: 1\n\n   src/node\n").skipped == \
        "section index page (lists other pages)"
    assert parse_rst("Guide\n=====\n\nSome text.\n").skipped == "example or guide page (no command documented)"
    # a Tcl line is not a `.. function::` directive the reader accepts: the page documents no command
    assert parse_rst(".. function:: node $tag $x $y ()\n").skipped == "example or guide page (no command documented)"
    gone = parse_rst_file(tmp_path / "absent.rst")
    assert gone.skipped is not None and gone.skipped.startswith("unreadable: ")


def test_a_note_ends_where_the_next_directive_starts() -> None:
    """Guards the note/example boundary: a code block after a note is an example, not more note text."""
    text = (".. function:: fix(nodeTag, *constrValues)\n\n   Fix a node.\n\n.. note::\n\n   Use it once.\n\n"
            ".. code-block:: python\n\n      ops.fix(1, 1, 1, 1)\n")
    page = parse_rst(text)
    assert page.examples == ["ops.fix(1, 1, 1, 1)"]
    assert page.notes == ["Use it once."]
