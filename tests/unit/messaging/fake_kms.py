"""An in-memory stand-in for the few KMS calls the library makes, counting them."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

CMK = "arn:aws:kms:eu-west-1:123456789012:key/cmk"
SIGNING_KEY = "arn:aws:kms:eu-west-1:123456789012:key/signer"


class FakeKms:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._keys: dict[bytes, bytes] = {}
        self._signing = {SIGNING_KEY: ec.generate_private_key(ec.SECP256R1())}

    def add_signing_key(self, key_id: str) -> None:
        self._signing[key_id] = ec.generate_private_key(ec.SECP256R1())

    def generate_data_key(self, **kwargs: Any) -> dict[str, Any]:
        self.calls["GenerateDataKey"] += 1
        plaintext = os.urandom(32)
        blob = json.dumps(
            {"n": os.urandom(8).hex(), "key": kwargs["KeyId"], "ctx": kwargs["EncryptionContext"]}
        ).encode()
        self._keys[blob] = plaintext
        return {"KeyId": kwargs["KeyId"], "Plaintext": plaintext, "CiphertextBlob": blob}

    def decrypt(self, **kwargs: Any) -> dict[str, Any]:
        self.calls["Decrypt"] += 1
        blob = kwargs["CiphertextBlob"]
        if blob not in self._keys or json.loads(blob)["ctx"] != kwargs["EncryptionContext"]:
            raise ClientError({"Error": {"Code": "InvalidCiphertextException"}}, "Decrypt")
        return {"KeyId": json.loads(blob)["key"], "Plaintext": self._keys[blob]}

    def sign(self, **kwargs: Any) -> dict[str, Any]:
        self.calls["Sign"] += 1
        assert kwargs["MessageType"] == "RAW" and len(kwargs["Message"]) <= 4096
        key = self._signing[kwargs["KeyId"]]
        return {"Signature": key.sign(kwargs["Message"], ec.ECDSA(hashes.SHA256()))}

    def get_public_key(self, **kwargs: Any) -> dict[str, Any]:
        self.calls["GetPublicKey"] += 1
        public = self._signing[kwargs["KeyId"]].public_key()
        return {
            "KeySpec": "ECC_NIST_P256",
            "KeyUsage": "SIGN_VERIFY",
            "PublicKey": public.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        }
