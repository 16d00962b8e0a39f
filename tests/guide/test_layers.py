"""The layers point one way: pages -> guide.ui -> the domain -> guide.profile -> guide.models -> guide.content.

An AST walk of every module under guide/ (no import runs, so a cycle cannot hide behind a lazy import).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Lower layers first; anything in guide/ not named here is the domain, between the profile and the UI.
RANKS = {"guide.content": 0, "guide.models": 1, "guide.profile": 2, "guide.ui": 4}
DOMAIN = 3


def rank(module: str) -> int:
    return next((r for name, r in RANKS.items() if module == name or module.startswith(f"{name}.")), DOMAIN)


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted((ROOT / "guide").rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text("utf-8"), str(path))
    return found


def imports(tree: ast.AST) -> list[tuple[str, ast.stmt]]:
    found: list[tuple[str, ast.stmt]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, node)] + [(f"{node.module}.{alias.name}", node) for alias in node.names]
    return found


def test_every_import_points_down_and_only_guide_ui_imports_streamlit() -> None:
    wrong = []
    for name, tree in modules().items():
        for target, node in imports(tree):
            if target.split(".")[0] == "streamlit" and rank(name) != RANKS["guide.ui"]:
                wrong.append(f"{name}:{node.lineno} imports streamlit")
            same_package = target.split(".")[:2] == name.split(".")[:2]
            if target.startswith("guide") and not same_package and rank(target) > rank(name):
                wrong.append(f"{name}:{node.lineno} imports {target}, a layer above it")
    assert not wrong, "\n".join(wrong)


def test_no_function_imports_a_guide_module() -> None:
    """A function-level import is how a cycle hides; there is none left to hide."""
    wrong = []
    for name, tree in modules().items():
        for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
            wrong += [f"{name}:{node.lineno}" for target, node in imports(function) if target.startswith("guide")]
    assert not wrong, "function-level imports of guide modules: " + ", ".join(sorted(set(wrong)))


def private_uses(tree: ast.AST, private: set[str]) -> list[tuple[int, str]]:
    """`<...store>._name` and `setattr(<...store>, "_name", ...)` for each private Store method name."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in private and ast.unparse(node.value).endswith("store"):
            found.append((node.lineno, node.attr))
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("setattr") and len(node.args) > 1:
            target, name = node.args[0], node.args[1]
            if ast.unparse(target).endswith("store") and isinstance(name, ast.Constant) and name.value in private:
                found.append((node.lineno, str(name.value)))
    return found


def test_nothing_outside_the_store_calls_its_private_methods() -> None:
    store = ast.parse((ROOT / "guide" / "store.py").read_text("utf-8"))
    [cls] = [n for n in store.body if isinstance(n, ast.ClassDef) and n.name == "Store"]
    private = {f.name for f in cls.body if isinstance(f, ast.FunctionDef) and f.name.startswith("_")}
    private -= {name for name in private if name.startswith("__")}
    wrong = []
    for folder in ("guide", "pages", "tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path != ROOT / "guide" / "store.py":
                uses = private_uses(ast.parse(path.read_text("utf-8")), private)
                wrong += [f"{path.relative_to(ROOT)}:{line} uses Store.{name}" for line, name in uses]
    assert not wrong, "\n".join(wrong)
