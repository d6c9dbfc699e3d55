"""Read an OpenSeesPy program as a list of `ops.<command>(...)` calls with their places in the source.

Generated programs call OpenSeesPy through an alias (`import openseespy.opensees as ops`) or a star import;
both are recognised. Edits are made on lines, so a program keeps its formatting and line numbers stay readable.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class OpsCall:
    """One call of an OpenSeesPy command: where it is and its arguments as source text."""

    command: str
    lineno: int          # 1-based, first line of the call
    end_lineno: int
    stmt_lineno: int     # the statement that holds the call (an assignment, an expression, ...)
    stmt_end_lineno: int
    top_level: bool      # the statement is at module level (not inside a loop, function or branch)
    args: tuple[str, ...]

    @property
    def kind(self) -> str | None:
        """The first string argument (element or material type, 'Static', ...), if any."""
        if self.args and re.fullmatch(r"""(['"])[^'"]*\1""", self.args[0]):
            return self.args[0][1:-1]
        return None


@lru_cache(maxsize=256)
def ops_calls(program: str) -> tuple[OpsCall, ...]:
    """Every OpenSeesPy call in source order; empty when the program does not parse (one walk of the tree)."""
    try:
        tree = ast.parse(program)
    except SyntaxError:
        return ()
    starts = [0]
    for text in program.splitlines(keepends=True):
        starts.append(starts[-1] + len(text.encode("utf-8")))
    raw = program.encode("utf-8")

    def segment(node: ast.expr) -> str:
        # ast.get_source_segment re-splits the whole source per call: quadratic on long programs
        begin = starts[node.lineno - 1] + node.col_offset
        end = starts[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or 0)
        return raw[begin:end].decode("utf-8")

    aliases: set[str] = set()
    star = False
    found: list[tuple[ast.Call, ast.stmt, bool]] = []
    stack: list[tuple[ast.AST, ast.stmt | None, bool]] = [(stmt, stmt, True) for stmt in reversed(tree.body)]
    while stack:
        node, stmt, top = stack.pop()
        if isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name.startswith("openseespy")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openseespy"):
            star = star or any(a.name == "*" for a in node.names)
        elif isinstance(node, ast.Call):
            found.append((node, stmt, top))  # type: ignore[arg-type]
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):  # a statement inside a block: not top level
                stack.append((child, child, False))
            else:
                stack.append((child, stmt, top))
    calls: list[OpsCall] = []
    for node, stmt, top in found:
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in aliases:
            name = func.attr
        elif star and isinstance(func, ast.Name):
            name = func.id
        else:
            continue
        calls.append(OpsCall(name, node.lineno, node.end_lineno or node.lineno, stmt.lineno,
                             stmt.end_lineno or stmt.lineno, top, tuple(segment(a) for a in node.args)))
    return tuple(sorted(calls, key=lambda c: (c.lineno, c.end_lineno)))


def top_statement_end(program: str, line: int) -> int:
    """Last line of the module-level statement that contains `line` (a loop, a block, or a simple statement)."""
    try:
        tree = ast.parse(program)
    except SyntaxError:
        return line
    for stmt in tree.body:
        if stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno):
            return stmt.end_lineno or stmt.lineno
    return line


def calls_of(program: str, command: str) -> list[OpsCall]:
    return [c for c in ops_calls(program) if c.command == command]


def ops_prefix(program: str) -> str:
    """How the program calls OpenSeesPy: 'ops.' (or its alias) or '' for a star import."""
    match = re.search(r"^\s*import\s+openseespy\.opensees\s+as\s+(\w+)", program, re.M)
    return f"{match.group(1)}." if match else ("" if "from openseespy" in program else "ops.")


def lines_of(program: str) -> list[str]:
    return program.splitlines()


def join(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def rewrite_call(program: str, call: OpsCall, args: list[str] | tuple[str, ...]) -> str | None:
    """The program with one single-line call's arguments replaced; None when they are not written `a, b, c`."""
    lines = lines_of(program)
    old = ", ".join(call.args)
    if old not in lines[call.lineno - 1]:
        return None
    lines[call.lineno - 1] = lines[call.lineno - 1].replace(old, ", ".join(args), 1)
    return join(lines)


def assigned_names(program: str) -> set[str]:
    """Names the program binds (assignments, loop targets, functions, imports)."""
    try:
        tree = ast.parse(program)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def numeric_assignments(program: str) -> list[tuple[str, int, str]]:
    """Module-level `NAME = <number>` assignments: (name, line, number text)."""
    out = []
    for i, line in enumerate(program.splitlines(), start=1):
        match = re.match(r"^(\w+)\s*=\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?:#.*)?$", line)
        if match:
            out.append((match.group(1), i, match.group(2)))
    return out


def node_coordinates(program: str) -> dict[int, tuple[float, ...]]:
    """Nodes defined with literal tag and coordinates (loops and computed tags are skipped)."""
    nodes: dict[int, tuple[float, ...]] = {}
    for call in calls_of(program, "node"):
        try:
            values = [float(ast.literal_eval(a)) for a in call.args]
        except (ValueError, SyntaxError, TypeError):
            continue
        if len(values) >= 2 and values[0].is_integer():
            nodes[int(values[0])] = tuple(values[1:])
    return nodes


def model_dims(program: str) -> tuple[int | None, int | None]:
    """(ndm, ndf) from the `model` call, when they are literals."""
    for call in calls_of(program, "model"):
        flat = [a.strip("'\"") for a in call.args]
        ndm = _after(flat, "-ndm")
        ndf = _after(flat, "-ndf")
        return ndm, ndf
    return None, None


def _after(flat: list[str], flag: str) -> int | None:
    if flag in flat and flat.index(flag) + 1 < len(flat):
        try:
            return int(flat[flat.index(flag) + 1])
        except ValueError:
            return None
    return None


def compiles(program: str) -> bool:
    """Whether Python can compile the program (a repair of a syntax error must at least do that)."""
    try:
        compile(program, "<program>", "exec")
    except SyntaxError:
        return False
    return True
