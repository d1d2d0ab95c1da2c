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

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from sip2.dates import BLANK_DATE, format_transaction_date
from sip2.errors import CodecError
from sip2.fixedfields import PARSERS
from sip2.message import FixedSpec, Kind, Message, WireLayout, from_valid_fields, spec_of

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
        "cls": cls, "CodecError": CodecError, "WireLayout": WireLayout, "new": from_valid_fields,
        "read_variable": read_variable, "datetime": datetime,
        "format_date": format_transaction_date, "BLANK_DATE": BLANK_DATE,
        "SPECS": tuple(fspec for _, fspec in spec.fixed),
        "PARSERS": tuple(PARSERS[fspec.kind] for _, fspec in spec.fixed),
        "SINGLES": {v.id: n for n, v in spec.variable if not v.repeated},
        "REPEATS": {v.id: n for n, v in spec.variable if v.repeated},
    }
    exec(compile(text, f"<sip2.codegen {cls.__name__}>", "exec"), namespace)  # noqa: S102  (our own text)
    return namespace[name]


# --- decoding ------------------------------------------------------------------------------

def _parse_expression(index: int, name: str, spec: FixedSpec) -> str:
    """Python for the value of fixed field `index`, whose characters are in `t<index>`.

    Each kind's usual characters are read inline; anything else goes to the field's reader
    in `sip2.fixedfields.PARSERS` (bound as `PARSERS[index]`), which returns the value or
    raises the error naming the field.
    """
    t, slow = f"t{index}", f"PARSERS[{index}]({name!r}, SPECS[{index}], t{index})"
    if spec.kind is Kind.TEXT:
        return t
    if spec.kind is Kind.YN:
        return f'{t} in "Yy"'
    if spec.kind is Kind.YNU:
        return f'True if {t} in "Yy" else False if {t} in "Nn" else None'
    if spec.kind is Kind.FLAG01:
        return f'True if {t} in "1Yy" else False if {t} in "0Nn " else {slow}'
    if spec.kind is Kind.INT:
        return f"int({t}) if {t}.isdigit() and {t}.isascii() else {slow}"
    if spec.kind is Kind.DATE:
        return f"None if {t} == BLANK_DATE else {slow}"
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
        lines.append(f"    t{index} = text[{position}:{position + fspec.width}]")
        position += fspec.width
    lines.append("    values = {")
    for index, (name, fspec) in enumerate(spec.fixed):
        lines.append(f"        {name!r}: {_parse_expression(index, name, fspec)},")
    # A field absent from the wire reads None, even a required one (not a made-up ""),
    # and a repeated one reads ().
    for name, vspec in spec.variable:
        lines.append(f"        {name!r}: {'()' if vspec.repeated else 'None'},")
    lines.append("    }")
    lines.append(f"    extra, order = read_variable(values, text, {end}, SINGLES, REPEATS, {what!r})")
    lines.append('    values["extra"] = extra')
    fixed_texts = "".join(f"t{index}, " for index in range(len(spec.fixed)))
    lines.append(f'    values["wire"] = new(WireLayout, {{"fixed": ({fixed_texts}), "order": order}})')
    lines.append("    return new(cls, values)")
    return "\n".join(lines) + "\n"


def read_variable(values: dict[str, Any], text: str, start: int, singles: dict[str, str],
                  repeats: dict[str, str], what: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """Put the variable fields from `text[start:]` into `values`; return the extras and the id order.

    `singles` and `repeats` map a field id to its attribute. A second copy of a single field,
    and an id the message does not define, go to the extras, in arrival order.
    """
    extra: list[tuple[str, str]] = []
    order: list[str] = []
    lists: dict[str, list[str]] = {}
    for piece in text[start:].split("|"):
        if not piece:
            continue  # '||', and the nothing after the last '|'
        field_id = piece[:2]
        if len(field_id) < 2:
            raise CodecError(f"{what}: {piece!r} is not a field (a field starts with a 2-letter id)")
        order.append(field_id)
        name = singles.get(field_id)
        if name is not None:
            if values[name] is None:
                values[name] = piece[2:]
                continue
        else:
            name = repeats.get(field_id)
            if name is not None:
                lists.setdefault(name, []).append(piece[2:])
                continue
        extra.append((field_id, piece[2:]))  # unknown, or a second copy of a single field: kept, not guessed
    for name, found in lists.items():
        values[name] = tuple(found)
    return tuple(extra), tuple(order)


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
        return [f"v = {v}",
                "if v is not None and type(v) is not datetime:",
                "    return None",
                f"{f} = format_date(v)"]
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
    head = " + ".join([repr(cls.CODE)] + [f"f{index}" for index in range(len(spec.fixed))])
    body.append(f"parts = [{head}]")
    for name, vspec in spec.variable:
        fid, empty = repr(vspec.id), repr(vspec.id + "|")
        body.append(f"v = d[{name!r}]")
        if vspec.repeated:
            body += ["for x in v:",
                     "    if type(x) is not str:",
                     "        return None",
                     f'    parts.append({fid} + x + "|")']
            continue
        body += ["if v is None:",
                 f"    parts.append({empty})" if vspec.required
                 else f"    if {fid} in send_empty:\n        parts.append({empty})",
                 "elif type(v) is str:",
                 f'    parts.append({fid} + v + "|")',
                 "else:",
                 "    return None"]
    body += ['text = "".join(parts)',
             "# each field ends in the one '|' it was given: any other, or a CR or LF, is in a value",
             'if text.count("|") != len(parts) - 1 or "\\r" in text or "\\n" in text:',
             "    return None",
             "return text"]
    lines = [f"def encode_{cls.__name__}(message, send_empty):",
             f'    """The text of a plain {cls.NAME} ({cls.CODE}) message, or None for the general path."""']
    lines += ["    " + line.replace("\n", "\n    ") for line in body]
    return "\n".join(lines) + "\n"


# Indexing these is what the codec does per message: a plain dict lookup once compiled.
DECODERS: dict[type[Message], Decoder] = _Compiled("decode", _decoder_source)
ENCODERS: dict[type[Message], Encoder] = _Compiled("encode", _encoder_source)

