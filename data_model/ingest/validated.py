"""A workbook's validated rows, kept from the upload page's preview for its commit.

`importer.import_in_transaction` validates the sheets (cells → records, problems by
sheet, row and column) and then checks the records against what is stored (scope,
closed periods, duplicate keys, sharp changes, explanations) before writing. A dry run
keeps what validation gave, so the page's commit writes exactly the records its preview
showed, without validating the cells a second time; the checks against stored data run
again at commit, inside the writing transaction, because the data may have changed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from data_model.problems import ProblemBudget, SheetReport

if TYPE_CHECKING:
    from data_model.ingest.validate import ValidRow

ByKind = dict[str, list[tuple[SheetReport, list["ValidRow"]]]]


@dataclass(frozen=True)
class Validated:
    """The sheet reports and each kind's valid rows as validation left them."""

    sheets: tuple[SheetReport, ...]
    by_kind: ByKind

    @classmethod
    def keep(cls, sheets: list[SheetReport], by_kind: ByKind) -> Validated:
        kept, kept_by_kind = _copy(sheets, by_kind)
        return cls(tuple(kept), kept_by_kind)

    def fresh(self) -> tuple[list[SheetReport], ByKind]:
        """A copy the later checks may change (they add problems and drop rows), so the
        same validated rows can be committed again after a refusal (a busy writer)."""
        return _copy(list(self.sheets), self.by_kind)


def _copy(sheets: list[SheetReport], by_kind: ByKind) -> tuple[list[SheetReport], ByKind]:
    """Copies of the sheets' reports and rows, whose problems draw on a budget of their own
    (what the file's had left), so that adding to the copies leaves the kept ones as they were."""
    budget = ProblemBudget(sheets[0].budget.left) if sheets else ProblemBudget()
    copies = {
        id(s): replace(s, errors=list(s.errors), warnings=list(s.warnings), budget=budget)
        for s in sheets
    }
    return [copies[id(s)] for s in sheets], {
        kind: [(copies.get(id(report), report), list(valid)) for report, valid in entries]
        for kind, entries in by_kind.items()
    }
