"""Per-type encoder and decoder functions, written once from each message class's declarations.

The codec's general path walks a message class's field declarations on every call, asking of
each field what kind it is and where it sits. The answers never change for a class, so this
module asks once: it writes the Python source of a decoder and an encoder for the class, with
the fields unrolled in wire order, and compiles it with `exec` (as `dataclasses` writes
`__init__`). The declarations stay the only description of the layout: no field or message
is named here, and every kind's meaning comes from `sip2.fixedfields`.

- `DECODERS[cls](text)` is the whole of decoding a message's text (no trailer, no terminator).
  It raises the codec's CodecErrors, with the same wording.
- `ENCODERS[cls](message, send_empty)` handles the everyday case only: a message built by the
  program (no wire layout to follow, no extra fields) whose values have the declared types.
  It returns None for anything else, and the codec's general path encodes the message or
  names what is wrong with it.

`source(cls)` returns the generated text, for reading:
`python -c "from sip2.codegen import source; from sip2.message import MESSAGES; print(source(MESSAGES['12']))"`
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from datetime import datetime
from itertools import accumulate, groupby
from typing import Any

from sip2.dates import BLANK_DATE, LOCAL_DATE, TWO_DIGITS, format_transaction_date
from sip2.errors import CodecError
from sip2.fixedfields import PARSERS
from sip2.message import FixedSpec, Kind, Message, MessageSpec, WireLayout, spec_of

Decoder = Callable[[str], Message]
Encoder = Callable[[Message, Collection[str]], "str | None"]


class _Compiled(dict):
    """Functions by message class, each written and compiled the first time it is asked for."""

    def __init__(self, kind: str, write: Callable[[type[Message]], str]) -> None:
        super().__init__()
        self.kind, self.write = kind, write

    def __missing__(self, cls: type[Message]) -> Callable[..., Any]:
        function = self[cls] = _compile(cls, self.write(cls), f"{self.kind}_{cls.__name__}")
        return function


def source(cls: type[Message]) -> str:
    """The generated source of both functions of a message class, for reading."""
    return _decoder_source(cls) + "\n\n" + _encoder_source(cls)


def _compile(cls: type[Message], text: str, name: str) -> Callable[..., Any]:
    spec = spec_of(cls)
    namespace: dict[str, Any] = {
        "cls": cls, "CodecError": CodecError, "WireLayout": WireLayout, "datetime": datetime,
        "new_object": object.__new__, "new_tuple": tuple.__new__, "set_attribute": object.__setattr__,
        "LOCAL_DATE": LOCAL_DATE, "from_iso": datetime.fromisoformat,
        "format_date": format_transaction_date, "BLANK_DATE": BLANK_DATE, "TWO": TWO_DIGITS,
        "SPECS": tuple(fspec for _, fspec in spec.fixed),
        "PARSERS": tuple(PARSERS[fspec.kind] for _, fspec in spec.fixed),
        "NAMES": {v.id: n for n, v in spec.variable}, "ID": slice(None, 2), "VALUE": slice(2, None),
        "FIXED": _fixed_slices(spec), "VARIABLE": slice(2 + spec.fixed_width, None), "RUNS": _int_run_slices(spec),
        "ABSENT": _absent_fields(cls), "WIDTHS": tuple(fspec.width for _, fspec in spec.fixed),
    }
    exec(compile(text, f"<sip2.codegen {cls.__name__}>", "exec"), namespace)  # noqa: S102  (our own text)
    return namespace[name]


# --- decoding ------------------------------------------------------------------------------

def _int_runs(spec: MessageSpec) -> dict[int, int]:
    """Runs of two or more neighbouring whole-number fields: first index -> index after the last."""
    runs: dict[int, int] = {}
    index = 0
    for kind, group in groupby(fspec.kind for _, fspec in spec.fixed):
        size = len(list(group))
        if kind is Kind.INT and size >= 2:
            runs[index] = index + size
        index += size
    return runs


def _int_run_slices(spec: MessageSpec) -> dict[int, slice]:
    """Where each run of `_int_runs` sits in a message's text."""
    fixed = _fixed_slices(spec)
    return {start: slice(fixed[start].start, fixed[end - 1].stop) for start, end in _int_runs(spec).items()}


