"""Reader and printer tables: source text -> datum, source text -> error, positions."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from schemeconf.datum import NIL, UNSPECIFIED, Char, Keyword, Pair, Vector, from_list, sym
from schemeconf.errors import ReadError, render
from schemeconf.printer import display_string, pretty_string, write_string
from schemeconf.reader import parse_number, read_all, read_file
from schemeconf.source import SourceFile


def L(*items, tail=NIL):
    return from_list(items, tail)


def read(text: str) -> list:
    return read_all(text, SourceFile("test.scm", text))


def same(a, b) -> bool:
    """Structural equality of datums (Pair has no __eq__); numbers must match in type too."""
    if isinstance(a, Pair) or isinstance(b, Pair):
        return isinstance(a, Pair) and isinstance(b, Pair) and same(a.car, b.car) and same(a.cdr, b.cdr)
    if isinstance(a, Vector) or isinstance(b, Vector):
        return (isinstance(a, Vector) and isinstance(b, Vector) and len(a) == len(b)
                and all(same(x, y) for x, y in zip(a, b, strict=True)))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b


q = sym("quote")

# (source, expected top-level datums)
DATUMS = [
    ("", []),
    ("; just a comment", []),
    ("(a b c)", [L(sym("a"), sym("b"), sym("c"))]),
    ("(a . b)", [L(sym("a"), tail=sym("b"))]),
    ("(a b . c)", [L(sym("a"), sym("b"), tail=sym("c"))]),
    ("(. 5)", [5]),
    ("(a . (b))", [L(sym("a"), sym("b"))]),
    ("[a (b)]", [L(sym("a"), L(sym("b")))]),
    ("()", [NIL]),
    ("#(1 #(2) ())", [Vector([1, Vector([2]), NIL])]),
    ("#vu8(0 255)", [b"\x00\xff"]),
    ("'x", [L(q, sym("x"))]),
    ("`(a ,b ,@c)", [L(sym("quasiquote"), L(sym("a"), L(sym("unquote"), sym("b")),
                                           L(sym("unquote-splicing"), sym("c"))))]),
    ("#'a #`b #,c #,@d", [L(sym("syntax"), sym("a")), L(sym("quasisyntax"), sym("b")),
                          L(sym("unsyntax"), sym("c")), L(sym("unsyntax-splicing"), sym("d"))]),
    ("#~a #$b #$@c #+d #+@e", [L(sym("gexp"), sym("a")), L(sym("ungexp"), sym("b")),
                               L(sym("ungexp-splicing"), sym("c")), L(sym("ungexp-native"), sym("d")),
                               L(sym("ungexp-native-splicing"), sym("e"))]),
    ("' ; c\n x", [L(q, sym("x"))]),
    ("'#;a b", [L(q, sym("b"))]),
    ("#;#;a b c", [sym("c")]),
    ("(a #;b . #;c d)", [L(sym("a"), tail=sym("d"))]),
    ("#| a #| b |# c |# 1", [1]),
    ("#!/usr/bin/guile -s\n!#\n2", [2]),
    ("a\fb", [sym("a"), sym("b")]),
    ('"a\\nb\\tc\\\\d\\"e"', ['a\nb\tc\\d"e']),
    ('"\\x41;b"', ["A;b"]),
    ('"\\x1b[0m"', ["\x1b[0m"]),
    ('"a\\\n   b"', ["a   b"]),
    ('"\\a\\0\\v\\f\\r\\b\\(\\|"', ["\a\0\v\f\r\b(|"]),
    ('"\\u03bb\\U01F600"', ["λ😀"]),
    ('"λ ünï"', ["λ ünï"]),
    (r"#\a #\space #\newline #\tab #\nul #\x41 #\( #\λ #\101 #\SPACE #\esc",
     [Char("a"), Char(" "), Char("\n"), Char("\t"), Char("\0"), Char("A"), Char("("), Char("λ"),
      Char("A"), Char(" "), Char("\x1b")]),
    ("#t #f #true #false #T", [True, False, True, False, True]),
    ("#:key #:a.b", [Keyword("key"), Keyword("a.b")]),
    ("42 -17 +5 123456789012345678901234567890", [42, -17, 5, 123456789012345678901234567890]),
    ("1.5 .5 5. 1e3 -0.5", [1.5, 0.5, 5.0, 1000.0, -0.5]),
    ("1/3 -2/4 6/3", [Fraction(1, 3), Fraction(-1, 2), 2]),
    ("#x1F #b101 #o17 #d10 #e1.5 #i3 #e#x10", [31, 5, 15, 10, Fraction(3, 2), 3.0, 16]),
    ("+inf.0 -inf.0 +nan.0", [math.inf, -math.inf, math.nan]),
    ("%base-services -> <> 1+ ... a.b image.qcow2 - +", [
        sym("%base-services"), sym("->"), sym("<>"), sym("1+"), sym("..."), sym("a.b"),
        sym("image.qcow2"), sym("-"), sym("+")]),
    ("#{sym with space}# #{}# #{a\\x41;b}#", [sym("sym with space"), sym(""), sym("aAb")]),
    ("|pipe| a|b", [sym("|pipe|"), sym("a|b")]),
    ("a'b a#b", [sym("a'b"), sym("a#b")]),
    ("1/0 1a", [sym("1/0"), sym("1a")]),
]

# (source, message fragment, line, col)
ERRORS = [
    ("(a b", "unclosed '('", 1, 1),
    ("(define x\n  (list 1 2)\n", "unclosed '('", 1, 1),
    ("(a\n  (b\n    (c", "unclosed '('", 3, 5),
    ("[a", "unclosed '['", 1, 1),
    ("#(a", "unclosed '#('", 1, 1),
    (")", "unexpected ')'", 1, 1),
    ("(a))", "unexpected ')'", 1, 4),
    ("(a]", "mismatched close paren", 1, 3),
    ('(a\n  "abc', "unterminated string", 2, 3),
    ("#q", 'unknown # object: "#q"', 1, 1),
    ("(a #", "end of input after #", 1, 4),
    ("#u8(1 2)", "unknown # object", 1, 1),
    ("(x #\\foo)", "unknown character name foo", 1, 6),
    ("(a . )", "a datum must follow", 1, 6),
    ("(a . b c)", "only one datum may follow '.'", 1, 8),
    ("(a #|abc", "unterminated '#| ... |#' comment", 1, 4),
    ("#| #| |#", "unterminated '#| ... |#' comment", 1, 1),
    ("#!abc", "unterminated '#! ... !#' comment", 1, 1),
    ("(a '", "end of input after \"'\"", 1, 4),
    ("#;", "end of input after \"#;\"", 1, 1),
    ("#:1", "keyword prefix #: not followed by a symbol", 1, 3),
    ("#(a . b)", "unexpected '.'", 1, 5),
    ("#vu8(1 256)", "not a byte", 1, 1),
    ('x "a\\qb"', "invalid character in escape sequence: #\\q", 1, 5),
    ('"ab\\x4"', "invalid \\x escape", 1, 4),
    ("#{abc", "unterminated '#{...}#' symbol", 1, 1),
    ("1+2i", "complex numbers are not supported", 1, 1),
    ("#\\x110000", "not a Unicode code point", 1, 3),
    ("#xZZ", 'unknown # object: "#xZZ"', 1, 1),
]


@pytest.mark.parametrize("text, expected", DATUMS)
def test_read(text, expected):
    got = read(text)
    assert len(got) == len(expected), [write_string(d) for d in got]
    for g, e in zip(got, expected, strict=True):
        assert same(g, e), f"{write_string(g)} != {write_string(e)}"


@pytest.mark.parametrize("text, fragment, line, col", ERRORS)
def test_read_errors(text, fragment, line, col):
    with pytest.raises(ReadError) as info:
        read(text)
    err = info.value
    assert fragment in err.message
    assert err.span is not None and (err.span.line, err.span.col) == (line, col), str(err)
    render(err)  # renders without failing


def test_positions():
    text = "(operating-system\n  (host-name \"x\")\n  (packages '(a #(1) ())))"
    (os_form,) = read(text)
    spans = lambda p: [(x.car_span.line, x.car_span.col) for x in p.pairs()]  # noqa: E731
    assert (os_form.span.line, os_form.span.col) == (1, 1)
    assert spans(os_form) == [(1, 2), (2, 3), (3, 3)]
    host = os_form.cdr.car
    assert (host.span.line, host.span.col) == (2, 3)
    assert spans(host) == [(2, 4), (2, 14)]
    packages = os_form.cdr.cdr.car
    quoted = packages.cdr.car  # (quote (a #(1) ()))
    assert (quoted.span.line, quoted.span.col) == (3, 13)
    assert spans(quoted) == [(3, 13), (3, 14)]
    inner = quoted.cdr.car
    assert (inner.span.line, inner.span.col) == (3, 14)
    assert spans(inner) == [(3, 15), (3, 17), (3, 22)]  # a, #(1) and () by their first char
    assert inner.span.source.name == "test.scm"


def test_positions_count_characters_not_bytes():
    (form,) = read('("λλλ" x)')
    assert [s.car_span.col for s in form.pairs()] == [2, 8]


def test_read_file(tmp_path):
    path = tmp_path / "config.scm"
    path.write_text("(a)\n(b)\n", encoding="utf-8")
    source, datums = read_file(path)
    assert source.name == str(path) and len(datums) == 2
    assert datums[1].span.line == 2


@pytest.mark.parametrize("content, fragment", [
    (None, "no such file"),
    (b"\x7fELF\x00\x01", "binary file"),
    (b"(a \xff)", "not valid UTF-8"),
])
def test_read_file_errors(tmp_path, content, fragment):
    path = tmp_path / "bad.scm"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert fragment in info.value.message


def test_parse_number_rejects_python_only_syntax():
    for text in ("inf", "nan", "1_000", "0x10", "١٢", "+", "-", ".", "..."):
        assert parse_number(text) is None, text


# --- printer --------------------------------------------------------------------------

class Record:
    def scheme_repr(self, write: bool) -> str:
        return "#<record w>" if write else "#<record d>"


WRITES = [
    (L(q, sym("x")), "(quote x)"),
    (sym("1+"), "#{1+}#"),
    (sym(""), "#{}#"),
    (sym("a b"), "#{a b}#"),
    (Keyword("kw"), "#:kw"),
    ("a\"b\\c\nd\x7f", '"a\\"b\\\\c\\nd\\x7f"'),
    (Char(" "), "#\\space"),
    (Char("\0"), "#\\nul"),
    (1e20, "1.0e20"),
    (1e-4, "1.0e-4"),
    (100000.0, "100000.0"),
    (-0.0, "-0.0"),
    (math.nan, "+nan.0"),
    (Fraction(1, 3), "1/3"),
    (Vector([1, "a"]), '#(1 "a")'),
    (b"\x01\x02", "#vu8(1 2)"),
    (L(1, 2, tail=3), "(1 2 . 3)"),
    (NIL, "()"),
    (True, "#t"),
    (UNSPECIFIED, "#<unspecified>"),
    (Record(), "#<record w>"),
    (object(), "#<python object>"),
]


@pytest.mark.parametrize("obj, text", WRITES)
def test_write_string(obj, text):
    assert write_string(obj) == text


def test_display_string():
    assert display_string(L("a b", Char("c"), sym("1+"), Record())) == "(a b c #{1+}# #<record d>)"
    assert display_string("plain") == "plain"


def test_pretty_string():
    form = read("(operating-system (host-name \"komputilo\") (timezone \"Europe/Berlin\")"
                " (file-systems (cons (file-system (device (file-system-label \"my-root\"))"
                " (mount-point \"/\") (type \"ext4\")) %base-file-systems)) (targets '(\"/dev/sda\")))")[0]
    assert pretty_string(form, width=60) == """\
(operating-system
  (host-name "komputilo")
  (timezone "Europe/Berlin")
  (file-systems
    (cons (file-system
            (device (file-system-label "my-root"))
            (mount-point "/")
            (type "ext4"))
          %base-file-systems))
  (targets '("/dev/sda")))"""
    assert pretty_string(read("(a b)")[0]) == "(a b)"
