"""The zygote's wire format: length-prefixed JSON on pipes, any payload, clean end of stream."""

from __future__ import annotations

import os
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civilinstruct.sandbox.wire import read_msg, write_msg

payloads = st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                        max_leaves=20)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(payloads)
def test_messages_round_trip(payload: object) -> None:
    r, w = os.pipe()
    try:
        write_msg(w, payload)
        assert read_msg(r) == payload
    finally:
        os.close(r)
        os.close(w)


def test_large_message_through_a_pipe_and_end_of_stream() -> None:
    r, w = os.pipe()
    big = {"stdout": "x" * 3_000_000}
    writer = threading.Thread(target=lambda: (write_msg(w, big), os.close(w)))
    writer.start()
    assert read_msg(r) == big
    assert read_msg(r) is None
    writer.join()
    os.close(r)
