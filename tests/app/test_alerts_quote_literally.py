"""Messages from the domain are shown as written in the pages' alerts.

A message of `data_model` (an `InputError`'s, an import report's, a refusal's) may quote
what a staff member uploaded or typed: a task code written as a Markdown image made a
reviewer's browser fetch its address when a refusal quoted it. The pages pass each such
message through `ui.literal`; this test reads the pages' source and holds that every
`.message` they put into an alert (`st.error`, `st.success`, `st.warning`, `st.info`,
`st.toast`, a status's `update`) is inside a `literal(...)` call, whole or as a value of a
catalogue text.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALERTS = {"error", "success", "warning", "info", "toast", "update"}


def bare_messages(node: ast.AST) -> Iterator[ast.Attribute]:
    """The `.message` attributes under `node` that no `literal(...)` call encloses."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "literal":
        return
    if isinstance(node, ast.Attribute) and node.attr == "message":
        yield node
    for child in ast.iter_child_nodes(node):
        yield from bare_messages(child)


def unescaped_alerts(source: str) -> list[int]:
    """The lines of `source` where an alert shows a `.message` not passed through
    `literal`."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in ALERTS:
            shown = [*node.args, *(k.value for k in node.keywords if k.arg in ("body", "label"))]
            lines += [bare.lineno for arg in shown for bare in bare_messages(arg)]
    return lines


def test_the_check_finds_a_message_shown_bare():
    assert unescaped_alerts("st.error(error.message())\nst.error(literal(e.message()))") == [1]
    assert unescaped_alerts('st.error(tr("k", reason=report.message))') == [1]
    assert unescaped_alerts('status.update(label=tr("k", name=literal(r.message)))') == []


def test_every_page_alert_shows_domain_messages_literally():
    sources = [*(ROOT / "pages").glob("*.py"), *ROOT.glob("*.py")]
    found = {
        str(path.relative_to(ROOT)): lines
        for path in sources
        if (lines := unescaped_alerts(path.read_text(encoding="utf-8")))
    }
    assert found == {}
