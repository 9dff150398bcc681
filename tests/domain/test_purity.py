"""The domain stays framework-free: no Django, no web framework, no clock module."""

import ast
from pathlib import Path

import jintiao.domain

FORBIDDEN = ("django", "ninja", "jintiao.clock", "requests", "httpx", "sqlite3", "psycopg")
DOMAIN = Path(jintiao.domain.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


class TestDomainPurity:
    def test_no_domain_module_imports_a_framework_or_the_clock(self):
        modules = sorted(DOMAIN.glob("*.py"))
        assert len(modules) > 5
        offenders = {
            path.name: sorted(
                name for name in _imports(path)
                if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
            )
            for path in modules
        }
        assert {k: v for k, v in offenders.items() if v} == {}

    def test_no_domain_module_reads_the_clock(self):
        for path in DOMAIN.glob("*.py"):
            text = path.read_text(encoding="utf-8")
            for call in ("date.today(", "datetime.now(", "time.time(", "datetime.utcnow("):
                assert call not in text, f"{path.name} reads the clock via {call}"

    def test_the_check_would_see_a_django_import(self, tmp_path):
        probe = tmp_path / "probe.py"
        probe.write_text("from django.db import models\nimport ninja\n", encoding="utf-8")
        assert {"django.db", "ninja"} <= _imports(probe)
