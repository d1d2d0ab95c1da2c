"""The `__init__` that `@message` writes behaves as the frozen dataclass's own would."""

import dataclasses
import inspect

import pytest

from sip2.message import MESSAGES, Message
from sip2.messages import ACSStatus, Checkout

ALL_CLASSES = sorted(MESSAGES.values(), key=lambda c: c.CODE)


def dataclass_signature(cls: type[Message]) -> inspect.Signature:
    """The signature dataclasses would give `cls`: its fields in order, keyword-only ones last."""
    fields = dataclasses.fields(cls)
    parameters = [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY if f.kw_only
                                    else inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    default=f.default, annotation=f.type)
                  for f in sorted(fields, key=lambda f: f.kw_only)]
    return inspect.Signature(parameters, return_annotation=None)


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.CODE)
def test_signature_and_defaults_are_the_dataclass_ones(cls):
    assert inspect.signature(cls) == dataclass_signature(cls)
    built = cls()
    assert all(getattr(built, f.name) == f.default for f in dataclasses.fields(cls))


def test_positional_and_keyword_arguments_land_in_their_fields():
    message = Checkout(True, False, None, None, "I", "P", "X", extra=[("ZZ", "1")])
    assert (message.renewal_policy, message.institution_id, message.item_id) == (True, "I", "X")
    assert message.extra == (("ZZ", "1"),)
    with pytest.raises(TypeError):
        Checkout(nonsense=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Checkout(*range(13))  # extra and wire are keyword-only


def test_lists_become_tuples_and_messages_stay_frozen_and_comparable():
    a = ACSStatus(screen_messages=["one", "two"], extra=[["ZZ", "v"]])
    b = ACSStatus(screen_messages=("one", "two"), extra=(("ZZ", "v"),))
    assert a.screen_messages == ("one", "two") and a.extra == (("ZZ", "v"),)
    assert a == b and hash(a) == hash(b) and repr(a) == repr(b)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.online = True  # type: ignore[misc]
    changed = dataclasses.replace(a, online=True)
    assert changed.online and changed.screen_messages == ("one", "two") and changed != a
