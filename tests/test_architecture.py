"""The shape of `data_model/` (ARCHITECTURE.md): packages that import each other one way only,
no Streamlit in the domain, and no module left loose beside the core."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT / "data_model"
# The core: modules every package may use and that use no package but `normalize`'s peers.
CORE = {
    "__init__",
    "__main__",
    "cli",
    "cycle_collector",
    "errors",
    "formatting",
    "kind_converters",
    "kinds",
    "periods",
    "problems",
    "settings",
    "task_rules",
    "text",
}
PACKAGES = {
    "accounts",
    "admin",
    "charts",
    "evaluation",
    "i18n",
    "ingest",
    "normalize",
    "outputs",
    "queries",
    "reference",
    "store",
    "supervision",
    "workflow",
}


def _sources() -> list[Path]:
    return [p for p in DOMAIN.rglob("*.py") if "versions" not in p.parts]


def _unit(module: str) -> str:
    """The package a dotted module name belongs to, or the core module itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "data_model"


def _type_checking_nodes(tree: ast.AST) -> set[ast.AST]:
    """The statements under `if TYPE_CHECKING:`: imports for annotations only, which do not
    run and so make no dependency."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                skipped.update(ast.walk(statement))
    return skipped


def _imports(path: Path) -> set[str]:
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def package_graph() -> dict[str, set[str]]:
    """unit → the units it imports (a unit is a sub-package or a core module)."""
    known = {_module_name(p).removesuffix(".__init__") for p in _sources()}
    graph: dict[str, set[str]] = defaultdict(set)
    for path in _sources():
        unit = _unit(_module_name(path))
        for target in _imports(path):
            if target in known and target != "data_model" and _unit(target) != unit:
                graph[unit].add(_unit(target))
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_package_imports_a_package_that_imports_it():
    assert _cycle(package_graph()) is None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_outputs_draw_with_charts_and_charts_know_no_outputs():
    graph = package_graph()
    assert "charts" in graph["outputs"]
    assert "outputs" not in graph["charts"]


def test_no_streamlit_in_the_domain():
    users = [
        str(p.relative_to(ROOT))
        for p in _sources()
        if any(name.split(".")[0] == "streamlit" for name in _imports(p))
    ]
    assert users == []


def test_every_module_sits_in_a_package_or_the_core():
    loose = sorted(p.stem for p in DOMAIN.glob("*.py") if p.stem not in CORE)
    assert loose == []
    packages = {p.name for p in DOMAIN.iterdir() if (p / "__init__.py").exists()}
    assert packages == PACKAGES


def test_uploaded_workbooks_are_read_in_the_child_process_only():
    """`reader.read_workbook` in the app's own process would let one hostile file end it
    (see `ingest/isolated.py`): the domain and the pages call `read_isolated`."""
    app_sources = [*_sources(), *(ROOT / "pages").glob("*.py"), *ROOT.glob("*.py")]
    readers = sorted(
        str(p.relative_to(ROOT))
        for p in app_sources
        if "data_model.ingest.reader.read_workbook" in _imports(p)
    )
    assert readers == ["data_model/ingest/isolated.py"]
