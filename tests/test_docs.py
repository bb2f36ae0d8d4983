"""docs/architecture.md names the code that does each of the nine steps: every function, field and
file it names is in the source, so a renamed step cannot leave the map pointing at nothing."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "exmachina"
MAP = (ROOT / "docs" / "architecture.md").read_text()


def defined() -> set[str]:
    """`Class.member` for every method and field of every class, `module.function` for every function."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(f"{path.stem}.{node.name}")
            if isinstance(node, ast.ClassDef):
                for member in node.body:
                    if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        names.add(f"{node.name}.{member.name}")
                    elif isinstance(member, ast.AnnAssign) and isinstance(member.target, ast.Name):
                        names.add(f"{node.name}.{member.target.id}")
                    elif isinstance(member, ast.Assign):
                        names.update(f"{node.name}.{t.id}" for t in member.targets if isinstance(t, ast.Name))
    return names


def test_every_function_the_map_names_is_in_the_code():
    named = {m for m in re.findall(r"`([A-Za-z_]\w*\.[A-Za-z_]\w*)[`(]", MAP) if not m.endswith(("py", "pxd", "md"))}
    assert len(named) >= 20  # the nine steps' table, the teacher and the feeder
    assert sorted(named - defined()) == []


def test_every_file_the_map_names_is_in_the_package():
    files = set(re.findall(r"`((?:\w+/)*\w+\.(?:py|pxd))`", MAP)) - {"setup.py"}
    assert files
    here = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*") if p.suffix in (".py", ".pxd")}
    missing = [f for f in files if not any(h == f or h.endswith("/" + f) for h in here)]
    assert missing == []
