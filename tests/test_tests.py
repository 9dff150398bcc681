"""Tests that cannot fail are defects. Every module under tests/ is read with ``ast``: an
assertion must be able to fail (not a constant, not ``x if y else True``, not a value
compared with itself), and every ``test_*`` function must check something — an ``assert``,
``pytest.raises``/``pytest.warns``, or a helper named ``assert_*``/``expect*``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

TESTS = Path(__file__).parent

# Calls that check their outcome themselves, besides pytest's and our assert_*/expect* ones:
# schemathesis runs the checks it is given and raises when one fails.
CHECKING_CALLS = frozenset({"raises", "warns", "call_and_validate"})


def _is_constant(node: ast.expr) -> bool:
    """A literal, or a tuple/list/set/dict display (``assert (x, "why")`` is always true)."""
    return isinstance(node, ast.Constant | ast.Tuple | ast.List | ast.Set | ast.Dict)


def hollow(test: ast.expr) -> str | None:
    """Why the asserted expression ``test`` cannot fail (or fails always), or None."""
    if isinstance(test, ast.IfExp):
        return "a conditional expression: write the condition as an if statement"
    if _is_constant(test):
        return "a constant"
    if isinstance(test, ast.BoolOp) and any(_is_constant(v) for v in test.values):
        return f"a constant in an '{'and' if isinstance(test.op, ast.And) else 'or'}'"
    if isinstance(test, ast.Compare):
        operands = [test.left, *test.comparators]
        if all(isinstance(o, ast.Constant) for o in operands):
            return "constants compared"
        dumps = [ast.dump(o) for o in operands]
        if any(a == b for a, b in pairwise(dumps)):
            return "a value compared with itself"
    return None


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def checks_something(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a test has an assert, pytest.raises/warns or a call to an assert_*/expect*
    helper anywhere in its body."""
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if name in CHECKING_CALLS or name.startswith(("assert_", "expect")):
                return True
    return False


def findings(source: str, filename: str = "<test>") -> list[str]:
    """``line: problem`` for every hollow assertion and every test that checks nothing."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Assert) and (why := hollow(node.test)):
            found.append(f"{node.lineno}: assert {ast.unparse(node.test)[:60]} — {why}")
        if (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name.startswith("test") and not checks_something(node)):
            found.append(f"{node.lineno}: {node.name} checks nothing")
    return found


def modules() -> Iterator[Path]:
    yield from sorted(TESTS.rglob("*.py"))


def test_every_test_module_is_read():
    names = {p.relative_to(TESTS).as_posix() for p in modules()}
    assert {"test_tests.py", "conftest.py", "domain/test_money.py"} <= names
    assert len(names) > 50


def test_no_assertion_is_hollow_and_every_test_checks_something():
    found = [f"{path.relative_to(TESTS.parent)}:{line}" for path in modules()
             for line in findings(path.read_text(encoding="utf-8"), str(path))]
    assert not found, "tests that cannot fail:\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    "assert missed == [1] if missed else True",
    "assert x if y else z",
    "assert True",
    "assert 1",
    "assert 'always'",
    "assert False",
    "assert (x == 1, 'x is one')",
    "assert x or True",
    "assert True and x",
    "assert x == x",
    "assert a.b(c) == a.b(c)",
    "assert 0 < x < x",
    "assert 1 == 1",
    pytest.param("def test_a():\n    f()", id="a test only calling"),
    pytest.param("def test_a():\n    x = f()\n    if x:\n        return", id="a test returning"),
    pytest.param("class TestA:\n    def test_b(self):\n        f()", id="a method only calling"),
    pytest.param("async def test_a():\n    await f()", id="an async test only awaiting"),
])
def test_the_guard_finds_what_cannot_fail(source):
    assert findings(source)


@pytest.mark.parametrize("source", [
    "assert missed == [1]",
    "assert not missed or missed[0] == 1",
    "assert x == y",
    "assert f(x) is None",
    "assert 0 <= x <= 9",
    pytest.param("def test_a():\n    assert f()", id="assert"),
    pytest.param("def test_a():\n    with pytest.raises(ValueError):\n        f()", id="raises"),
    pytest.param("def test_a():\n    with pytest.warns(UserWarning):\n        f()", id="warns"),
    pytest.param("def test_a():\n    assert_figures_agree(f())", id="assert_ helper"),
    pytest.param("def test_a():\n    mock.assert_called_once_with(1)", id="assert_ method"),
    pytest.param("def test_a(page):\n    expect(page).to_have_title('x')", id="expect"),
    pytest.param("def test_a(case):\n    case.call_and_validate(checks=[not_a_server_error])",
                 id="schemathesis checks"),
    pytest.param("def helper():\n    f()", id="a helper is no test"),
])
def test_the_guard_lets_real_checks_pass(source):
    assert findings(source) == []
