"""A syntax check for Pub/Sub subscription filters, so a typo fails ``queuekit validate``, not ``pulumi up``.

Google rejects a malformed filter only when the subscription is created, and the local emulator
accepts any string, so without this check the first sign of ``attributes.region "eu"`` is a failed
deploy. The grammar follows Google's "Filter messages from a subscription" page
(https://cloud.google.com/pubsub/docs/subscription-message-filter, formerly /pubsub/docs/filtering):

* conditions: ``attributes:KEY`` (the key exists), ``attributes.KEY = "v"``, ``attributes.KEY != "v"``
  and ``hasPrefix(attributes.KEY, "prefix")``; a KEY with characters other than letters, digits,
  ``-`` and ``_`` is written as a string literal (``attributes."iana.org/language"``);
* values are double-quoted string literals; backslash escapes are allowed inside them;
* ``NOT`` or a leading ``-`` negates, ``AND``/``OR`` join (upper case only), parentheses group,
  and AND and OR cannot be mixed at one level without parentheses.

The parser is deliberately no stricter than Google on these forms (any backslash escape is
accepted; the emulator test in ``tests/queuekit/local/test_pubsub_filter.py`` sends the valid
examples through a real subscription). The 256-byte limit is checked in ``spec.py``, not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["FilterError", "check"]

_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_PUNCT = ("!=", "(", ")", ",", ".", ":", "=", "-")
_BOOL_OPS = ("AND", "OR")
_LOWER_OPS = {"and": "AND", "or": "OR", "not": "NOT"}


class FilterError(ValueError):
    """A filter Google would reject; the message names the 1-based column inside the filter."""


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "string", "end", or the punctuation itself
    text: str
    column: int  # 1-based, in characters of the filter

    def shown(self) -> str:
        return "the end of the filter" if self.kind == "end" else repr(self.text)


def _tokens(text: str) -> Iterator[_Token]:
    """Tokens in order; lazy, so a bad character is reported only after every earlier grammar error."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == '"':
            end = _string_end(text, i)
            yield _Token("string", text[i:end], i + 1)
            i = end
            continue
        if ch == "'":
            raise FilterError(f"values are double-quoted strings (\"...\"), not single-quoted, at column {i + 1}")
        word = _WORD.match(text, i)
        if word:
            yield _Token("word", word.group(), i + 1)
            i = word.end()
            continue
        punct = next((p for p in _PUNCT if text.startswith(p, i)), None)
        if punct is None:
            raise FilterError(f"unexpected character {ch!r} at column {i + 1}")
        yield _Token(punct, punct, i + 1)
        i += len(punct)
    yield _Token("end", "", n + 1)


def _string_end(text: str, start: int) -> int:
    """The index just past the string literal opening at ``start`` (a backslash escapes the next character)."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    raise FilterError(f"unterminated string starting at column {start + 1}")


class _Parser:
    """Recursive descent over the grammar in the module docstring; raises at the first error."""

    def __init__(self, text: str) -> None:
        self.stream = _tokens(text)
        self.tok = next(self.stream)

    def advance(self) -> _Token:
        tok = self.tok
        if tok.kind != "end":  # the stream ends with one "end" token; stay on it
            self.tok = next(self.stream)
        return tok

    def expect(self, kind: str, what: str) -> _Token:
        if self.tok.kind != kind:
            raise FilterError(f"expected {what} at column {self.tok.column}, found {self.tok.shown()}")
        return self.advance()

    def expression(self, closer: str) -> None:
        """Conditions joined by one kind of boolean operator, up to ``closer`` (a token kind: end or ')')."""
        self.unary()
        joined_by: str | None = None
        while True:
            tok = self.tok
            if tok.kind == "word" and tok.text in _LOWER_OPS:
                raise FilterError(f"boolean operators are upper case: write {_LOWER_OPS[tok.text]}, "
                                  f"not {tok.text!r}, at column {tok.column}")
            if tok.kind == closer:
                return
            if tok.kind != "word" or tok.text not in _BOOL_OPS:
                what = "the end of the filter" if closer == "end" else "')'"
                raise FilterError(f"expected AND, OR or {what} at column {tok.column}, found {tok.shown()}")
            if joined_by is not None and tok.text != joined_by:
                raise FilterError(f"{tok.text} at column {tok.column} follows {joined_by}: AND and OR cannot be "
                                  "mixed without parentheses, e.g. (a AND b) OR c")
            joined_by = tok.text
            self.advance()
            self.unary()

    def unary(self) -> None:
        while self.tok.kind == "-" or (self.tok.kind == "word" and self.tok.text == "NOT"):
            self.advance()
        self.condition()

    def condition(self) -> None:
        tok = self.tok
        if tok.kind == "(":
            self.advance()
            self.expression(")")
            self.advance()
            return
        if tok.kind == "word" and tok.text == "attributes":
            self.advance()
            if self.tok.kind == ":":
                self.advance()
                self.key()
                return
            key = self.member(tok, "'.' or ':'")
            if self.tok.kind not in ("=", "!="):
                raise FilterError(f"expected '=' or '!=' after {key} at column {self.tok.column}")
            op = self.advance()
            self.expect("string", f"a double-quoted string after '{op.text}'")
            return
        if tok.kind == "word" and tok.text == "hasPrefix":
            self.has_prefix()
            return
        self.advance()
        if tok.kind == "word" and self.tok.kind == "(":
            raise FilterError(f"unknown function {tok.text!r} at column {tok.column}; the only function is "
                              'hasPrefix(attributes.KEY, "prefix")')
        raise FilterError(f"expected a condition (attributes.KEY = \"value\", attributes:KEY, hasPrefix(...), NOT "
                          f"or '(') at column {tok.column}, found {tok.shown()}")

    def member(self, attributes: _Token, allowed: str) -> str:
        """``.KEY`` after ``attributes``; returns ``attributes.KEY`` as written, for messages."""
        if self.tok.kind != ".":
            raise FilterError(f"expected {allowed} after attributes at column {self.tok.column}")
        self.advance()
        return f"{attributes.text}.{self.key()}"

    def key(self) -> str:
        if self.tok.kind not in ("word", "string"):
            raise FilterError(f"expected an attribute key (letters, digits, '-', '_', or a double-quoted string) "
                              f"at column {self.tok.column}, found {self.tok.shown()}")
        return self.advance().text

    def has_prefix(self) -> None:
        self.advance()
        self.expect("(", "'(' after hasPrefix")
        attributes = self.tok
        if attributes.kind != "word" or attributes.text != "attributes":
            raise FilterError(f"expected attributes.KEY as hasPrefix's first argument at column {attributes.column}, "
                              f"found {attributes.shown()}")
        self.advance()
        self.member(attributes, "'.'")
        self.expect(",", "',' between hasPrefix's arguments")
        self.expect("string", "a double-quoted prefix string")
        self.expect(")", "')' closing hasPrefix")


def check(text: str) -> None:
    """Raise :class:`FilterError` if Pub/Sub would reject ``text`` as a subscription filter."""
    parser = _Parser(text)
    parser.expression("end")
