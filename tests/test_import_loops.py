"""No import loop between the project's modules: the import graph of all four packages (grimp, the
graph import-linter checks its contracts on; imports inside functions and under TYPE_CHECKING
count too) has no cycle. A failure names each loop, module by module."""

from __future__ import annotations

import grimp
import pytest

PACKAGES = ("archive_store", "pipelines", "scrapers", "sourcekeeper")


def _groups(imports: dict[str, set[str]]) -> list[set[str]]:
    """Each strongly connected group of more than one module (Tarjan): any of them reaches any other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(start: str) -> None:
        # iterative, so a long chain of imports does not hit the recursion limit
        work = [(start, iter(sorted(imports.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imports.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return groups


def _loops(imports: dict[str, set[str]]) -> list[list[str]]:
    """One loop through each group, the shortest way round from its first module."""
    return [_one_loop(group, imports) for group in _groups(imports)]


def _one_loop(group: set[str], imports: dict[str, set[str]]) -> list[str]:
    """A shortest way round from the group's first module back to it (breadth first)."""
    start = min(group)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(imports.get(node, set()) & group):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no way round {sorted(group)}")  # a strongly connected group has one


def _project_imports() -> dict[str, set[str]]:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    return {
        module: {m for m in graph.find_modules_directly_imported_by(module) if m.split(".")[0] in PACKAGES}
        for module in graph.modules
    }


def test_no_module_of_the_project_imports_itself_round_a_loop() -> None:
    imports = _project_imports()
    found = [
        f"{' -> '.join(_one_loop(group, imports))}"
        + (f" (the group: {', '.join(sorted(group))})" if len(group) > 2 else "")
        for group in _groups(imports)
    ]
    assert found == [], "import loops:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("imports", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, [["a", "b", "a"]]),
        (
            {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}},
            [["d", "e", "d"], ["a", "b", "c", "a"]],
        ),
        ({"a": {"b", "c"}, "b": {"c"}, "c": {"a"}}, [["a", "c", "a"]]),
    ],
)
def test_the_loop_finder_names_each_loop_the_shortest_way_round(
    imports: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert _loops(imports) == expected
