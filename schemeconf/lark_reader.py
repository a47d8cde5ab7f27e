"""The LALR reader of reader.py (scheme.lark, with lark): imported only when
some Scheme text has to be parsed (pyguix's own Scheme is read from the
per-user cache of reader.read_file), so that a start-up pays for lark only
when it needs it.  See reader.py for what it reads.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any, cast

import lark
from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from .datum import NIL, Char, Keyword, Pair, Symbol, Vector
from .errors import ReadError
from .lexical import (
    COMPLEX,
    HEX_ESCAPE_WIDTH,
    NUMBER_START,
    READ_CHAR_NAMES,
    STRING_ESCAPES,
    char_syntax,
    is_numberish,
    parse_number,
)
from .source import Forms, SourceFile, Span, offset_span

_GRAMMAR_FILE = Path(__file__).with_name("scheme.lark")  # also in reader.py's cache key

_new_span = tuple.__new__  # Span(...) without NamedTuple.__new__'s Python frame


# --- atoms --------------------------------------------------------------------------

class _TokenError(Exception):
    """A malformed token; OFFSET is where, inside the token, the problem is."""

    def __init__(self, message: str, token: Token, offset: int = 0, hint: str | None = None):
        super().__init__(message)
        self.message, self.token, self.offset, self.hint = message, token, offset, hint


def _atom(tok: Token) -> Any:
    """A number or a symbol (Guile tries `string->number` on tokens starting 0-9 + - .)."""
    text = tok.value
    if text[0] in NUMBER_START:
        value = parse_number(text)
        if value is not None:
            return value
        if COMPLEX.fullmatch(text):
            raise _TokenError(f"complex numbers are not supported: {text}", tok)
    return Symbol(text)


def _string(tok: Token) -> str:
    body = tok.value[1:-1]
    if "\\" not in body:
        return body
    out, i = [], 0
    while True:
        j = body.find("\\", i)
        if j < 0:
            out.append(body[i:])
            return "".join(out)
        out.append(body[i:j])
        esc = body[j + 1]
        if esc in STRING_ESCAPES:
            out.append(STRING_ESCAPES[esc])
            i = j + 2
        elif esc in HEX_ESCAPE_WIDTH:
            width = HEX_ESCAPE_WIDTH[esc]
            digits = body[j + 2 : j + 2 + width]
            if len(digits) < width or not re.fullmatch("[0-9a-fA-F]+", digits):
                raise _TokenError(f"invalid \\{esc} escape: expected {width} hex digits "
                                  f"(Guile reads exactly {width})", tok, j + 1)
            out.append(_code_point(int(digits, 16), tok, j + 1))
            i = j + 2 + width
        else:
            raise _TokenError(f"invalid character in escape sequence: {char_syntax(esc)}", tok, j + 1)


def _code_point(code: int, tok: Token, offset: int) -> str:
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise _TokenError(f"not a Unicode code point: #x{code:x}", tok, offset)
    return chr(code)


def _char(tok: Token) -> Char:
    name = tok.value[2:]
    if len(name) == 1 or (len(name) == 2 and name[1] == "\u25cc"):  # dotted circle
        return Char(name[0])
    if re.fullmatch("[0-7]+", name):
        return Char(_code_point(int(name, 8), tok, 2))
    if name[0] == "x" and re.fullmatch("[0-9a-fA-F]+", name[1:]):
        return Char(_code_point(int(name[1:], 16), tok, 2))
    ch = READ_CHAR_NAMES.get(name.lower())
    if ch is None:
        raise _TokenError(f"unknown character name {name}", tok, 2,
                          hint="use #\\space, #\\newline, #\\tab, #\\nul, #\\xHH or a single character")
    return Char(ch)


def _keyword(tok: Token) -> Keyword:
    name = tok.value[2:]
    if name[0] in "'`,#" or (name[0] in NUMBER_START and is_numberish(name)):
        raise _TokenError(f"keyword prefix #: not followed by a symbol: {name}", tok, 2)
    return Keyword(name)


def _hash_number(tok: Token) -> Any:
    value = parse_number(tok.value)
    if value is None:
        raise _TokenError(f'unknown # object: "{tok.value}"', tok)
    return value


def _extended_symbol(tok: Token) -> Symbol:
    """#{...}#: backslash takes the next character literally, \\xHH...; is a code point."""
    body = tok.value[2:-2]
    if "\\" not in body:
        return Symbol(body)
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
        elif body[i + 1] == "x":
            m = re.compile("([0-9a-fA-F]+);").match(body, i + 2)
            if not m:
                raise _TokenError("invalid \\x escape in #{...}# symbol (expected \\xHEX;)", tok, i + 2)
            out.append(_code_point(int(m.group(1), 16), tok, i + 2))
            i = m.end()
        else:
            out.append(body[i + 1])
            i += 2
    return Symbol("".join(out))


