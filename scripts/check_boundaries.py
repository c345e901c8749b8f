"""The contract between apps that import-linter cannot see (DESIGN.md §3, docs/architecture.md).

import-linter (pyproject.toml) checks which modules import which. It cannot tell *how* another
app's model is used once imported, and the rule is about use: another app's models may be imported
for foreign keys and choice labels only; its rows are read through its selectors and written or
locked through its services. This check reads every module of every app and reports any use of
another app's model manager (``Organization.objects…``, ``._default_manager``, ``.history``).

    python scripts/check_boundaries.py            # exit 1 and one line per use found

Tests, migrations and demo loaders are exempt (they build fixtures and data with whatever is quickest).
``accounts`` is the shared base every app stands on (DESIGN.md §3: every app may import ``core`` and
``accounts``): its area tree and users are read anywhere, as scopes and pickers need them.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sifu"
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager", "history"})
EXEMPT_PARTS = frozenset({"tests", "migrations", "demo"})
SHARED_APPS = frozenset({"core", "accounts"})


def app_of(module: str) -> str | None:
    """``sifu.registry.models`` → ``registry``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "sifu" else None


def foreign_models(tree: ast.AST, app: str) -> dict[str, str]:
    """Names bound in this module to models of another app: {local name: "app.Model"}."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models"):
            other = app_of(node.module)
            if other and other != app and other not in SHARED_APPS:
                for alias in node.names:
                    names[alias.asname or alias.name] = f"{other}.{alias.name}"
    return names


def violations(path: Path) -> list[str]:
    relative = path.relative_to(ROOT)
    parts = relative.with_suffix("").parts
    if len(parts) < 3 or EXEMPT_PARTS & set(parts) or parts[-1] == "conftest":
        return []
    app = parts[1]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    models = foreign_models(tree, app)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGERS
            and isinstance(node.value, ast.Name)
            and node.value.id in models
        ):
            found.append(
                f"{relative}:{node.lineno}: {node.value.id}.{node.attr} — {models[node.value.id]} belongs to another "
                f"app: read its rows through its selectors, write or lock them through its services"
            )
    return found


def main() -> int:
    found = [line for path in sorted(PACKAGE.rglob("*.py")) for line in violations(path)]
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} use(s) of another app's rows outside its selectors and services.")
        return 1
    print("App boundaries kept: no module uses another app's model managers.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
