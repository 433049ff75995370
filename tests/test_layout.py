"""The package's shape: no import circles, no import from a lower layer to a higher one,
no import of another package's private module, no module over 400 lines (issue: the house)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fer_bench"
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"_io", "_lazy", "_cache"}),
    frozenset({"labels", "timing", "analysis", "results", "profiles"}),
    frozenset({"datasets"}),
    frozenset({"cards", "estimators", "deploy"}),
    frozenset({"report"}),
    frozenset({"pipeline"}),
    frozenset({"studies", "tracking"}),
    frozenset({"runner"}),
    frozenset({"cli", "__main__", "__init__"}),
)
"""Bottom to top: a module may import its own layer's modules and lower ones, never a higher layer's."""
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = ("fer_bench",) + path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """The fer_bench modules ``name`` imports anywhere in its body (lazy imports included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target in MODULES and target != name)
    return found


GRAPH: dict[str, set[str]] = {name: imported_modules(name, path) for name, path in MODULES.items()}


def layer(name: str) -> int:
    top = name.split(".")[1] if "." in name else "__init__"
    for index, members in enumerate(LAYERS):
        if top in members:
            return index
    raise AssertionError(f"{name}: its top-level package {top!r} is in no layer of LAYERS")


def test_no_import_circles():
    circles, state = [], {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(GRAPH[name]):
            if state.get(target) == "open":
                circles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[name] = "done"

    for name in MODULES:
        if name not in state:
            visit(name, [name])
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_no_import_from_a_lower_layer_to_a_higher_one():
    upward = [f"{name} -> {target}" for name in MODULES for target in sorted(GRAPH[name]) if layer(target) > layer(name)]
    assert not upward, "imports reaching up a layer:\n" + "\n".join(upward)


def test_no_import_of_another_package_s_private_module():
    def owner(target: str) -> str | None:
        parts = target.split(".")
        private = [index for index, part in enumerate(parts) if part.startswith("_") and index > 0]
        return ".".join(parts[: private[0]]) if private else None

    reaching = [f"{name} -> {target}" for name in MODULES for target in sorted(GRAPH[name])
                if owner(target) and not (name == owner(target) or name.startswith(owner(target) + "."))]
    assert not reaching, "imports of private modules from outside their package:\n" + "\n".join(reaching)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_over_400_lines(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name]}: {lines} lines; split it by job"
