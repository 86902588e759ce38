"""Subject references: a keyed hash (HMAC-SHA-256) of a data subject's id, never the id itself.

Producers attach it as a message attribute so an erasure can find a subject's messages without
decrypting anything; without the key, the reference cannot be linked back to the id.
"""

from __future__ import annotations

import hashlib
import hmac

SUBJECT_ATTRIBUTE = "provisioner-subject-ref"
MIN_KEY_BYTES = 32
_LABEL = b"provisioner/subject/v1\x00"


class SubjectKey:
    """The secret behind subject references; its repr never shows the key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"subject key must be at least {MIN_KEY_BYTES} bytes")
        self._key = key

    @classmethod
    def from_text(cls, text: str) -> SubjectKey:
        """A key given as text (file or environment): hex if it decodes as hex, else UTF-8."""
        stripped = text.strip()
        try:
            return cls(bytes.fromhex(stripped))
        except ValueError:
            return cls(stripped.encode("utf-8"))

    def reference(self, subject_id: str) -> bytes:
        return hmac.new(self._key, _LABEL + subject_id.encode("utf-8"), hashlib.sha256).digest()

    def reference_text(self, subject_id: str) -> str:
        return self.reference(subject_id).hex()

    def __repr__(self) -> str:
        return "SubjectKey(<redacted>)"