def _fixed_slices(spec: MessageSpec) -> tuple[slice, ...]:
    """Where each fixed field sits in a message's text (after the 2-character code)."""
    starts = list(accumulate((fspec.width for _, fspec in spec.fixed), initial=2))
    return tuple(slice(start, end) for start, end in zip(starts, starts[1:]))


def _absent_fields(cls: type[Message]) -> dict[str, Any]:
    """Every attribute of a decoded `cls`, each as it reads when its field is not on the wire.

    A variable field absent from the wire reads None, even a required one (not a made-up
    ""), and a repeated one reads (); so do no extras. The fixed fields and `wire` are
    always set.
    """
    absent: dict[str, Any] = dict.fromkeys(f.name for f in dataclasses.fields(cls))
    absent["extra"] = ()
    absent.update((name, () if vspec.repeated else None) for name, vspec in spec_of(cls).variable)
    return absent


def _parse_expression(index: int, name: str, spec: FixedSpec) -> str:
    """Python for the value of fixed field `index`, whose characters are in `t<index>`.

    Each kind's usual characters are read inline; anything else goes to the field's reader
    in `sip2.fixedfields.PARSERS` (bound as `PARSERS[index]`), which returns the value or
    raises the error naming the field. Text needs no reading, and dates take statements.
    """
    t, slow = f"t{index}", f"PARSERS[{index}]({name!r}, SPECS[{index}], t{index})"
    if spec.kind is Kind.YN:
        return f'{t} in "Yy"'
    if spec.kind is Kind.YNU:
        return f'True if {t} in "Yy" else False if {t} in "Nn" else None'
    if spec.kind is Kind.FLAG01:
        return f'True if {t} in "1Yy" else False if {t} in "0Nn " else {slow}'
    if spec.kind is Kind.INT:
        return f"int({t}) if {t}.isdigit() and {t}.isascii() else {slow}"
    raise AssertionError(f"no decoding written for {spec.kind}")


