"""Calling KMS: every failure becomes a `MessageRejected` subclass, never a raw botocore error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from provisioner.messaging.errors import KmsUnavailable, Tampered

T = TypeVar("T")

# KMS says the ciphertext, or its encryption context, is not what it wrapped: the message was
# altered or moved, not KMS being down.
_TAMPER_CODES = frozenset({"InvalidCiphertextException", "IncorrectKeyException"})


def kms_call(operation: str, call: Callable[..., T], **kwargs: Any) -> T:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return call(**kwargs)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        if code in _TAMPER_CODES:
            raise Tampered(f"KMS {operation} refused the wrapped data key ({code})") from None
        raise KmsUnavailable(f"KMS {operation} failed: {code}") from None
    except BotoCoreError as error:
        raise KmsUnavailable(f"KMS {operation} failed: {type(error).__name__}") from None
