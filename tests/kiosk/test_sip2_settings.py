"""The kiosk's [sip2] settings reach the SIP2 client: the AY sequence check."""

from __future__ import annotations

import pytest

from sip2.checksum import SequenceCheck

from kiosk.config import ConfigError, parse_config
from kiosk.core.acs_link import client_for


def test_the_kiosk_configuration_sets_the_check_and_refuses_nonsense():
    config = parse_config({"sip2": {"host": "127.0.0.1", "dialect": "evergreen"}})
    assert client_for(config.sip2).settings.sequence_check is SequenceCheck.RESENT_ANY
    config = parse_config({"sip2": {"host": "127.0.0.1", "sequence_check": "off"}})
    assert client_for(config.sip2).settings.sequence_check is SequenceCheck.OFF
    with pytest.raises(ConfigError, match="sip2.sequence_check: expected one of match, resent-any, off"):
        parse_config({"sip2": {"host": "127.0.0.1", "sequence_check": "sometimes"}})
