"""A new user's first real task list through the upload page, on SQLite and PostgreSQL:
the period only in its title, 序号 instead of codes, the list's own column names, actions
merged over their tasks, and lead units the system has never seen. The admin registers
the unknown units in place, commits without re-uploading, and next quarter's list (other
row order, new progress) supersedes the same tasks."""

from __future__ import annotations

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from data_model.store.models import Task, TaskSnapshot, Unit
from tests.app.conftest import upload_page
from tests.ingest.test_task_lists import real_task_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# content: (action, lead unit, deadline); two lead units no default list holds
TASKS = {
    "建立安全生产服务民企机制": ("领跑行动", "市应急管理局", "2022年底"),
    "开展营商环境评价": ("领跑行动", "市发展改革委", "2022年6月底前"),
    "发布涉企气象服务指引": ("提质行动", "市气象局", "长期坚持"),
}


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label.startswith(label))


def upload(app: AppTest, name: str, data: bytes) -> AppTest:
    app.file_uploader(key="upload_files").set_value((name, data, XLSX))
    app.run()
    assert not app.exception
    return app


def progress_by_task(engine) -> dict[tuple[str, str], dict[str, float]]:
    """(content, lead unit) → {report period: progress} of the current tasks."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Task.content, Unit.name, TaskSnapshot.report_period, TaskSnapshot.progress)
            .join(Unit, Unit.id == Task.lead_unit_id)
            .join(TaskSnapshot, TaskSnapshot.task_code == Task.code)
            .where(Task.is_current, TaskSnapshot.is_current)
        ).all()
    found: dict[tuple[str, str], dict[str, float]] = {}
    for content, unit, period, progress in rows:
        found.setdefault((content, unit), {})[period] = progress
    return found


def test_a_real_task_list_with_unknown_units_is_resolved_in_place_and_next_quarter_follows(
    engine, empty_db
):
    app = upload_page(empty_db)
    first = list(zip(TASKS, ("40%", 30, "未启动"), strict=True))
    upload(app, "重点任务清单（一季度）.xlsx", real_task_list("2022年第一季度", first, tasks=TASKS))
    assert button(app, "确认导入").disabled
    names = next(d.value for d in app.dataframe if "文件中的写法" in d.value.columns)
    assert sorted(names["文件中的写法"]) == ["市应急管理局", "市气象局"]

    button(app, "将 2 个没有相近名称的全部登记为新").click().run()  # re-checks the same upload
    assert not app.exception
    assert any("将新增 3 条" in i.value for i in app.info)
    button(app, "确认导入").click().run()
    assert not app.exception
    assert progress_by_task(engine) == {
        ("建立安全生产服务民企机制", "市应急管理局"): {"2022-Q1": 40.0},
        ("开展营商环境评价", "市发展改革委"): {"2022-Q1": 30.0},
        ("发布涉企气象服务指引", "市气象局"): {"2022-Q1": 0.0},
    }

    # Next quarter: the units are known now, the rows come in another order.
    second = [("发布涉企气象服务指引", "20%"), ("开展营商环境评价", "已完成")]
    second.append(("建立安全生产服务民企机制", 70))
    upload(
        app, "重点任务清单（二季度）.xlsx", real_task_list("2022年第二季度", second, tasks=TASKS)
    )
    assert not any("文件中的写法" in d.value.columns for d in app.dataframe)
    button(app, "确认导入").click().run()
    assert not app.exception
    assert progress_by_task(engine) == {
        ("建立安全生产服务民企机制", "市应急管理局"): {"2022-Q1": 40.0, "2022-Q2": 70.0},
        ("开展营商环境评价", "市发展改革委"): {"2022-Q1": 30.0, "2022-Q2": 100.0},
        ("发布涉企气象服务指引", "市气象局"): {"2022-Q1": 0.0, "2022-Q2": 20.0},
    }
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(Task.is_current)).scalar_one() == 3
