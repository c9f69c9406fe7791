"""A small task list with known answers, shared by the task query and task CLI tests.

As of 2022-12-31 (suspended K07 excluded, 8 tasks counted):

| code | action | lead unit | district | status | note |
|---|---|---|---|---|---|
| K01 | 领跑行动 | 市发展改革委 | 南山区 | completed | done in 2022-Q2, deadline 6-30: on time |
| K02 | 领跑行动 | 市发展改革委 | — | completed | done in 2022-Q3, deadline 6-30: late |
| K03 | 领跑行动 | 市商务局 | 南山区 | overdue | deadline 9-30, 92 days late |
| K04 | 提质行动 | 市商务局 | — | behind | 5% with 50.3% of the time gone |
| K05 | 提质行动 | 市司法局 | — | in_progress | 长期坚持 |
| K06 | 提质行动 | 市司法局 | — | completed | no start date, first reported 2022-Q4: on time |
| K07 | 提质行动 | 市财政局 | — | suspended | |
| K08 | 提质行动 | 市财政局 | — | completed | 常态化, done: on time |
| K09 | 提质行动 | 市司法局 | 福田区 | completed | 年底前, done in 2022-Q2: on time |
"""

from __future__ import annotations

import datetime as dt

from tests.conftest import make_xlsx

TASK_HEADER = [
    "任务编号",
    "所属行动",
    "任务内容",
    "牵头单位",
    "责任人",
    "开始日期",
    "完成时限",
    "完成进度(%)",
    "任务状态",
    "所属区",
    "报送期",
]

# The Chinese headers of the task status table (on the tasks page and from `task-status`).
STATUS_TABLE_HEADER = [
    "任务编号",
    "所属行动",
    "牵头单位",
    "所属区",
    "完成进度(%)",
    "完成时限",
    "时限原文",
    "任务状态",
    "逾期天数",
]

JAN, JUL = dt.datetime(2022, 1, 1), dt.datetime(2022, 7, 1)
TASKS = {
    # code: (action, content, unit, owner, start, deadline, district)
    "K01": ("领跑行动", "优化企业开办流程", "市发展改革委", "张三", JAN, "2022年6月底前", "南山区"),
    "K02": ("领跑行动", "开展营商环境评价", "市发展改革委", "李四", JAN, "2022-06-30", ""),
    "K03": (
        "领跑行动",
        "建设外贸企业服务平台",
        "市商务局",
        "王五",
        JAN,
        "2022年第三季度末",
        "南山区",
    ),
    "K04": ("提质行动", "培育商贸龙头企业", "市商务局", "赵六", JUL, "2023年6月底前", ""),
    "K05": ("提质行动", "开展法治体检进民企", "市司法局", "钱七", JAN, "长期坚持", ""),
    "K06": ("提质行动", "发布涉企法律指引", "市司法局", "孙八", None, "2022年12月31日", ""),
    "K07": ("提质行动", "设立民营企业发展基金", "市财政局", "周九", JUL, "2022年底", ""),
    "K08": ("提质行动", "落实减税降费政策", "市财政局", "吴十", JUL, "常态化", ""),
    "K09": ("提质行动", "建立企业合规指导机制", "市司法局", "郑一", JAN, "年底前", "福田区"),
}
REPORTS = [
    # (code, report period, progress, stated status)
    ("K01", "2022-Q1", 50, ""),
    ("K01", "2022-Q2", 100, "已完成"),
    ("K02", "2022-Q2", 80, ""),
    ("K02", "2022-Q3", 100, "已完成"),
    ("K03", "2022-Q2", 50, ""),
    ("K03", "2022-Q4", 70, ""),
    ("K04", "2022-Q4", 5, ""),
    ("K05", "2022-Q4", 60, ""),
    ("K06", "2022-Q4", 100, "已完成"),
    ("K07", "2022-Q3", 30, ""),
    ("K07", "2022-Q4", 40, "暂缓"),
    ("K08", "2022-Q3", 100, "已完成"),
    ("K09", "2022-Q2", 100, "完成"),
]


def task_rows() -> list[list]:
    rows = [TASK_HEADER]
    for code, period, progress, status in REPORTS:
        action, content, unit, owner, start, deadline, district = TASKS[code]
        rows.append(
            [
                code,
                action,
                content,
                unit,
                owner,
                start,
                deadline,
                progress,
                status,
                district,
                period,
            ]
        )
    return rows


def task_workbook() -> bytes:
    return make_xlsx({"任务清单": task_rows()})
