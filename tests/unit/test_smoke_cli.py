from typer.testing import CliRunner

from provisioner.cli import app


def test_help_lists_profiles_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "profiles" in result.output
