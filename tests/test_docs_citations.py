"""The README and ARCHITECTURE.md name files and modules that exist, so a move or a rename
that forgets the docs fails here instead of sending a newcomer to a file that is gone."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["README.md", "ARCHITECTURE.md", "bench/README.md"]
TOP_FOLDERS = "data_model|pages|tests|bench|deploy|sample_data|scripts|docs"
CITED_PATH = re.compile(rf"\b((?:{TOP_FOLDERS})/[\w./-]*\w)")
CITED_MODULE = re.compile(r"\bdata_model(?:\.\w+)+")
# What the docs name on purpose without it existing: the example kind a reader would add,
# and what a run writes under bench/output/.
EXAMPLES = ("policy_talks", "bench/output")


def cited_paths(text: str) -> set[str]:
    return {path for path in CITED_PATH.findall(text) if not any(e in path for e in EXAMPLES)}


def module_exists(dotted: str) -> bool:
    """`data_model.store.storage` or `data_model.store.storage.write_kind`: the longest
    prefix that is a module exists and the rest is an attribute of it."""
    parts = dotted.split(".")
    for end in range(len(parts), 1, -1):
        name = ".".join(parts[:end])
        try:
            if importlib.util.find_spec(name) is None:
                continue
        except ModuleNotFoundError:  # a parent is a module, not a package
            continue
        target = importlib.import_module(name)
        for attribute in parts[end:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


@pytest.mark.parametrize("doc", DOCS)
def test_every_path_a_doc_cites_exists(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    missing = sorted(p for p in cited_paths(text) if not (ROOT / p).exists())
    assert missing == []


@pytest.mark.parametrize("doc", DOCS)
def test_every_module_a_doc_cites_imports(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    missing = sorted(m for m in set(CITED_MODULE.findall(text)) if not module_exists(m))
    assert missing == []


def test_a_moved_module_is_caught():
    assert module_exists("data_model.store.storage.write_kind")
    assert not module_exists("data_model.storage.write_kind")
    assert cited_paths("see `data_model/queries.py` and bench/output/x") == {
        "data_model/queries.py"
    }