_CONVERT = {
    "ATOM": _atom, "STRING": _string, "CHAR": _char, "KEYWORD": _keyword,
    "HASHNUM": _hash_number, "EXTSYM": _extended_symbol,
    "BOOL": lambda tok: tok.value[1] in "tT",
}

_PREFIX_NAMES = {
    "'": "quote", "`": "quasiquote", ",": "unquote", ",@": "unquote-splicing",
    "#'": "syntax", "#`": "quasisyntax", "#,": "unsyntax", "#,@": "unsyntax-splicing",
    "#~": "gexp", "#$": "ungexp", "#$@": "ungexp-splicing",
    "#+": "ungexp-native", "#+@": "ungexp-native-splicing",
}
_PREFIX_SYMBOLS = {k: Symbol(v) for k, v in _PREFIX_NAMES.items()}


# --- building datums while parsing ----------------------------------------------------

class _Located:
    """A datum that cannot carry its own span (NIL, vectors, bytes, `(. x)`), on its way up."""

    __slots__ = ("value", "span")

    def __init__(self, value: Any, span: Span):
        self.value, self.span = value, span


_SKIP = object()  # what a #; datum comment turns into

# The children of a grammar rule: tokens, datums, _Located and _SKIP.  (Inside
# _Builder, `list` is the callback of the grammar's `list` rule.)
Children = list[Any]


class _Builder(Transformer):
    """Inline LALR callbacks: one per grammar rule, each given the rule's children."""

    source: SourceFile

    def start(self, children: Children) -> Forms:
        """The top-level datums, with the span of each (atoms carry none)."""
        forms = Forms(self._convert(children))
        spans: list[Span | None] = []
        for c in children:
            t = type(c)
            if t is Token:
                spans.append(self._span(c))
            elif t is _Located:
                spans.append(c.span)
            elif c is not _SKIP:
                spans.append(getattr(c, "span", None))
        forms.spans = spans
        return forms

    def _convert(self, children: Children) -> Children:
        out = []
        for c in children:
            t = type(c)
            if t is Token:
                out.append(_CONVERT[c.type](c))
            elif t is _Located:
                out.append(c.value)
            elif c is not _SKIP:
                out.append(c)
        return out

    def list(self, children: Children) -> Any:
        """(a b c), (a b . c), (. c) and the same with [ ]."""
        src = self.source
        result: Any = NIL
        for i in range(len(children) - 2, 0, -1):
            c = children[i]
            t = type(c)
            if t is Token:
                if c.type == "DOT":
                    result = result.car  # what followed the dot is the tail
                    continue
                value = _CONVERT[c.type](c)
                span = _new_span(Span, (src, c.line, c.column))
            elif t is Pair:
                value, span = c, c.span
            elif c is _SKIP:
                continue
            else:
                value, span = c.value, c.span
            result = Pair(value, result, None, span)
        open_tok = children[0]
        span = _new_span(Span, (src, open_tok.line, open_tok.column))
        first = children[1]
        if (type(first) is Token and first.type == "DOT") or (first is _SKIP and _is_dot_only(children)):
            return result if type(result) is Pair else _Located(result, span)
        if result is NIL:
            return _Located(NIL, span)
        result.span = span
        return result

    def vector(self, children: Children) -> _Located:
        return _Located(Vector(self._items(children)), self._span(children[0]))

    def bytevector(self, children: Children) -> _Located:
        items = self._items(children)
        for item in items:
            if type(item) is not int or not 0 <= item <= 255:
                raise _TokenError(f"bytevector element is not a byte (0-255): {item!r}", children[0])
        return _Located(bytes(items), self._span(children[0]))

    def _span(self, tok: Token) -> Span:
        return _new_span(Span, (self.source, tok.line, tok.column))

    def _items(self, children: Children) -> Children:
        return self._convert(children[1:-1])

    def abbrev(self, children: Children) -> Pair:
        """'x -> (quote x); Guix's #~x -> (gexp x) and so on."""
        src = self.source
        prefix = children[0]
        c = children[-1]
        t = type(c)
        if t is Token:
            value = _CONVERT[c.type](c)
            inner_span = _new_span(Span, (src, c.line, c.column))
        elif t is Pair:
            value, inner_span = c, c.span
        else:
            value, inner_span = c.value, c.span
        span = _new_span(Span, (src, prefix.line, prefix.column))
        return Pair(_PREFIX_SYMBOLS[prefix.value], Pair(value, NIL, None, inner_span), span, span)

    def dcomment(self, children: Children) -> object:
        c = children[-1]
        if type(c) is Token:
            _CONVERT[c.type](c)  # a malformed token is an error even when commented out
        return _SKIP


