"""The fast path of the task status rule: `task_rules.status_of` as array operations, for
the statuses of thousands of tasks on dozens of days (`task_status.task_status_frame`,
`task_queries`). `tests/test_task_status_arrays.py` checks with hypothesis that it agrees
with `status_of`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np

from data_model.task_rules import BEHIND_MARGIN, STATUSES

EPOCH = date(1970, 1, 1)


def day_numbers(days: Iterable[date | None]) -> np.ndarray:
    """Days since 1970-01-01 as floats (NaN for a missing date), for `statuses_on`."""
    epoch = EPOCH.toordinal()
    return np.array(
        [d.toordinal() - epoch if isinstance(d, date) else np.nan for d in days], dtype=float
    )


def statuses_on(
    progress: np.ndarray,
    stated_status: np.ndarray,
    start: np.ndarray,
    deadline: np.ndarray,
    ongoing: np.ndarray,
    as_of: np.ndarray,
    has_evidence: np.ndarray | None = None,
) -> np.ndarray:
    """`status_of` for many (task, day) pairs at once: the same rules, as array operations.

    Dates are day numbers (`day_numbers`, NaN when missing); `as_of` holds one day per
    pair. `has_evidence`, given when evidence is required, says per pair whether the task
    has evidence by then (without it a complete task is `awaiting_evidence`). Returns the
    status of each pair as an index into STATUSES. Used where the
    statuses of thousands of tasks on dozens of days are counted; a test checks that it
    agrees with `status_of`.
    """
    progress = np.asarray(progress, dtype=float)
    stated_status = np.asarray(stated_status, dtype=object)
    ongoing = np.asarray(ongoing, dtype=bool)
    scheduled = ~ongoing & ~np.isnan(start) & ~np.isnan(deadline) & (deadline > start)
    with np.errstate(invalid="ignore", divide="ignore"):
        elapsed = np.clip((as_of - start) / (deadline - start), 0.0, 1.0)
    behind = scheduled & (progress < elapsed * 100 - BEHIND_MARGIN)
    complete = (progress >= 100) | (stated_status == "completed")
    choices = [(stated_status == "suspended", "suspended")]
    if has_evidence is not None:
        choices.append((complete & ~np.asarray(has_evidence, dtype=bool), "awaiting_evidence"))
    choices += [
        (complete, "completed"),
        (~ongoing & ~np.isnan(deadline) & (deadline < as_of), "overdue"),
        (behind, "behind"),
        (progress <= 0, "not_started"),
    ]
    return np.select(
        [condition for condition, _ in choices],
        [STATUSES.index(status) for _, status in choices],
        default=STATUSES.index("in_progress"),
    )
