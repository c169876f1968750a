"""The package's shape: stages import only downward, no cycles, small classes and modules,
and the linter (with a complexity limit) is clean.

Stages, bottom to top: the shared vocabulary (errors, exercises, records, files), then
sources → pose → closeup → signals → counting → sinks → app → bench. A module may import from its
own stage or any stage below it, never from one above.
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "tracker"
STAGES = ["", "sources", "pose", "closeup", "signals", "counting", "sinks", "app", "bench"]  # "" = top-level vocabulary
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 150


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _stage(module: str) -> int:
    parts = module.split(".")
    if module == "tracker.__main__":
        return STAGES.index("app")  # `python -m tracker` is the command line
    if module == "tracker._models" or module.startswith("tracker._models."):
        return 0  # the bundled model files: data below everything
    return STAGES.index(parts[1]) if len(parts) > 2 and parts[1] in STAGES else 0


def _imports(path: Path) -> set[str]:
    """Every tracker module this file imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tracker"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("tracker"))
    return out


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def test_each_stage_imports_only_from_itself_or_below():
    modules = _modules()
    wrong = []
    for mod, path in modules.items():
        for imp in _imports(path):
            target = _resolve(imp, modules)
            if target and target != "tracker" and _stage(target) > _stage(mod):
                wrong.append(f"{mod} ({STAGES[_stage(mod)] or 'vocabulary'}) imports {target} "
                             f"({STAGES[_stage(target)]})")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_no_import_cycles():
    modules = _modules()
    graph = {m: {t for i in _imports(p) if (t := _resolve(i, modules)) and t not in (m, "tracker")}
             for m, p in modules.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(m, stack):
        state[m] = 1
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                cycles.append(" -> ".join(stack[stack.index(n):] + [n]))
            elif n not in state:
                visit(n, stack + [n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert not cycles, "\n".join(cycles)


def test_modules_and_classes_stay_small():
    big = []
    for mod, path in _modules().items():
        text = path.read_text()
        if text.count("\n") > MAX_MODULE_LINES:
            big.append(f"{mod}: {text.count(chr(10))} lines (limit {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES:
                big.append(f"{mod}.{node.name}: {node.end_lineno - node.lineno + 1} lines (limit {MAX_CLASS_LINES})")
    assert not big, "\n".join(big)


def test_the_layer_check_itself_catches_an_upward_import(tmp_path):
    """The check above must be able to fail: a counting module importing a sink is caught."""
    assert _stage("tracker.counting.live") < _stage("tracker.sinks.view")
    assert _stage("tracker.exercises") == 0 and _stage("tracker.bench.clips") == len(STAGES) - 1
    fake = tmp_path / "m.py"
    fake.write_text("def f():\n    from tracker.sinks.view import overlay_view\n")
    assert "tracker.sinks.view" in _imports(fake)


def test_the_readme_layout_names_every_module():
    """The README's "Folder layout" is how a newcomer finds their way: it must not go stale."""
    readme = (PACKAGE.parent / "README.md").read_text()
    layout = readme[readme.index("## Folder layout"):]
    missing = [str(p.relative_to(PACKAGE.parent)) for p in _modules().values()
               if p.name not in ("__init__.py", "__main__.py") and p.name not in layout]
    assert not missing, f"README's layout does not name: {', '.join(missing)}"


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or (Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install -e '.[test]' installs it)")
    root = PACKAGE.parent
    p = subprocess.run([str(ruff), "check", "tracker", "tests", "tools"], cwd=root, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-1000:]


def test_every_package_is_installed():
    """A regular `pip install .` ships only the packages pyproject names; a folder left out
    works in the editable checkout and is missing on a user's machine."""
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(PACKAGE.parent).parts) for p in PACKAGE.rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