def _is_dot_only(children: Children) -> bool:
    """Whether CHILDREN is `( . x)`: nothing but datum comments before the dot."""
    for c in children[1:-1]:
        if type(c) is Token and c.type == "DOT":
            return True
        if c is not _SKIP:
            return False
    return False


# --- the parser (built once per process) ------------------------------------------------

_builder = _Builder()
_parser: Lark | None = None
_lock = threading.Lock()  # the builder holds the current source file


def _get_parser() -> Lark:
    global _parser
    if _parser is None:
        grammar = _GRAMMAR_FILE.read_text(encoding="utf-8")
        _parser = Lark(grammar, parser="lalr", lexer="contextual", regex=True,
                       transformer=_builder, cache=_cache_path(grammar) or False,
                       propagate_positions=False, maybe_placeholders=False)
    return _parser


def _cache_path(grammar: str) -> str | None:
    """A writable per-user file for lark's compiled-grammar cache (None: don't cache)."""
    digest = hashlib.sha256(grammar.encode()).hexdigest()[:16]
    name = f"scheme-grammar-{lark.__version__}-{digest}.lark-cache"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    for directory in (Path(base) / "pyguix", Path(tempfile.gettempdir()) / f"pyguix-{uid}"):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(directory, os.W_OK | os.X_OK):
            return str(directory / name)
    return None


# --- entry point ----------------------------------------------------------------------

def parse(text: str, source: SourceFile) -> Forms:
    """All the top-level datums of TEXT (the contents of SOURCE)."""
    parser = _get_parser()
    try:
        with _lock:
            _builder.source = source
            # what the inline transformer's `start` returns (lark types it as a Tree)
            return cast(Forms, parser.parse(text))
    except _TokenError as e:
        raise ReadError(e.message, _token_span(source, e.token, e.offset), e.hint) from None
    except (UnexpectedCharacters, UnexpectedToken, UnexpectedEOF) as e:
        raise _translate(e, text, source) from None
    except LarkError as e:  # should not happen; never let lark's own errors escape
        raise ReadError(f"cannot read: {e}", None) from None


_OPENERS = {"LP": "(", "LB": "[", "VLP": "#(", "BVLP": "#vu8("}
_CLOSER_OF = {"LP": ")", "LB": "]", "VLP": ")", "BVLP": ")"}


def _token_span(source: SourceFile, tok: Token, offset: int = 0) -> Span:
    if tok.start_pos is not None:
        return offset_span(source, tok.start_pos + offset)
    return Span(source, tok.line or 1, tok.column or 1)


def _translate(e: Exception, text: str, source: SourceFile) -> ReadError:
    """Turn lark's parse error E into a ReadError a Guile user can act on."""
    if isinstance(e, UnexpectedCharacters):
        return _bad_character(text, e.pos_in_stream or 0, source)
    tok = getattr(e, "token", None)
    if tok is None or tok.type == "$END":
        return _unexpected_end(text, source)
    return _unexpected_token(tok, text, source, getattr(e, "expected", set()))


