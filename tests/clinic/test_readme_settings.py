"""README.md promises a table of every setting: a variable read from the environment anywhere in
the code must be named there."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(
    r"""\benv\.(?:str|bool|int|float|list|json|db_url|email_url|url|path)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
)
SKIP = {".venv", "node_modules", "var", "staticfiles", ".git"}


def _variables_read_by_the_code() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        if SKIP.isdisjoint(path.relative_to(ROOT).parts) and not path.is_relative_to(ROOT / "tests"):
            found |= set(READ.findall(path.read_text()))
    return found


def test_every_environment_variable_the_code_reads_is_in_the_readme():
    variables = _variables_read_by_the_code()
    assert {"DATABASE_URL", "SECRET_KEY", "CLINIC_TIME_ZONE"} <= variables
    readme = (ROOT / "README.md").read_text()
    assert sorted(v for v in variables if f"`{v}`" not in readme) == []
