"""The student key: the one keyed hash that links sources, pinned to its definition (issue 6)."""

from __future__ import annotations

import hashlib
import hmac

from services.privacy import student_key, student_keyer


def test_a_student_key_is_the_hmac_of_the_normalized_id():
    expected = hmac.new(b"secret", b"710001", hashlib.sha256).hexdigest()[:24]
    assert student_key(b"secret", " 00710001 ") == expected
    assert student_keyer(b"secret")("710001.0") == expected  # Excel's float spelling
    assert student_key(b"other", "710001") != expected
    assert student_key(b"secret", "  ") is None
