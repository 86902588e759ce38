from pathlib import Path

import pytest

from provisioner.errors import BadInputError
from provisioner.render import emit, table


def test_table_prints_values_that_look_like_markup_verbatim() -> None:
    text = table(("name", "value"), [("db_password", "[secret]"), ("note", "[bold]x[/bold]")])
    assert "[secret]" in text
    assert "[bold]x[/bold]" in text


def test_emit_writes_the_report_file_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "out" / "report.json"
    emit('{"a": 1}', report)
    assert report.read_text(encoding="utf-8") == '{"a": 1}\n'
    assert capsys.readouterr().out == '{"a": 1}\n'


def test_unwritable_report_file_is_bad_input(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(BadInputError, match="--report-file"):
        emit("x", blocker / "report.json")
