"""r_ast: tiered OpenSeesPy API coverage of a program, minus a penalty for names it never defines.

Static, so it works on programs that never run. Two things must be right for the score to mean anything:
which calls reach OpenSeesPy (through any alias: `import openseespy.opensees as ops`, `o = ops`,
`from openseespy.opensees import node as n`, or a star import), and which names are undefined, which
depends on Python's scoping (functions, classes, comprehensions, `global`/`nonlocal`). Scopes come
from the standard `symtable` module, the compiler's own view, rather than a hand-written walker.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from dataclasses import dataclass, field

from civilinstruct.scoring.opensees_names import OPENSEES_NAMES
from civilinstruct.scoring.tiers import API_TIERS, tier_coverage

UNDEFINED_PENALTY = 0.1  # per distinct undefined name
MAX_PENALTY = 0.5
OPENSEES_MODULES = frozenset({"openseespy.opensees", "opensees"})

_MODULE_DUNDERS = frozenset({"__name__", "__file__", "__doc__", "__builtins__", "__spec__", "__loader__",
                             "__package__", "__annotations__", "__dict__"})
_BUILTINS = frozenset(dir(builtins)) | _MODULE_DUNDERS
# Star imports we can resolve without importing anything heavy; any other star import disables the
# undefined-name check for module-level names (it could define anything).
_STAR_SAFE = ("math", "cmath", "random", "statistics", "os.path", "itertools", "functools", "time")


@dataclass(slots=True)
class AstReport:
    """What the static check found: the OpenSeesPy commands called, undefined names, r_ast and its parts."""

    parsed: bool
    calls: set[str] = field(default_factory=set)
    undefined: set[str] = field(default_factory=set)
    coverage: dict[str, float] = field(default_factory=dict)
    score: float = 0.0


def ast_reward(code: str | None) -> float:
    """r_ast in [0, 1]; 0 for no program or one that does not parse.

    >>> ast_reward("import openseespy.opensees as ops\\nops.wipe()\\nops.model('basic', '-ndm', 2)")
    0.1
    """
    return analyze(code).score


def analyze(code: str | None) -> AstReport:
    """Parse `code`, find its OpenSeesPy calls and undefined names, and score them (see module docstring)."""
    if not code:
        return AstReport(parsed=False)
    try:
        tree = ast.parse(code)
        table = symtable.symtable(code, "<program>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return AstReport(parsed=False)
    calls = _CallFinder(tree).calls
    undefined = _undefined_names(tree, table)
    coverage = tier_coverage(calls)
    raw = sum(API_TIERS[tier][0] * c for tier, c in coverage.items())
    penalty = min(MAX_PENALTY, UNDEFINED_PENALTY * len(undefined))
    score = round(max(0.0, raw - penalty), 6)
    return AstReport(parsed=True, calls=calls, undefined=undefined, coverage=coverage, score=score)


class _CallFinder(ast.NodeVisitor):
    """Collect OpenSeesPy commands called anywhere, resolving module aliases per scope.

    Aliases are tracked per function scope (a parameter or local named `ops` shadows the module alias);
    star-imported and `from`-imported command names are tracked the same way.
    """

    def __init__(self, tree: ast.Module) -> None:
        self.calls: set[str] = set()
        # each scope: name -> ("module", "") for a module alias, ("command", cmd) for an imported command,
        # ("other", "") for a binding that shadows either.
        self._scopes: list[dict[str, tuple[str, str]]] = [{}]
        self._collect_bindings(tree.body, self._scopes[0])
        self.visit(tree)

    # --- bindings -------------------------------------------------------------------------------------
    def _collect_bindings(self, body: list[ast.stmt], scope: dict[str, tuple[str, str]]) -> None:
        """Pre-scan a scope's statements (not nested functions) for imports and alias assignments."""
        pending: list[ast.AST] = list(body)
        while pending:
            node = pending.pop(0)
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in OPENSEES_MODULES and (a.asname or "." not in a.name):
                        scope[a.asname or a.name] = ("module", "")  # `import ... as ops`, or `import opensees`
                    elif a.name in OPENSEES_MODULES or a.name == "openseespy":
                        scope[a.name.split(".")[0]] = ("package", "")
                    else:
                        scope[(a.asname or a.name).split(".")[0]] = ("other", "")
            elif isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                for a in node.names:
                    if mod in OPENSEES_MODULES and a.name == "*":
                        for n in OPENSEES_NAMES:
                            scope.setdefault(n, ("command", n))
                    elif mod in OPENSEES_MODULES:
                        scope[a.asname or a.name] = ("command", a.name)
                    elif mod == "openseespy" and a.name == "opensees":
                        scope[a.asname or a.name] = ("module", "")
                    elif a.name != "*":
                        scope[a.asname or a.name] = ("other", "")
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = node.value
                kind = self._resolve_value(value, scope) if value is not None else None
                for t in targets:
                    if isinstance(t, ast.Name):
                        scope[t.id] = kind or ("other", "")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                scope[node.name] = ("other", "")
            elif isinstance(node, (ast.If, ast.For, ast.While, ast.With, ast.Try, ast.AsyncFor, ast.AsyncWith)):
                # loop and with targets bind in this scope (unlike comprehension variables)
                targets = [node.target] if isinstance(node, (ast.For, ast.AsyncFor)) else [
                    item.optional_vars for item in getattr(node, "items", []) if item.optional_vars is not None]
                for target in targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            scope[name.id] = ("other", "")
                for attr in ("body", "orelse", "finalbody"):
                    pending.extend(getattr(node, attr, []))
                for handler in getattr(node, "handlers", []):
                    pending.extend(handler.body)

    def _resolve_value(self, value: ast.expr, scope: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
        """What an assigned value is: a module alias (`o = ops`), a command (`n = ops.node`), or nothing."""
        if isinstance(value, ast.Name):
            return self._lookup(value.id, scope)
        if isinstance(value, ast.Attribute):
            owner = self._owner(value.value, scope)
            if owner == "module":
                return ("command", value.attr)
            if owner == "package" and value.attr == "opensees":
                return ("module", "")
        return None

    def _lookup(self, name: str, extra: dict[str, tuple[str, str]] | None = None) -> tuple[str, str] | None:
        if extra is not None and name in extra:
            return extra[name]
        for scope in reversed(self._scopes):
            if name in scope:
                return scope[name]
        return None

    def _owner(self, expr: ast.expr, scope: dict[str, tuple[str, str]] | None = None) -> str | None:
        """'module' when `expr` is the opensees module (through any alias), 'package' for `openseespy`."""
        if isinstance(expr, ast.Name):
            found = self._lookup(expr.id, scope)
            return found[0] if found else None
        if isinstance(expr, ast.Attribute) and expr.attr == "opensees" and self._owner(expr.value, scope) == "package":
            return "module"
        return None

    # --- scopes ---------------------------------------------------------------------------------------
    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            self.visit(default)
        if not isinstance(node, ast.Lambda):
            for deco in node.decorator_list:
                self.visit(deco)
        scope: dict[str, tuple[str, str]] = {}
        args = node.args
        for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if a is not None:
                scope[a.arg] = ("other", "")
        self._scopes.append(scope)
        body = node.body if isinstance(node.body, list) else [node.body]
        if isinstance(node.body, list):
            self._collect_bindings(node.body, scope)
            for stmt in body:  # `global ops` inside a function: the module binding stays visible
                if isinstance(stmt, (ast.Global, ast.Nonlocal)):
                    for n in stmt.names:
                        scope.pop(n, None)
        for stmt in body:
            self.visit(stmt)
        self._scopes.pop()

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function
    visit_Lambda = _visit_function

    def _visit_comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        scope: dict[str, tuple[str, str]] = {}
        for gen in node.generators:
            self.visit(gen.iter)
            for t in ast.walk(gen.target):
                if isinstance(t, ast.Name):
                    scope[t.id] = ("other", "")
        self._scopes.append(scope)
        for gen in node.generators:
            for cond in gen.ifs:
                self.visit(cond)
        for part in ("elt", "key", "value"):
            if hasattr(node, part):
                self.visit(getattr(node, part))
        self._scopes.pop()

    visit_ListComp = _visit_comprehension
    visit_SetComp = _visit_comprehension
    visit_GeneratorExp = _visit_comprehension
    visit_DictComp = _visit_comprehension

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and self._owner(func.value) == "module":
            self.calls.add(func.attr)
        elif isinstance(func, ast.Name):
            found = self._lookup(func.id)
            if found and found[0] == "command":
                self.calls.add(found[1])
        elif (isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "getattr"
              and len(func.args) >= 2 and self._owner(func.args[0]) == "module"
              and isinstance(func.args[1], ast.Constant) and isinstance(func.args[1].value, str)):
            self.calls.add(func.args[1].value)  # getattr(ops, "node")(...)
        self.generic_visit(node)


def _undefined_names(tree: ast.Module, table: symtable.SymbolTable) -> set[str]:
    """Names read somewhere that no scope on their resolution path ever binds."""
    module_defined: set[str] = set()
    star_unknown = False
    for node in _module_statements(tree):  # `import *` is only allowed at module level
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            if (node.module or "") in OPENSEES_MODULES:
                module_defined |= OPENSEES_NAMES
            elif node.module in _STAR_SAFE:
                module_defined |= _star_names(node.module)
            else:
                star_unknown = True
    for sym in table.get_symbols():
        if sym.is_assigned() or sym.is_imported() or sym.is_parameter() or sym.is_namespace():
            module_defined.add(sym.get_name())
    # `global x` plus an assignment in a function defines x at module level
    for sub in _walk_tables(table):
        for sym in sub.get_symbols():
            if sym.is_declared_global() and (sym.is_assigned() or sym.is_imported() or sym.is_namespace()):
                module_defined.add(sym.get_name())
    if star_unknown:
        return set()
    undefined: set[str] = set()
    for sub in [table, *_walk_tables(table)]:
        for sym in sub.get_symbols():
            if not sym.is_referenced():
                continue
            name = sym.get_name()
            if (sub is table or sym.is_global()) and name not in module_defined and name not in _BUILTINS:
                undefined.add(name)
    return undefined


def _module_statements(tree: ast.Module) -> list[ast.stmt]:
    """Module-level statements, including those nested in if/for/while/with/try (not in defs or classes)."""
    out: list[ast.stmt] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        out.append(node)
        for attr in ("body", "orelse", "finalbody"):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                pending.extend(getattr(node, attr, []))
        for handler in getattr(node, "handlers", []):
            pending.extend(handler.body)
    return out


def _walk_tables(table: symtable.SymbolTable) -> list[symtable.SymbolTable]:
    out: list[symtable.SymbolTable] = []
    for child in table.get_children():
        out.append(child)
        out.extend(_walk_tables(child))
    return out


def _star_names(module: str) -> set[str]:
    import importlib

    mod = importlib.import_module(module)
    return set(getattr(mod, "__all__", [n for n in dir(mod) if not n.startswith("_")]))