def _decoder_source(cls: type[Message]) -> str:
    spec = spec_of(cls)
    what = f"{cls.NAME} ({cls.CODE})"
    end = 2 + spec.fixed_width
    too_short = f"{what}: fixed fields need {end - 2} characters after the code, got "
    lines = [
        f"def decode_{cls.__name__}(text):",
        f'    """The {what} message in `text`, its wire layout kept."""',
        f"    if len(text) < {end}:",
        f"        raise CodecError({too_short!r} + str(len(text) - 2))",
    ]
    position = 2
    for index, (_, fspec) in enumerate(spec.fixed):
        # one character by index: the same text, and no new string for most characters;
        # wider fields by the slice objects in FIXED, made once
        where = position if fspec.width == 1 else f"FIXED[{index}]"
        lines.append(f"    t{index} = text[{where}]")
        position += fspec.width
    # Read in wire order, so that the first faulty field is the one named.
    runs = _int_runs(spec)
    for index, (name, fspec) in enumerate(spec.fixed):
        if fspec.kind is Kind.DATE:  # sip2.dates.read_local_date, inline; any other spelling: the field's reader
            lines += [f"    v{index} = None",
                      f"    if LOCAL_DATE(t{index}) is not None:",
                      "        try:",
                      f"            v{index} = from_iso(t{index}.replace('    ', 'T'))",
                      "        except ValueError:",
                      "            pass",
                      f"    if v{index} is None and t{index} != BLANK_DATE:",
                      f"        v{index} = PARSERS[{index}]({name!r}, SPECS[{index}], t{index})"]
        elif index in runs:  # neighbouring counts: one test of all their digits, then int() each
            members = range(index, runs[index])
            lines += [f"    digits = text[RUNS[{index}]]", "    if digits.isdigit() and digits.isascii():"]
            lines += [f"        v{i} = int(t{i})" for i in members]
            lines.append("    else:")
            lines += [f"        v{i} = {_parse_expression(i, spec.fixed[i][0], spec.fixed[i][1])}" for i in members]
        elif fspec.kind is not Kind.TEXT and not any(start < index < end for start, end in runs.items()):
            lines.append(f"    v{index} = {_parse_expression(index, name, fspec)}")
    # A ready dict of every field (ABSENT), copied: the absent fields cost nothing each.
    lines.append("    values = ABSENT.copy()")
    for index, (name, fspec) in enumerate(spec.fixed):
        lines.append(f"    values[{name!r}] = {f't{index}' if fspec.kind is Kind.TEXT else f'v{index}'}")
    # The variable fields, unrolled here rather than in a shared function: one call fewer,
    # and the usual piece (a single field seen for the first time) takes the first branch.
    not_a_field = f"{what}: {{piece!r}} is not a field (a field starts with a 2-letter id)"
    lines += [
        "    extra = lists = None  # made when first needed: most messages need neither",
        "    for piece in text[VARIABLE].split('|'):",
        "        field_id = piece[ID]  # a slice object made once: Python 3.11 builds one per `[:2]`",
        "        name = NAMES.get(field_id)",
        "        if name is not None:",
        "            found = values[name]",
        "            if found is None:  # a single field, first seen",
        "                values[name] = piece[VALUE]",
        "                continue",
        "            if found.__class__ is list:  # a repeated field, seen before",
        "                found.append(piece[VALUE])",
        "                continue",
        "            if found == ():  # a repeated field, first seen: a list until the end",
        "                values[name] = [piece[VALUE]]",
        "                if lists is None:",
        "                    lists = []",
        "                lists.append(name)",
        "                continue",
        "        elif not piece:",
        "            continue  # '||', and the nothing after the last '|'",
        "        elif len(field_id) < 2:",
        f"            raise CodecError(f{not_a_field!r})",
        "        if extra is None:",
        "            extra = []",
        "        extra.append((field_id, piece[VALUE]))  # unknown, or a second copy of a single field: kept, not guessed",
        "    if lists is not None:",
        "        for name in lists:",
        "            values[name] = tuple(values[name])",
        "    if extra is not None:",
        '        values["extra"] = tuple(extra)',
    ]
    lines += ['    values["wire"] = new_tuple(WireLayout, (None, None, text, WIDTHS))  # WireLayout.of_text, inline',
              "    message = new_object(cls)",
              "    set_attribute(message, '__dict__', values)  # no __init__: the values are whole and of their types",
              "    return message"]
    return "\n".join(lines) + "\n"


# --- encoding ------------------------------------------------------------------------------

def _format_statements(index: int, name: str, spec: FixedSpec) -> list[str]:
    """Python that puts the characters of fixed field `name` in `f<index>`, or returns None
    when the value is not of the declared type (the general path then says so)."""
    f, v = f"f{index}", f"d[{name!r}]"
    if spec.kind is Kind.FLAG01:
        return [f'{f} = "1" if {v} else "0"']
    if spec.kind is Kind.YN:
        return [f'{f} = "Y" if {v} else "N"']
    if spec.kind is Kind.YNU:
        return [f"v = {v}", f'{f} = "U" if v is None else "Y" if v else "N"']
    if spec.kind is Kind.INT:
        return [f"v = {v}",
                f"if type(v) is not int or not 0 <= v < {10 ** spec.width}:",
                "    return None",
                f'{f} = "%0{spec.width}d" % v']
    if spec.kind is Kind.DATE:
        # the usual date (local, naive) as format_date writes it, without the call
        return [f"v = {v}",
                "if type(v) is datetime and v.tzinfo is None and v.year > 999:",
                f'    {f} = f"{{v.year}}{{TWO[v.month]}}{{TWO[v.day]}}    {{TWO[v.hour]}}{{TWO[v.minute]}}{{TWO[v.second]}}"',
                "elif v is None or type(v) is datetime:",
                f"    {f} = format_date(v)",
                "else:",
                "    return None"]
    if spec.kind is Kind.TEXT:
        return [f"{f} = {v}",
                f"if type({f}) is not str or len({f}) != {spec.width}:",
                "    return None"]
    raise AssertionError(f"no encoding written for {spec.kind}")