def _bad_character(text: str, pos: int, source: SourceFile) -> ReadError:
    span = offset_span(source, pos)
    two = text[pos : pos + 2]
    word = re.split(r'[()\[\];" \t\n\r\f]', text[pos : pos + 40], maxsplit=1)[0] or text[pos]
    if two[:1] == '"':
        return ReadError("unterminated string: no closing '\"' before the end of the file", span)
    if two == "#|":
        return ReadError("unterminated '#| ... |#' comment", span)
    if two == "#!":
        return ReadError("unterminated '#! ... !#' comment", span,
                         hint="reader directives such as #!fold-case are not supported")
    if two == "#{":
        return ReadError("unterminated '#{...}#' symbol", span)
    if two == "#\\":
        return ReadError("unexpected end of input after #\\", span)
    if two == "#":
        return ReadError("unexpected end of input after #", span)
    if two[:1] == "#":
        hint = "write bytevectors as #vu8(...)" if word.startswith(("#u8", "#s8")) else None
        return ReadError(f'unknown # object: "{word}"', span, hint)
    return ReadError(f"unexpected character {text[pos]!r}", span)


def _tokens_before(text: str, pos: int | None) -> list[Token]:
    """The significant tokens of TEXT before offset POS (None: all), lexed again."""
    out = []
    try:
        for tok in _get_parser().lex(text):
            if pos is not None and (tok.start_pos or 0) >= pos:
                break
            out.append(tok)
    except LarkError:
        pass
    return out


def _open_stack(tokens: list[Token]) -> list[Token]:
    stack: list[Token] = []
    for tok in tokens:
        if tok.type in _OPENERS:
            stack.append(tok)
        elif tok.type in ("RP", "RB") and stack:
            stack.pop()
    return stack


def _unexpected_end(text: str, source: SourceFile) -> ReadError:
    tokens = _tokens_before(text, None)
    last = tokens[-1] if tokens else None
    if last is not None and last.type in ("PREFIX", "DCOMMENT", "DOT"):
        return ReadError(f'unexpected end of input after "{last.value}": a datum must follow it',
                         _token_span(source, last))
    stack = _open_stack(tokens)
    if stack:
        opener = stack[-1]
        closer = _CLOSER_OF[opener.type]
        err = ReadError(f"unclosed '{opener.value}': the file ends before its matching '{closer}'",
                        _token_span(source, opener), hint=f"add the missing '{closer}'")
        if len(stack) > 1:
            err.note(f"{len(stack)} lists are open at the end of the file; the outermost opened here",
                     _token_span(source, stack[0]))
        return err
    return ReadError("unexpected end of input", offset_span(source, len(text)))


def _unexpected_token(tok: Token, text: str, source: SourceFile, expected: set) -> ReadError:
    span = _token_span(source, tok)
    tokens = _tokens_before(text, tok.start_pos)
    previous = tokens[-1] if tokens else None
    if tok.type in ("RP", "RB"):
        stack = _open_stack(tokens)
        if previous is not None and previous.type in ("PREFIX", "DCOMMENT", "DOT"):
            return ReadError(f"unexpected '{tok.value}': a datum must follow \"{previous.value}\"", span)
        if not stack:
            return ReadError(f"unexpected '{tok.value}': no list is open here", span,
                             hint="remove it, or look for an extra ')' earlier")
        opener = stack[-1]
        return ReadError(f"mismatched close paren '{tok.value}': the list opened with "
                         f"'{opener.value}' needs '{_CLOSER_OF[opener.type]}'", span).note(
                             "the list opened here", _token_span(source, opener))
    if tok.type == "DOT":
        return ReadError("unexpected '.': a dot is only allowed before the last element of a list", span)
    if expected and expected <= {"RP", "RB", "DCOMMENT"}:
        return ReadError("only one datum may follow '.' in a dotted list", span)
    return ReadError(f"unexpected {tok.value!r}", span)
