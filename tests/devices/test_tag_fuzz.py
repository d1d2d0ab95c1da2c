"""Random bytes into every tag decoder: only the decoders' own error type may come out."""

from hypothesis import given, settings, strategies as st

from kiosk.devices.tags import TagFormatError, compaction, decode_tag, iso28560_2, iso28560_3, rfid501

memory = st.binary(min_size=0, max_size=120)


def only_tag_errors(call, *args) -> None:
    try:
        call(*args)
    except TagFormatError:
        pass


@settings(max_examples=300, deadline=None)
@given(memory, st.one_of(st.none(), st.integers(0, 255)))
def test_decode_tag_raises_only_tag_format_error(data, dsfid):
    only_tag_errors(decode_tag, "E004010000000001", data, dsfid)


@settings(max_examples=300, deadline=None)
@given(memory)
def test_each_model_decoder_raises_only_tag_format_error(data):
    for decoder in (iso28560_3.decode, iso28560_2.decode, rfid501.decode, compaction.decode_isil,
                    compaction.decode_numeric, compaction.decode_integer, compaction.decode_5bit,
                    compaction.decode_6bit, compaction.decode_7bit):
        only_tag_errors(decoder, data)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.", min_size=1, max_size=16))
def test_iso28560_2_round_trips_item_ids(item_id):
    tag = iso28560_2.ObjectTag(item_id=item_id)
    assert iso28560_2.decode(iso28560_2.encode(tag)).item_id == item_id


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-:/", min_size=1, max_size=16))
def test_isil_compaction_round_trips(isil):
    assert compaction.decode_isil(compaction.encode_isil(isil)) == isil


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=34, max_size=34), st.integers(0, 33))
def test_a_single_flipped_bit_never_yields_a_different_danish_item(data, position):
    good = iso28560_3.encode(iso28560_3.DanishTag(item_id="30234000517861", owner_library="DK-1"))
    damaged = bytearray(good)
    damaged[position] ^= 1 << (data[position] % 8)
    try:
        decoded = iso28560_3.decode(bytes(damaged))
    except TagFormatError:
        return
    assert decoded.item_id == "30234000517861"
