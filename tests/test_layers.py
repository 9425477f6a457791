"""Layers that hold by themselves: queries are built only in data-access modules.

A data-access module is a package's `dao.py` or a `*_dao.py` beside it; the database's own
plumbing (engine, models, migrations) sits below every package. Everything else (views, jobs,
forms, commands, the dialogue engine, the counting) asks a data-access module and gets plain
values back, so a reader finds every query of a package in one place.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("feedback", "surveys", "bot", "analysis")
PLUMBING = {"feedback/db.py", "feedback/models.py", "feedback/migrate.py"}
QUERY_BUILDERS = {
    "select",
    "insert",
    "update",
    "delete",
    "func",
    "text",
    "and_",
    "or_",
    "literal",
    "case",
    "exists",
}
SESSION_CALLS = {"exec", "execute", "get", "add", "add_all", "merge", "delete", "scalar", "scalars", "query"}
SESSION_NAMES = {"session", "connection", "db_session"}


def is_data_access(relative):
    return relative.name == "dao.py" or relative.name.endswith("_dao.py") or str(relative) in PLUMBING


def modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" not in relative.parts and not is_data_access(relative):
                yield relative


def queries_in(path):
    """Return 'line: what' for each query builder imported or session call made in the module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
            "sqlalchemy",
            "sqlmodel",
        ):
            found += [f"{node.lineno}: imports {a.name}" for a in node.names if a.name in QUERY_BUILDERS]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in SESSION_NAMES
        ):
            found.append(f"{node.lineno}: {node.func.value.id}.{node.func.attr}()")
    return found


@pytest.mark.parametrize("relative", list(modules()), ids=str)
def test_only_data_access_modules_build_queries(relative):
    found = queries_in(ROOT / relative)
    assert not found, f"{relative} builds queries; move them to its package's dao: {found}"


def test_the_check_finds_query_builders_and_session_calls(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "from sqlmodel import select\n"
        "from sqlalchemy import delete, exc\n"
        "def page(session):\n"
        "    session.add(1)\n"
        "    return session.exec(select(1)), dao.rows(session)\n"
    )
    assert sorted(queries_in(module)) == sorted(
        ["1: imports select", "2: imports delete", "4: session.add()", "5: session.exec()"]
    )
