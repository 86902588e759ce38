"""Every control has at least one named pass_ case and one fail_ case."""

from __future__ import annotations

from provisioner.controls import CONTROLS
from tests.unit.controls import (
    test_governance,
    test_iam,
    test_kms,
    test_logs,
    test_network,
    test_s3,
    test_sns,
    test_sqs,
    test_trail,
)

MODULES = (
    test_sqs,
    test_sns,
    test_kms,
    test_trail,
    test_s3,
    test_logs,
    test_network,
    test_iam,
    test_governance,
)


def test_every_control_has_pass_and_fail_cases() -> None:
    cases = [case for module in MODULES for case in module.CASES]
    missing = [
        (control.id, prefix)
        for control in CONTROLS
        for prefix in ("pass_", "fail_")
        if not any(c.control == control.id and c.name.startswith(prefix) for c in cases)
    ]
    assert missing == []
