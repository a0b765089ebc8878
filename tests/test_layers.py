"""The layering rule (docs/architecture.md, "Layers"), checked on the source with a small AST
walk, so a new import that breaks it fails the suite with the file and line to look at.

- core (the modules directly in forum/) imports no feature; every package in forum/ is a
  feature or part of the composition root;
- accounts imports only core; board imports core and accounts; every other feature imports
  core, accounts and board, and not another feature (models, services, queries, forms...);
- views (views.py, *_views.py) and the composition root (COMPOSITION_ROOT: create_app in
  forum/__init__.py, forum/composition/, forum/demo/) are where features are combined: they
  may import any feature;
- nothing outside the composition root imports it (forum.composition, forum.demo), so no
  core module reaches a feature through it;
- no import of forum code inside a function (a hidden import is how a cycle gets dodged),
  except the app factory's, listed below with the reason;
- no view module commits or rolls back: every write view ends through forum/handlers.py
  (`complete`, `preview_or_save`, `act`, or `settle` for a write whose answer is a page),
  so the one unit of work of a request is ended in one module.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "forum"
TIERS = {"accounts": 1, "board": 2}  # core is 0; every other feature package is 3
# The composition root: where the app is put together from its features, and so the only
# place outside views that imports features freely. Nothing else imports it.
COMPOSITION_ROOT: dict[str, str] = {
    "forum/__init__.py": "create_app: configuration, extensions, blueprints, wiring, CLI",
    "forum/composition": "wiring.py connects every receiver of forum/events.py, in the "
                         "order they run; cli.py holds the `flask forum` commands",
    "forum/demo": "demo content, written through every feature's services",
}
# A feature may use another feature of its own tier only where listed here, with the reason.
PEERS: dict[tuple[str, str], str] = {
    ("admin", "moderation"): "changes to forums are entries of the moderation log "
                             "(moderation.services.record), in the same transaction",
    ("conversations", "groups"): "writing to a group one belongs to reads its members",
    ("conversations", "moderation"): "an admin opening a conversation, and closing a "
                                     "message report, are moderation-log entries",
    ("conversations", "notify"): "message e-mails go through the outbox and follow the "
                                 "member's e-mail setting, like notification e-mails",
    ("groups", "moderation"): "changes to which groups may use a forum are entries of the "
                              "moderation log (moderation.services.record), like admin's",
}
# Imports inside functions that are there on purpose.
INNER: dict[str, str] = {
    "forum/__init__.py": "create_app imports the blueprints when an app is made, so that "
                         "importing a model (forum.x.models) does not load every view",
}


def _features() -> set[str]:
    return {p.name for p in ROOT.iterdir()
            if (p / "__init__.py").exists()}


def _package(path: Path) -> str | None:
    """The feature a module belongs to, None for core."""
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else None


def _tier(package: str | None) -> int:
    return 0 if package is None else TIERS.get(package, 3)


def _in_root(name: str) -> bool:
    """Whether a module (forum/x.py or forum/x/y.py, or a dotted name's path) is in the
    composition root."""
    return any(name in (root, root.removesuffix(".py")) or name.startswith(root + "/")
               for root in COMPOSITION_ROOT)


def _combines(path: Path) -> bool:
    return (path.name == "views.py" or path.name.endswith("_views.py")
            or _in_root(path.relative_to(ROOT.parent).as_posix()))


def _names(path: Path, node: ast.ImportFrom | ast.Import) -> list[list[str]]:
    """The forum modules (dotted, split) an import statement names."""
    if isinstance(node, ast.Import):
        names = [a.name.split(".") for a in node.names if a.name.split(".")[0] == "forum"]
    elif node.level == 0:
        names = [node.module.split(".")] if (node.module or "").startswith("forum") else []
    else:  # relative: resolve against the module's own package path
        base = list(path.relative_to(ROOT.parent).with_suffix("").parts)[:-node.level]
        names = [base + (node.module.split(".") if node.module else [])]
        if not node.module:  # from .. import x, y: each name may be a package
            names = [base + [a.name] for a in node.names]
    return names


def _target(path: Path, node: ast.ImportFrom | ast.Import, features: set[str]) -> list[str]:
    """The forum packages (or "core") an import statement reaches."""
    found = []
    for parts in _names(path, node):
        if len(parts) > 1 and parts[1] in features:
            found.append(parts[1])
        elif parts and parts[0] == "forum":
            found.append("core")
    return found


def _imports(path: Path):
    """(line, target package, inside a function) for each forum import of a module."""
    tree = ast.parse(path.read_text(), str(path))
    inner = {id(n) for f in ast.walk(tree)
             if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
             for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
    features = _features()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for target in _target(path, node, features):
                yield node.lineno, target, id(node) in inner


def violations() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        name = path.relative_to(ROOT.parent).as_posix()
        owner = _package(path)
        for line, target, inside in _imports(path):
            where = f"{name}:{line}"
            if inside and name not in INNER:
                found.append(f"{where} imports forum code inside a function")
            if _combines(path) or target == "core" or target == owner:
                continue
            if _tier(target) > _tier(owner):
                found.append(f"{where} ({owner or 'core'}) imports {target}, a higher layer")
            elif _tier(target) == _tier(owner) and (owner, target) not in PEERS:
                found.append(f"{where} ({owner}) imports its peer {target}")
    return found


def _is_views(path: Path) -> bool:
    return path.name == "views.py" or path.name.endswith("_views.py")


def transaction_endings() -> list[str]:
    """Each `<x>.session.commit()` / `.rollback()` (or `session.commit()`) in a view module."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if not _is_views(path):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("commit", "rollback")
                    and (isinstance(node.func.value, ast.Attribute)
                         and node.func.value.attr == "session"
                         or isinstance(node.func.value, ast.Name)
                         and node.func.value.id == "session")):
                found.append(f"{path.relative_to(ROOT.parent).as_posix()}:{node.lineno} "
                             f"{node.func.attr}s: end through forum.handlers instead")
    return found


