"""verify scoped by the stack's state (its output ARNs) rather than by tags alone."""

from __future__ import annotations

import pytest

from provisioner.profiles import resolve_target
from provisioner.verify import VerifyRequest, arns_in_outputs, verify
from tests.support.moto_server import MotoServer
from tests.support.simulated_deploy import simulated_deploy

pytestmark = pytest.mark.integration


def test_arns_in_outputs_walks_nested_values_once() -> None:
    outputs = {
        "queue_arns": {"orders": "arn:aws:sqs:us-east-1:123456789012:orders"},
        "topic_arns": ["arn:aws:sns:us-east-1:123456789012:events"],
        "queue_urls": {"orders": "https://sqs.us-east-1.amazonaws.com/123456789012/orders"},
        "key_arn": "arn:aws:kms:us-east-1:123456789012:key/k",
        "again": "arn:aws:kms:us-east-1:123456789012:key/k",
        "stack": "pci.dev",
    }
    assert arns_in_outputs(outputs) == (
        "arn:aws:sqs:us-east-1:123456789012:orders",
        "arn:aws:sns:us-east-1:123456789012:events",
        "arn:aws:kms:us-east-1:123456789012:key/k",
    )


def test_state_outputs_keep_a_tag_impostor_out_of_the_judgement(moto_server: MotoServer) -> None:
    target = resolve_target(["pci"], "dev")
    deployment = simulated_deploy(target, moto_server.url)
    sqs = moto_server.client("sqs", target.region)
    # Not part of the deployment, but wearing the stack's tag (and violating every queue control).
    sqs.create_queue(QueueName="impostor", tags=dict(target.tags))

    by_tags = verify(VerifyRequest(target=target, endpoint_url=moto_server.url))
    by_state = verify(
        VerifyRequest(
            target=target,
            endpoint_url=moto_server.url,
            output_arns=arns_in_outputs(deployment.plan.outputs),
        )
    )

    def failing(report: object) -> set[tuple[str, str]]:
        return {
            (f.control, f.resource)
            for f in report.findings  # type: ignore[attr-defined]
            if f.status == "fail"
        }

    assert any("impostor" in resource for _, resource in failing(by_tags))
    assert failing(by_state) == set()
