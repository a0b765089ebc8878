"""Every receiver of forum/events.py is connected in one place, forum/composition/wiring.py."""
from __future__ import annotations

import ast
from pathlib import Path

from forum import events
from forum.composition import wiring

ROOT = Path(__file__).resolve().parent.parent / "forum"


def test_create_app_connects_every_receiver_once(app):
    for signal, receiver in wiring.RECEIVERS:
        assert receiver in list(signal.receivers_for(object())), (signal.name, receiver)
    before = {signal.name: len(signal.receivers) for signal, _ in wiring.RECEIVERS}
    wiring.connect()  # again: nothing doubles
    assert before == {signal.name: len(signal.receivers) for signal, _ in wiring.RECEIVERS}


def test_no_module_connects_a_receiver_by_itself():
    """A receiver connected elsewhere (a decorator, an import side effect) would run without
    being listed in wiring.py."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == ROOT / "composition" / "wiring.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("connect", "connect_via") \
                    and isinstance(node.value, ast.Attribute) \
                    and isinstance(node.value.value, ast.Name) \
                    and node.value.value.id == "events":
                found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    assert found == []


def test_every_signal_has_its_followers_listed():
    listed = {signal for signal, _ in wiring.RECEIVERS}
    signals = {v for v in vars(events).values() if type(v).__name__ == "NamedSignal"}
    assert signals == listed
