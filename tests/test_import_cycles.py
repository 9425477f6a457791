"""No import cycle: a reader can start at any module and meet each of its imports only below it.

Imports inside functions count too (grimp reads every import statement), so a cycle cannot hide
behind a late import. import-linter's contracts in pyproject.toml hold the layers; this holds
that the graph has no loops at all.
"""

import grimp

PACKAGES = ("feedback", "surveys", "bot", "analysis")


def cycles(graph):
    """Return (a, b, the way from b back to a) for each import a -> b that closes a loop; a pair
    importing each other is named once, in name order."""
    found = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            mutual = graph.direct_import_exists(importer=imported, imported=module)
            if back and (module < imported or not mutual):
                found.append((module, imported, back))
    return found


def test_no_module_imports_one_that_leads_back_to_it():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert cycles(graph) == []


def test_the_check_finds_a_cycle_when_there_is_one():
    graph = grimp.ImportGraph()
    for name in ("a", "a.views", "a.admin", "a.models"):
        graph.add_module(name)
    graph.add_import(importer="a.views", imported="a.models")
    assert cycles(graph) == []
    graph.add_import(importer="a.admin", imported="a.views")
    graph.add_import(importer="a.views", imported="a.admin")
    assert [(a, b) for a, b, _ in cycles(graph)] == [("a.admin", "a.views")]
