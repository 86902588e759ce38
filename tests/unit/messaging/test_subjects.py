from __future__ import annotations

import pytest

from provisioner.messaging.subjects import SubjectKey


def test_reference_is_a_keyed_hash_not_the_id() -> None:
    key = SubjectKey(b"k" * 32)

    reference = key.reference_text("alice@example.com")

    assert len(reference) == 64 and "alice" not in reference
    assert reference == SubjectKey(b"k" * 32).reference_text("alice@example.com")
    assert reference != SubjectKey(b"j" * 32).reference_text("alice@example.com")
    assert reference != key.reference_text("bob@example.com")


def test_short_keys_are_refused_and_the_key_never_shows() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        SubjectKey(b"short")
    assert "kkkk" not in repr(SubjectKey(b"k" * 32))


def test_text_keys_are_hex_when_they_decode_as_hex() -> None:
    assert SubjectKey.from_text("ab" * 32 + "\n").reference("x") == SubjectKey(
        bytes.fromhex("ab" * 32)
    ).reference("x")
    assert SubjectKey.from_text("p" * 40).reference("x") == SubjectKey(b"p" * 40).reference("x")
