"""Every command the README shows works as shown (as sqlite-utils' test_docs.py does).

Each `python -m data_model …` line of the README's shell blocks is read with its notation:
`[…]` is optional, `a|b` names alternatives, `…` stands for more arguments. Every form of
every line (without and with its optional parts, each alternative) must be accepted by the
CLI's argument parser, so a renamed command or option fails here. Then the lines of the
"Command line" block run in order, as a newcomer would type them, on a fresh SQLite
database in an empty folder holding the files they name; each must succeed.
"""

from __future__ import annotations

import itertools
import re
import shlex
from pathlib import Path

import pytest

from data_model import cli
from data_model.cli import build_parser, main
from tests.conftest import VALUE_HEADER, indicator_rows, make_xlsx

README = Path(__file__).resolve().parents[1] / "README.md"
PREFIX = "python -m data_model"
# Where the README's minimal form is meant for another state of the database than the one
# the lines before it leave: the form to run instead.
RUN_AS = {
    "restore backup.zip": "restore backup.zip --force",  # the database holds data by then
}
# Commands about a submission the lines before do not make (one held for review): parsed
# above, not run.
PARSE_ONLY = ("review approve ", "review return ")


def shell_blocks(text: str) -> list[list[str]]:
    """The README's ```bash blocks, as lines with continuations joined."""
    blocks = re.findall(r"```(?:bash|cron)\n(.*?)```", text, flags=re.S)
    return [block.replace("\\\n", " ").splitlines() for block in blocks]


def examples(line: str) -> list[str]:
    """The `data_model` commands on one line: arguments after the prefix, comment dropped."""
    found = []
    for part in line.split(";"):
        part = re.sub(r"\s+#.*$", "", part)
        if PREFIX in part:
            command = re.sub(r"\$\([^)]*\)", "2024-06-30", part.split(PREFIX, 1)[1])
            command = command.split("&&")[0]
            command = re.sub(r"\s+(\d?>&\d|\d?>>?\s*\S+)", "", command)  # redirections
            found.append(command.strip())
    return found


def forms(example: str) -> list[list[str]]:
    """Every argument list an example stands for: optional parts left out and put in, each
    alternative of `a|b` (only the first where `…` stands for arguments not shown)."""
    optional = re.findall(r"\[([^\]]*)\]", example)
    variants = []
    for chosen in itertools.product((False, True), repeat=len(optional)):
        parts = iter(chosen)
        variants.append(
            re.sub(r"\[([^\]]*)\]", lambda m, p=parts: m.group(1) if next(p) else "", example)
        )
    result = []
    for variant in dict.fromkeys(variants):
        words = [w for w in shlex.split(variant) if w != "…"]
        options = [
            w.split("|") if "|" in w and "…" not in example else [w.split("|")[0]] for w in words
        ]
        result += [list(choice) for choice in itertools.product(*options)]
    return result


ALL_EXAMPLES = [
    example
    for block in shell_blocks(README.read_text(encoding="utf-8"))
    for line in block
    for example in examples(line)
]


def test_the_readme_shows_the_commands():
    assert len(ALL_EXAMPLES) >= 18
    assert any(e.startswith("import ") for e in ALL_EXAMPLES)


@pytest.mark.parametrize("example", ALL_EXAMPLES)
def test_every_form_of_a_readme_command_is_accepted_by_the_parser(example):
    parser = build_parser()
    for argv in forms(example):
        try:
            parser.parse_args(argv)
        except SystemExit as error:
            raise AssertionError(f"README: `{' '.join(argv)}` is not accepted") from error


def command_line_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Command line", 1)[1].split("\n## ", 1)[0]
    (block,) = shell_blocks(section)
    return [example for line in block for example in examples(line)]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty folder with the files the README's commands name, and a fresh database."""
    scratch = f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
    work = tmp_path / "work"
    work.mkdir()
    assert main(["init", "--db", scratch]) == 0
    assert main(["master", "export", "--out", str(work / "主数据.xlsx"), "--db", scratch]) == 0
    (work / "3月数据.xlsx").write_bytes(
        make_xlsx(
            {
                "指标体系": indicator_rows(),
                "指标数据": [VALUE_HEADER, ["YS02", "", "南山区", "2022-03", 12, ""]],
            }
        )
    )
    monkeypatch.chdir(work)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{work / 'readme.sqlite3'}")
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": "readme-password-2024")
    return work


def test_the_command_line_block_runs_in_order_on_a_fresh_database(folder, capsys):
    ran = []
    for example in command_line_block():
        minimal = re.sub(r"\s*\[[^\]]*\]", "", example)
        if minimal.startswith(PARSE_ONLY):
            continue
        command = RUN_AS.get(minimal, minimal)
        argv = [w.split("|")[0] for w in shlex.split(command) if w != "…"]
        code = main(argv)
        output = capsys.readouterr()
        assert code == 0, f"`{' '.join(argv)}` exited {code}:\n{output.out}{output.err}"
        ran.append(argv[0])
    assert {"init", "import", "seed", "scores", "bulletin", "backup", "restore"} <= set(ran)
    assert (folder / "通报.docx").stat().st_size > 0
    assert (folder / "backup.zip").stat().st_size > 0
