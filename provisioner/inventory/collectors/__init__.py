"""One collector per AWS service. Each lists once, reads each resource's attributes once, and
returns inventory models by kind; `provisioner.inventory.live` runs them side by side."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType

from provisioner.inventory.collectors import (
    cloudtrail,
    cloudwatch,
    config,
    ec2,
    events,
    iam,
    kms,
    logs,
    s3,
    sns,
    sqs,
)
from provisioner.inventory.collectors._base import CollectorContext
from provisioner.inventory.models import AnyResource, Kind

Collected = Mapping[Kind, tuple[AnyResource, ...]]
Collector = Callable[[CollectorContext], Collected]

# service name -> (its collector module, the kinds it fills)
COLLECTORS: Mapping[str, ModuleType] = {
    "kms": kms,
    "sqs": sqs,
    "sns": sns,
    "s3": s3,
    "cloudtrail": cloudtrail,
    "config": config,
    "logs": logs,
    "cloudwatch": cloudwatch,
    "events": events,
    "ec2": ec2,
    "iam": iam,
}
