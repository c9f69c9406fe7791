"""A small database state with known reminders, shared by the reminder, delivery and page
tests: the task list of tests/task_workbook.py and a four-row schedule.

| owed by | district | item | due | reported |
|---|---|---|---|---|
| 南山区工商联 (its federation) | 南山区 | indicator_values 2022-08 | 2022-09-10 | no |
| 福田区工商联 | 福田区 | indicator_values 2022-08 | 2022-09-10 | 2022-09-05 |
| 福田区工商联 | 福田区 | tasks 2022-Q3 | 2022-10-10 | no |
| 市商务局 (named) | 南山区 | tasks 2022-Q3 | 2022-09-30 | no |

and task K03 (市商务局, 南山区, deadline 2022-09-30, 50% in 2022-Q2, 70% in 2022-Q4).
K05 is ongoing, K07 suspended, the others completed or due in 2023.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, update

from data_model.ingest.importer import import_file
from data_model.queries.schedule import replace_schedule
from data_model.store.models import Submission
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx
from tests.task_workbook import task_workbook

SCHEDULE = [
    ("南山区", "", "indicator_values", "2022-08", date(2022, 9, 10)),
    ("福田区", "", "indicator_values", "2022-08", date(2022, 9, 10)),
    ("福田区", "", "tasks", "2022-Q3", date(2022, 10, 10)),
    ("南山区", "市商务局", "tasks", "2022-Q3", date(2022, 9, 30)),
]


def load_reminder_data(engine: Engine) -> None:
    for report in (
        import_file(engine, make_xlsx({"指标体系": indicator_rows()}), "indicators.xlsx"),
        import_file(
            engine,
            make_xlsx({"指标数据": [VALUE_HEADER, ["YS02", "", "福田区", "2022-08", 1, ""]]}),
            "values.xlsx",
        ),
        import_file(engine, task_workbook(), "tasks.xlsx"),
    ):
        assert report.status == "accepted", report.errors
    with engine.begin() as conn:
        conn.execute(update(Submission).values(uploaded_at=datetime(2022, 9, 5, 9, tzinfo=UTC)))
        replace_schedule(
            conn,
            pd.DataFrame(
                [
                    {
                        "district": district,
                        "unit": unit,
                        "kind": kind,
                        "period": period,
                        "due_date": due,
                        "note": "",
                    }
                    for district, unit, kind, period, due in SCHEDULE
                ]
            ),
        )
