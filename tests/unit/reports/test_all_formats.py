"""Properties every format shares: secrets never appear; every resource is named."""

from __future__ import annotations

import pytest

from provisioner.reports import FORMATS, ComplianceReport, render
from tests.unit.reports.conftest import ACCESS_KEY_ID, QUEUE, SECRET


@pytest.mark.parametrize("output", FORMATS)
def test_secrets_never_appear(report: ComplianceReport, output: str) -> None:
    text = render(report, output)
    assert SECRET not in text
    assert ACCESS_KEY_ID not in text
    assert "K7MDENG" not in text


@pytest.mark.parametrize("output", FORMATS)
def test_the_failing_resource_is_named(report: ComplianceReport, output: str) -> None:
    assert QUEUE in render(report, output)


def test_unknown_format_is_refused(report: ComplianceReport) -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render(report, "pdf")
