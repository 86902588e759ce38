"""Messaging throughput and KMS calls, against the seed's approach, in one run on a moto server.

Run: .venv/bin/python -m benchmarks.bench_messaging [--messages N]

Measures, at 1 KiB and 64 KiB payloads:
- ours (delegated signing, cached data keys): seal+sign, verify+open, messages/s;
- ours in kms mode (one KMS Sign per message): seal+sign;
- the seed's approach: a GenerateDataKey per message, Fernet (AES-128-CBC + HMAC) and a bare
  SHA-256 digest (no signature); open = a KMS Decrypt per message + Fernet;
- the local floor: raw AES-256-GCM + one ECDSA P-256 sign (seal), decrypt + verify (open);
- KMS calls per 10,000 messages (botocore `before-call.kms` hook), seal and open sides;
- optionally the AWS Encryption SDK (if installed) with its caching CMM, for the build-or-buy
  decision.
Prints a human summary and, last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from provisioner.messaging import wire
from provisioner.messaging.envelope import EnvelopeOpener, EnvelopeSealer
from provisioner.messaging.opening import MessageOpener
from provisioner.messaging.replay import ReplayGuard
from provisioner.messaging.sealing import MessageSealer
from provisioner.messaging.signing import DelegatedSigner, KmsSigner, SignatureVerifier

PRODUCER = "bench-producer"
DESTINATION = "arn:aws:sqs:us-east-1:123456789012:bench"
# Local crypto is timed best-of-ROUNDS (the machine is shared); KMS-bound runs once.
ROUNDS = 5


class KmsCounter:
    def __init__(self, client: Any) -> None:
        self.calls = 0
        client.meta.events.register("before-call.kms", self._count)

    def _count(self, **_: Any) -> None:
        self.calls += 1


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def _timed(count: int, work: Callable[[int], object]) -> float:
    start = time.perf_counter()
    for i in range(count):
        work(i)
    return time.perf_counter() - start


def bench_ours(kms: Any, cmk: str, signing_key: str, payload: bytes, count: int) -> dict[str, Any]:
    counter = KmsCounter(kms)
    sealer = MessageSealer(
        PRODUCER, EnvelopeSealer(kms, cmk), DelegatedSigner(kms, signing_key, PRODUCER)
    )
    opener = MessageOpener(
        SignatureVerifier(kms, {PRODUCER: signing_key}),
        EnvelopeOpener(kms),
        ReplayGuard(max_entries=ROUNDS * count + 1),
    )
    sealer.seal(payload, DESTINATION)  # certificate and first data key: counted, not timed
    accepted = frozenset([DESTINATION])
    seal_times, open_times = [], []
    for round_ in range(ROUNDS):
        bodies: list[str] = []
        seal_times.append(_timed(count, partial(_seal_into, sealer, payload, bodies)))
        open_times.append(_timed(count, partial(_open_from, opener, accepted, bodies, round_)))
    return {
        "seal_sign_per_s": _rate(count, min(seal_times)),
        "verify_open_per_s": _rate(count, min(open_times)),
        "kms_calls": counter.calls,
        "body_bytes": len(sealer.seal(payload, DESTINATION).body),
    }


def _seal_into(sealer: MessageSealer, payload: bytes, bodies: list[str], _: int) -> None:
    bodies.append(sealer.seal(payload, DESTINATION).body)


def _open_from(
    opener: MessageOpener, accepted: frozenset[str], bodies: list[str], round_: int, i: int
) -> None:
    opener.open(bodies[i], accepted, f"sqs-{round_}-{i}")


def bench_ours_kms_mode(
    kms: Any, cmk: str, signing_key: str, payload: bytes, count: int
) -> dict[str, Any]:
    sealer = MessageSealer(PRODUCER, EnvelopeSealer(kms, cmk), KmsSigner(kms, signing_key))
    seal_s = _timed(count, lambda i: sealer.seal(payload, DESTINATION))
    return {"seal_sign_per_s": _rate(count, seal_s)}


def bench_seed(kms: Any, cmk: str, payload: bytes, count: int) -> dict[str, Any]:
    """The seed guide: GenerateDataKey per message, Fernet, a SHA-256 digest as 'signature'."""
    tokens: list[tuple[bytes, bytes, str]] = []

    def seal(_: int) -> None:
        key = kms.generate_data_key(KeyId=cmk, KeySpec="AES_256")
        token = Fernet(base64.urlsafe_b64encode(key["Plaintext"])).encrypt(payload)
        tokens.append((key["CiphertextBlob"], token, hashlib.sha256(token).hexdigest()))

    def open_(i: int) -> None:
        wrapped, token, digest = tokens[i]
        assert hashlib.sha256(token).hexdigest() == digest
        key = kms.decrypt(CiphertextBlob=wrapped)["Plaintext"]
        Fernet(base64.urlsafe_b64encode(key)).decrypt(token)

    seal_s = _timed(count, seal)
    open_s = _timed(count, open_)
    return {"seal_sign_per_s": _rate(count, seal_s), "verify_open_per_s": _rate(count, open_s)}


def bench_floor(payload: bytes, count: int) -> dict[str, Any]:
    """Raw AES-256-GCM + one ECDSA P-256 sign per message: the local-crypto floor."""
    cipher = AESGCM(AESGCM.generate_key(bit_length=256))
    private_key = ec.generate_private_key(ec.SECP256R1())
    public_key = private_key.public_key()
    ecdsa = ec.ECDSA(hashes.SHA256())
    sealed: list[tuple[bytes, bytes, bytes]] = []

    def seal(_: int) -> None:
        nonce = os.urandom(12)
        ciphertext = cipher.encrypt(nonce, payload, None)
        sealed.append((nonce, ciphertext, private_key.sign(ciphertext, ecdsa)))

    def open_(i: int) -> None:
        nonce, ciphertext, signature = sealed[i]
        public_key.verify(signature, ciphertext, ecdsa)
        cipher.decrypt(nonce, ciphertext, None)

    seal_times, open_times = [], []
    for _ in range(ROUNDS):
        sealed.clear()
        seal_times.append(_timed(count, seal))
        open_times.append(_timed(count, open_))
    return {
        "seal_sign_per_s": _rate(count, min(seal_times)),
        "verify_open_per_s": _rate(count, min(open_times)),
    }


def kms_calls_per_10000(kms: Any, cmk: str, signing_key: str) -> dict[str, int]:
    """Delegated mode with caching: KMS calls to seal and to open 10,000 1 KiB messages."""
    payload = os.urandom(1024)
    sealer = MessageSealer(
        PRODUCER, EnvelopeSealer(kms, cmk), DelegatedSigner(kms, signing_key, PRODUCER)
    )
    opener = MessageOpener(
        SignatureVerifier(kms, {PRODUCER: signing_key}),
        EnvelopeOpener(kms),
        ReplayGuard(max_entries=10_001),
    )
    counter = KmsCounter(kms)
    bodies = [sealer.seal(payload, DESTINATION).body for _ in range(10_000)]
    seal_calls = counter.calls
    accepted = frozenset([DESTINATION])
    for i, body in enumerate(bodies):
        opener.open(body, accepted, f"sqs-{i}")
    return {"seal": seal_calls, "open": counter.calls - seal_calls, "total": counter.calls}


def bench_esdk(server_url: str, cmk: str, payload: bytes, count: int) -> dict[str, Any] | None:
    """The AWS Encryption SDK with a caching CMM (same limits), if it is installed."""
    import importlib

    import botocore.session

    try:  # optional: installed only to take this measurement, not a dependency
        aws_encryption_sdk: Any = importlib.import_module("aws_encryption_sdk")
    except ImportError:
        return None
    commitment_policy = aws_encryption_sdk.identifiers.CommitmentPolicy
    os.environ["AWS_ENDPOINT_URL_KMS"] = server_url
    client = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=commitment_policy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
    )
    provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(
        key_ids=[cmk], botocore_session=botocore.session.Session()
    )
    cmm = aws_encryption_sdk.CachingCryptoMaterialsManager(
        master_key_provider=provider,
        cache=aws_encryption_sdk.LocalCryptoMaterialsCache(capacity=100),
        max_age=300.0,
        max_messages_encrypted=10_000,
    )
    context = {"provisioner:destination": DESTINATION}
    ciphertexts: list[bytes] = []

    def seal(_: int) -> None:
        ciphertext, _header = client.encrypt(
            source=payload, materials_manager=cmm, encryption_context=context
        )
        ciphertexts.append(ciphertext)

    def open_(i: int) -> None:
        client.decrypt(source=ciphertexts[i], materials_manager=cmm)

    seal_s = _timed(count, seal)
    open_s = _timed(count, open_)
    return {
        "suite": "default (AES-256-GCM, HKDF, key commitment, ECDSA P-384 per message)",
        "seal_per_s": _rate(count, seal_s),
        "open_per_s": _rate(count, open_s),
        "base64_body_bytes": wire.encoded_size(len(ciphertexts[0])),
        "producer_identity": "none (signing key is per message, public key in the header)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=1000, help="messages per round at 1 KiB")
    args = parser.parse_args(argv)

    import boto3
    from moto.server import ThreadedMotoServer

    from tests.support.moto_server import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    try:
        kms = boto3.client(
            "kms",
            region_name="us-east-1",
            endpoint_url=url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        cmk = kms.create_key()["KeyMetadata"]["Arn"]
        signing_key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")[
            "KeyMetadata"
        ]["Arn"]
        figures: dict[str, Any] = {"messages_1k": args.messages}
        for label, size, count in (
            ("1k", 1024, args.messages),
            ("64k", 65536, max(args.messages // 4, 50)),
        ):
            payload = os.urandom(size)
            seed_count = max(count // 10, 20)  # the seed is slow: fewer messages, same rate
            figures[f"ours_{label}"] = bench_ours(kms, cmk, signing_key, payload, count)
            figures[f"ours_kms_mode_{label}"] = bench_ours_kms_mode(
                kms, cmk, signing_key, payload, seed_count
            )
            figures[f"seed_{label}"] = bench_seed(kms, cmk, payload, seed_count)
            figures[f"floor_{label}"] = bench_floor(payload, count)
            ours, seed, floor = (figures[f"{k}_{label}"] for k in ("ours", "seed", "floor"))
            figures[f"speedup_vs_seed_{label}"] = {
                side: round(ours[side] / seed[side], 1)
                for side in ("seal_sign_per_s", "verify_open_per_s")
            }
            figures[f"slowdown_vs_floor_{label}"] = {
                side: round(floor[side] / ours[side], 2)
                for side in ("seal_sign_per_s", "verify_open_per_s")
            }
        kms_calls = kms_calls_per_10000(kms, cmk, signing_key)
        figures["kms_calls_per_10000_delegated_cached"] = kms_calls
        esdk = bench_esdk(url, cmk, os.urandom(1024), max(args.messages // 4, 50))
        if esdk is not None:
            figures["esdk_1k"] = esdk
        figures["targets"] = {
            "speedup_vs_seed_1k_at_least_20": min(figures["speedup_vs_seed_1k"].values()) >= 20,
            "kms_calls_per_1000_at_most_1": kms_calls["total"] <= 10,
            # The floor is AES-GCM + one ECDSA sign: the seal side is what it bounds.
            "seal_within_3x_of_floor": max(
                figures[f"slowdown_vs_floor_{label}"]["seal_sign_per_s"] for label in ("1k", "64k")
            )
            <= 3,
        }
    finally:
        server.stop()

    for key, value in figures.items():
        print(f"{key}: {value}", file=sys.stderr)
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
