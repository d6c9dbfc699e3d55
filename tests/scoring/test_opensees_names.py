"""scoring.opensees_names: the star-import names, as data, must match the installed OpenSeesPy exactly."""

from __future__ import annotations

import json
import subprocess
import sys

from civilinstruct.scoring.opensees_names import OPENSEES_NAMES


def test_names_match_the_installed_module() -> None:
    """Guards the AST check against drift: a name missing here would be reported as undefined in a star-import
    program, an extra one would hide a real NameError. Read in a child so the native module stays out of this
    process."""
    code = ("import json, openseespy.opensees as o\n"
            "print(json.dumps(sorted(n for n in dir(o) if not n.startswith('_'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    installed = set(json.loads(out.stdout.strip().splitlines()[0]))
    assert sorted(installed - OPENSEES_NAMES) == []
    assert sorted(OPENSEES_NAMES - installed) == []
    assert {"node", "element", "eigen", "wipe"} <= OPENSEES_NAMES
