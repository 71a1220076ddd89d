"""Every cached JSON answer (review lists, ratings, the published files) is written by one encoder
(`web/caching.py`): compact UTF-8 JSON, byte for byte what the standard library writes, so that a
change of encoder never changes an answer or a published file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from reviews_service.web.caching import encode_json


def stdlib(payload) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False,
                      default=lambda v: v.isoformat()).encode()


# What answers hold: any text (lone surrogates never get past the input checks), 64-bit integers,
# averages to two decimals from 0 to 5, timestamps in UTC or another offset.
texts = st.text(st.characters(exclude_categories=["Cs"]))
averages = st.integers(0, 500).map(
    lambda n: float((Decimal(n) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)))
stamps = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                      timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]))
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | averages | texts | stamps
payloads = st.recursive(scalars, lambda inner: st.lists(inner) | st.dictionaries(texts, inner), max_leaves=30)


@given(payloads)
def test_answers_are_the_bytes_the_standard_library_writes(payload):
    assert encode_json(payload) == stdlib(payload)


def test_what_the_fast_encoder_refuses_is_written_as_the_standard_library_writes_it():
    payload = {"big": 2**70, "keys": {1: "one", None: "none"}}
    assert encode_json(payload) == stdlib(payload)
