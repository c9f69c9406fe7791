"""The fast path of the task status rule (`task_status_arrays.statuses_on`) agrees with
the rule (`task_rules.status_of`) on any tasks and day hypothesis makes, with and without
evidence required."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from data_model.queries.task_status_arrays import EPOCH, day_numbers, statuses_on
from data_model.task_rules import STATUSES, TaskFacts, status_of

DAY0 = date(2021, 1, 1)
days = st.integers(min_value=0, max_value=1500).map(lambda n: DAY0 + timedelta(days=n))
facts = st.builds(
    TaskFacts,
    progress=st.one_of(
        st.sampled_from([0.0, 0.5, 20.0, 33.3, 99.9, 100.0, 120.0]),
        st.floats(min_value=0, max_value=100, allow_nan=False),
    ),
    stated_status=st.sampled_from(["", "completed", "suspended", "in_progress"]),
    start_date=st.one_of(st.none(), days),
    deadline=st.one_of(st.none(), days),
    ongoing=st.booleans(),
    has_evidence=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(facts, min_size=1, max_size=20), days, st.booleans())
def test_statuses_on_agrees_with_status_of(tasks, as_of, evidence_required):
    found = statuses_on(
        np.array([t.progress for t in tasks]),
        np.array([t.stated_status for t in tasks], dtype=object),
        day_numbers(t.start_date for t in tasks),
        day_numbers(t.deadline for t in tasks),
        np.array([t.ongoing for t in tasks]),
        np.full(len(tasks), float((as_of - EPOCH).days)),
        np.array([t.has_evidence for t in tasks]) if evidence_required else None,
    )
    assert [STATUSES[i] for i in found] == [status_of(t, as_of, evidence_required) for t in tasks]