def test_every_write_view_ends_through_handlers():
    assert transaction_endings() == []


def root_imports() -> list[str]:
    """Imports of the composition root's modules from outside it."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        name = path.relative_to(ROOT.parent).as_posix()
        if _in_root(name):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for parts in _names(path, node):
                    if len(parts) > 1 and _in_root("/".join(parts[:2])):
                        found.append(f"{name}:{node.lineno} imports {'.'.join(parts[:2])}, "
                                     "the composition root")
    return found


def test_only_the_composition_root_imports_it():
    assert root_imports() == []


def test_the_composition_root_exists():
    """The declarations name real places (a renamed module must be renamed here too)."""
    assert all((ROOT.parent / r).exists() for r in COMPOSITION_ROOT)


def test_features_depend_one_way():
    assert violations() == []


def test_no_two_packages_import_each_other_outside_views():
    edges = set()
    for path in ROOT.rglob("*.py"):
        if not _combines(path):
            owner = _package(path) or "core"
            edges |= {(owner, t) for _, t, _ in _imports(path) if t not in (owner, "core")}
    assert sorted(e for e in edges if e[0] < e[1] and (e[1], e[0]) in edges) == []


def test_the_check_sees_what_it_must(tmp_path, monkeypatch):
    """The walker itself: an upward import, a peer import and a hidden import are found."""
    fake = tmp_path / "forum"
    for package in ("accounts", "board", "polls", "notify"):
        (fake / package).mkdir(parents=True)
        (fake / package / "__init__.py").write_text("")
    (fake / "permissions.py").write_text("from .polls.models import Poll\n")
    (fake / "metrics.py").write_text("from .notify.models import Mail\n"
                                     "from .composition import wiring\n")
    (fake / "composition").mkdir()
    (fake / "composition" / "__init__.py").write_text("")
    (fake / "composition" / "wiring.py").write_text("from ..notify import services\n")
    (fake / "accounts" / "services.py").write_text("from ..board import models\n")
    (fake / "polls" / "services.py").write_text(
        "from ..board.models import Post\nfrom ..notify import services\n"
        "def f():\n    from forum.board import services\n")
    (fake / "polls" / "views.py").write_text("from ..notify import queries\n")
    (fake / "notify" / "views.py").write_text(
        "from ..extensions import db\ndef f():\n    db.session.commit()\n"
        "def g(session):\n    session.rollback()\n    db.session.flush()\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake)
    assert transaction_endings() == [
        "forum/notify/views.py:3 commits: end through forum.handlers instead",
        "forum/notify/views.py:5 rollbacks: end through forum.handlers instead",
    ]
    assert root_imports() == ["forum/metrics.py:2 imports forum.composition, the composition root"]
    assert [v.split(" ", 1)[1] for v in violations()] == [
        "(accounts) imports board, a higher layer",
        "(core) imports notify, a higher layer",
        "(core) imports composition, a higher layer",
        "(core) imports polls, a higher layer",
        "(polls) imports its peer notify",
        "imports forum code inside a function",
    ]
