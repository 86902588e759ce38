"""A stack's worth of messaging resources in the moto server: CMK, producer keys, queues, topic."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from provisioner.messaging import SecureConsumer, SecureProducer, SubjectKey
from tests.support.moto_server import MotoServer

PRODUCER = "orders-service"


@dataclass
class MessagingWorld:
    server: MotoServer
    kms: Any
    sqs: Any
    sns: Any
    cmk_id: str
    signing_key: str
    queue_url: str
    queue_arn: str
    other_queue_url: str
    other_queue_arn: str
    subject_key: SubjectKey

    def producer(self, **overrides: Any) -> SecureProducer:
        options: dict[str, Any] = {
            "producer_id": PRODUCER,
            "cmk_id": self.cmk_id,
            "signing_key_id": self.signing_key,
            "kms": self.kms,
            "sqs": self.sqs,
            "sns": self.sns,
            "subject_key": self.subject_key,
        }
        options.update(overrides)
        return SecureProducer(**options)

    def consumer(self, **overrides: Any) -> SecureConsumer:
        options: dict[str, Any] = {
            "kms": self.kms,
            "sqs": self.sqs,
            "trusted_producers": {PRODUCER: self.signing_key},
        }
        options.update(overrides)
        return SecureConsumer(**options)

    def new_signing_key(self) -> str:
        metadata = self.kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")
        return str(metadata["KeyMetadata"]["Arn"])

    def raw_messages(self, queue_url: str) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            VisibilityTimeout=0,
        )
        return list(response.get("Messages", []))


@pytest.fixture
def world(moto_server: MotoServer) -> Iterator[MessagingWorld]:
    kms = moto_server.client("kms")
    sqs = moto_server.client("sqs")
    sns = moto_server.client("sns")
    cmk_id = kms.create_key(Description="stack cmk")["KeyMetadata"]["Arn"]
    signing_key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"][
        "Arn"
    ]
    urls = [sqs.create_queue(QueueName=name)["QueueUrl"] for name in ("orders", "audit-copy")]
    arns = [
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        for url in urls
    ]
    yield MessagingWorld(
        server=moto_server,
        kms=kms,
        sqs=sqs,
        sns=sns,
        cmk_id=cmk_id,
        signing_key=signing_key,
        queue_url=urls[0],
        queue_arn=arns[0],
        other_queue_url=urls[1],
        other_queue_arn=arns[1],
        subject_key=SubjectKey(b"k" * 32),
    )
