"""A Babel extractor for Kivy `.kv` files: the literal texts of `app.tr('...')` and
`app.trn('...', '...', n)` calls in their rules. babel.cfg names it, so `pybabel extract`
finds the screens' texts beside the Python ones."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

_STRING = r"""(?:'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")"""
_CALL = re.compile(rf"\b(?P<name>\w+)\(\s*(?P<first>{_STRING})(?:\s*,\s*(?P<second>{_STRING}))?")


def extract_kv(fileobj: IO[bytes], keywords: Iterable[str], comment_tags: Any,
               options: dict[str, Any]) -> Iterator[tuple[int, str, tuple[str | None, ...], list[str]]]:
    """Babel's extractor interface: (line number, function, its first two arguments, comments);
    an argument that is not a literal is None, and Babel picks the message (or singular and
    plural) from them by the keyword's spec, as for Python."""
    wanted = set(keywords)
    encoding = options.get("encoding", "utf-8")
    for number, line in enumerate(fileobj.read().decode(encoding).splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue  # kv comments and directives such as #:import
        for call in _CALL.finditer(line):
            if call.group("name") not in wanted:
                continue
            second = call.group("second")
            yield number, call.group("name"), (ast.literal_eval(call.group("first")),
                                               ast.literal_eval(second) if second else None), []
