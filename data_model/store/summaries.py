"""Each kind's summary hook (`KindRule.summarise` in `kind_registry`): how the summaries
derived from a kind's rows are kept exact when a submission changes which of them are
current. `storage.summaries_changed` calls it after a submission's rows of the kind were
written (an import, a review approval: `records` are those written) or withdrawn (a
rollback: `records` is None), in the same transaction."""

from __future__ import annotations

from sqlalchemy import Connection

from data_model.store import summaries_periods, summaries_tasks, summaries_values
from data_model.store.record_fields import fields_getter


def indicator_values_changed(
    conn: Connection, submission_id: int, records: list[dict] | None
) -> None:
    """The values' quarter and year summaries (`summaries_values`) under the keys written,
    or under every key of the withdrawn submission, then the district scores and the
    coverage of the periods holding them (`summaries_periods`, which read those); and the
    late list's rows."""
    if records is None:
        keys = summaries_values.submission_keys(conn, submission_id)
        summaries_values.refresh(conn, keys)
        periods = {period for _, _, period in keys}
    else:
        summaries_values.refresh_written(conn, records, submission_id)
        periods = set(map(fields_getter(records, ["period"]), records))
    summaries_periods.values_changed(conn, periods)
    summaries_tasks.values_changed(conn, submission_id)


def tasks_changed(conn: Connection, submission_id: int, records: list[dict] | None) -> None:
    """The late list's rows and each task's latest reports (`summaries_tasks`)."""
    summaries_tasks.tasks_changed(conn, submission_id)


def indicators_changed(conn: Connection, submission_id: int, records: list[dict] | None) -> None:
    """Every period's district scores and coverage (`summaries_periods`): the indicators
    counted, their targets, weights, rules and frequencies change both in every period."""
    summaries_periods.rebuild(conn)