def _encoder_source(cls: type[Message]) -> str:
    spec = spec_of(cls)
    body = ["d = message.__dict__",
            'if d["wire"] is not None or d["extra"]:',
            "    return None  # a layout to follow, or extras: the general path"]
    for index, (name, fspec) in enumerate(spec.fixed):
        body += _format_statements(index, name, fspec)
    # The text is one join of constants and values; `n` counts the '|' the fields are given.
    joined: list[tuple[bool, str]] = [(True, cls.CODE)] + [(False, f"f{i}") for i in range(len(spec.fixed))]
    required = sum(1 for _, v in spec.variable if v.required and not v.repeated)
    body.append(f"n = {required}")
    for index, (name, vspec) in enumerate(spec.variable):
        w, fid, empty = f"w{index}", repr(vspec.id), repr(vspec.id + "|")
        body.append(f"{w} = d[{name!r}]")
        if vspec.required and not vspec.repeated:
            body += [f"if type({w}) is not str:",
                     f"    if {w} is not None:",
                     "        return None",
                     f'    {w} = ""  # required: sent empty']
            joined += [(True, vspec.id), (False, w), (True, "|")]
            continue
        if vspec.repeated:
            body += [f"if {w}:",
                     "    for x in " + w + ":",
                     "        if type(x) is not str:",
                     "            return None",
                     f"    n += len({w})",
                     f'    {w} = f"{vspec.id}{{{"|" + vspec.id!r}.join({w})}}|"',
                     "else:",
                     f'    {w} = ""']
        else:
            body += [f"if {w} is None:",
                     f"    if {fid} in send_empty:",
                     f"        {w} = {empty}",
                     "        n += 1",
                     "    else:",
                     f'        {w} = ""',
                     f"elif type({w}) is str:",
                     f'    {w} = f"{vspec.id}{{{w}}}|"',
                     "    n += 1",
                     "else:",
                     "    return None"]
        joined.append((False, w))
    merged: list[tuple[bool, str]] = []
    for is_constant, item in joined:
        if is_constant and merged and merged[-1][0]:
            merged[-1] = (True, merged[-1][1] + item)  # neighbouring constants: one string
        else:
            merged.append((is_constant, item))
    # One f-string: its parts are joined at once, with no tuple and no call (values are exact str).
    items = "".join(item if is_constant else f"{{{item}}}" for is_constant, item in merged)
    constants = "".join(item for is_constant, item in merged if is_constant)
    assert constants.replace("|", "0").isalnum(), constants  # codes and ids: no quote or brace to escape
    body += [f'text = f"{items}"',
             "# each field ends in the one '|' it was given: any other, or a CR or LF, is in a value",
             'if text.count("|") != n or "\\r" in text or "\\n" in text:',
             "    return None",
             "return text"]
    lines = [f"def encode_{cls.__name__}(message, send_empty):",
             f'    """The text of a plain {cls.NAME} ({cls.CODE}) message, or None for the general path."""']
    lines += ["    " + line for line in body]
    return "\n".join(lines) + "\n"


# Indexing these is what the codec does per message: a plain dict lookup once compiled.
DECODERS: dict[type[Message], Decoder] = _Compiled("decode", _decoder_source)
ENCODERS: dict[type[Message], Encoder] = _Compiled("encode", _encoder_source)

