"""The checksum's byte sum, taken through Adler-32, is the plain sum of the bytes."""

from hypothesis import given, strategies as st

from sip2.checksum import byte_sum, checksum


@given(st.binary(max_size=2000))
def test_byte_sum_is_the_sum_of_the_bytes(data):
    assert byte_sum(data) == sum(data)


def test_byte_sum_at_the_edges_of_exactness():
    for size in (0, 1, 255, 256, 257, 512, 513, 65536):
        data = b"\xff" * size
        assert byte_sum(data) == 255 * size
        assert checksum(data) == f"{(-255 * size) & 0xFFFF:04X}"
