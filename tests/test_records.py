"""Records as data (issue 2, section Records; spec/image-api.md §1).

Each VALUES row is (source, expected `write` output); each ERRORS row is
(source, SchemeError subclass, message fragment, line, col).  The sources
start with the small record types of PRELUDE, whose line count is PL, so
error positions are written as (PL + n).
"""

from __future__ import annotations

import pytest

from schemeconf.errors import RecordError, SchemeError, SchemeSyntaxError, UnboundVariable, UserError, WrongType
from schemeconf.interpreter import Interpreter
from schemeconf.printer import pretty_string, write_string
from schemeconf.records import Record

PRELUDE = """\
(define counter 0)
(define (next!) (set! counter (+ counter 1)) counter)
(define (positive n) (if (and (number? n) (> n 0)) n (error "not positive:" n)))
(define (upcase-sym s) (if (symbol? s) (string->symbol (string-upcase (symbol->string s))) s))
(define-record-type* <thing> thing make-thing
  thing?
  this-thing
  (name     thing-name)
  (size     thing-size     (default 1) (sanitize positive))
  (serial   thing-serial   (default (next!)))
  (kind     thing-kind     (default 'plain) (sanitize upcase-sym))
  (tags     thing-tags     (default (list 'a)))
  (label    thing-label    (thunked) (default (string-append "thing-" (thing-name this-record))))
  (double   thing-double   (thunked) (default (* 2 (thing-size this-thing))))
  (stamp    thing-stamp    (thunked) (default (next!)))
  (once     thing-once     (delayed) (default (next!)))
  (location thing-location (innate) (default (next!))))
"""
PL = PRELUDE.count("\n")


def run(src: str):
    return Interpreter(default_imports=[]).eval_string(PRELUDE + src)


def V(src, expected, id):
    return pytest.param(src, expected, id=id)


VALUES = [
    # construction and accessors
    V('(thing-name (thing (name "a")))', '"a"', "given-field"),
    V('(thing-size (thing (name "a")))', "1", "default"),
    V('(thing-size (thing (size 5) (name "a")))', "5", "any-order"),
    V('(thing? (thing (name "a")))', "#t", "predicate"),
    V("(thing? 5)", "#f", "predicate-false"),
    V('(let ((t (make-thing "p" 2 0 \'k \'() "l" 0 0 0 0))) (list (thing-name t) (thing-size t) (thing-kind t)))',
      '("p" 2 K)', "positional-constructor"),
    # defaults are re-evaluated at each construction
    V('(define a (thing (name "a"))) (define b (thing (name "b"))) (list (thing-serial a) (thing-serial b))',
      "(1 3)", "default-re-evaluated"),
    V('(define a (thing (name "a"))) (define b (thing (name "b"))) (eq? (thing-tags a) (thing-tags b))',
      "#f", "default-not-shared"),
    # thunked: recomputed at each access, this-record and this-thing
    V('(thing-label (thing (name "x")))', '"thing-x"', "thunked-default-this-record"),
    V('(thing-double (thing (name "x") (size 4)))', "8", "thunked-default-this-id"),
    V('(define t (thing (name "x"))) (list (thing-stamp t) (thing-stamp t))', "(3 4)", "thunked-recomputed"),
    V('(define t (thing (name "x") (label (string-append (thing-name this-record) "!")))) (thing-label t)',
      '"x!"', "thunked-value-this-record"),
    V('(define t (thing (name "x") (label (thing-name this-thing)))) (thing-label t)', '"x"',
      "thunked-value-this-id"),
    V('(define p (make-parameter 1)) (define t (thing (name "x") (label (p))))'
      "(list (thing-label t) (parameterize ((p 2)) (thing-label t)))", "(1 2)", "thunked-dynamic-state"),
    # delayed: computed once, on first access
    V('(define t (thing (name "x"))) (define before counter) (list before (thing-once t) (thing-once t) counter)',
      "(2 3 3 3)", "delayed-once"),
    V('(define t (thing (name "x") (once (next!)))) (define before counter)'
      ' (list before (thing-once t) (thing-once t))',
      "(2 3 3)", "delayed-given-value"),
    # innate: never inherited, re-defaulted
    V('(define a (thing (name "a"))) (define b (thing (inherit a))) (list (thing-location a) (thing-location b))',
      "(2 3)", "innate-not-inherited"),
    V('(define a (thing (name "a"))) (define b (thing (inherit a))) (list (thing-serial a) (thing-serial b))',
      "(1 1)", "inherit-copies-non-innate"),
    # inherit
    V('(define a (thing (name "a") (size 3))) (define b (thing (inherit a) (name "b")))'
      "(list (thing-name a) (thing-name b) (thing-size b))", '("a" "b" 3)', "inherit"),
    V('(define a (thing (name "a"))) (thing-label (thing (inherit a) (name "b")))', '"thing-b"',
      "inherit-thunk-sees-new-record"),
    V('(define a (thing (name "a") (label "A"))) (thing-label (thing (inherit a) (label (string-append label "+"))))',
      '"A+"', "thunked-inherit-refers-to-parent-value"),
    V('(define a (thing (name "a"))) (thing-label (thing (inherit a) (name "n") (label (string-append label "+"))))',
      '"thing-n+"', "thunked-inherit-parent-default-for-new-record"),
    # sequential binding: a later clause uses an earlier field by name
    V('(thing-size (thing (name "abc") (size (string-length name))))', "3", "sequential-binding"),
    V('(thing-label (thing (size 2) (name "n") (label (number->string size))))', '"2"', "sequential-binding-thunked"),
    V('(define name "outer") (thing-name (thing (size (string-length name)) (name "x")))', '"x"',
      "only-earlier-fields-bound"),
    V('(define name "outer") (thing-size (thing (size (string-length name)) (name "x")))', "5",
      "later-field-not-yet-bound"),
    # sanitizers on given values and on defaults
    V("(thing-kind (thing (name \"x\") (kind 'big)))", "BIG", "sanitizer-given"),
    V('(thing-kind (thing (name "x")))', "PLAIN", "sanitizer-default"),
    V("(define a (thing (name \"x\") (kind 'big))) (thing-kind (thing (inherit a)))", "BIG",
      "sanitized-value-inherited"),
    # records print back
    V('(thing (name "x") (size 2) (kind \'k) (tags \'()))',
      '#<<thing> name: "x" size: 2 serial: 1 kind: K tags: () label: #<thunk> double: #<thunk> stamp: #<thunk> '
      "once: #<thunk> location: 2>", "write-record"),
    # SRFI-9
    V("(define-record-type <point> (make-point x y) point? (x point-x set-point-x!) (y point-y))"
      "(define p (make-point 1 2)) (list (point? p) (point-x p) (point-y p) (point? 5))", "(#t 1 2 #f)", "srfi-9"),
    V("(define-record-type <point> (make-point x y) point? (x point-x) (y point-y)) (make-point 1 'a)",
      "#<<point> x: 1 y: a>", "srfi-9-write"),
    V("(define-record-type <point> (make-point x y) point? (x point-x set-point-x!) (y point-y))"
      "(define p (make-point 1 2)) (set-point-x! p 10) (point-x p)", "10", "srfi-9-modifier"),
    V("(define-record-type <cell> (make-cell) cell? (v cell-v)) (cell? (make-cell))", "#t",
      "srfi-9-partial-constructor"),
    V("(define-record-type <point> (make-point x y) point? (x point-x) (y point-y)) <point>",
      "#<record-type <point>>", "srfi-9-type"),
]


@pytest.mark.parametrize("src, expected", VALUES)
def test_value(src, expected):
    assert write_string(run(src)) == expected


def E(src, cls, fragment, line, col, id, hint=None):
    return pytest.param(src, cls, fragment, line, col, hint, id=id)


ERRORS = [
    E('(thing\n  (name "a")\n  (colour \'red))', RecordError, "unknown field 'colour' in <thing> record",
      PL + 1, 1, "unknown-field", "fields of <thing>"),
    E('(thing\n  (name "a")\n  (sise 2))', RecordError, "unknown field 'sise'", PL + 1, 1, "unknown-field-hint",
      "did you mean 'size'?"),
    E("(define x\n  (thing (size 2)))", RecordError, "missing field initializers (name)", PL + 2, 3,
      "missing-field", "(name ...)"),
    E('(thing (name "a")\n       (size 1)\n       (size 2))', RecordError, "duplicate field initializer 'size'",
      PL + 3, 8, "duplicate-field", None),
    E('(thing (name "a")\n       size)', RecordError, "invalid field specifier", PL + 2, 8, "invalid-clause-symbol",
      "(NAME VALUE)"),
    E('(thing (name "a")\n       (size 1 2))', RecordError, "invalid field specifier", PL + 2, 8,
      "invalid-clause-two-values", None),
    E('(thing (name "a")\n       ("size" 1))', RecordError, "invalid field specifier", PL + 2, 8,
      "invalid-clause-string", None),
    E('(define a (thing (name "a")))\n(thing (name "b")\n  (inherit a))', RecordError,
      "(inherit ...) must be the first clause", PL + 3, 3, "inherit-not-first", None),
    E('(thing (inherit 5)\n  (name "b"))', WrongType, "inherit: expected a <thing> record", PL + 1, 1,
      "inherit-non-record", None),
    E('(thing (name "a")\n       (size -3))', UserError, "not positive: -3", PL + 2, 14, "sanitizer-error-at-value",
      None),
    E('(thing-name 5)', WrongType, "thing-name: expected a <thing> record", PL + 1, 1, "accessor-wrong-type", None),
    E("this-record", UnboundVariable, "this-record", PL + 1, 1, "this-record-outside", "thunked or delayed"),
    E('(thing (name "a") (size (thing-size this-record)))', UnboundVariable, "this-record", PL + 1, 37,
      "this-record-in-non-thunked-field", None),
    E("(define-record-type <point> (make-point x y) point? (x point-x) (y point-y))\n(make-point 1)",
      WrongType, "make-point: expected 2 arguments, got 1", PL + 2, 1, "srfi-9-arity", None),
    E("(define-record-type <point> (make-point x y) point? (x point-x set-point-x!) (y point-y))\n"
      "(set-point-x! 5 1)", WrongType, "set-point-x!: expected a <point> record, got 5", PL + 2, 1,
      "srfi-9-modifier-wrong-type", None),
    E("(define-record-type* <r> r make-r r?\n  (a r-a (frobnicate)))", SchemeSyntaxError,
      "unknown record field property 'frobnicate'", PL + 2, 3, "unknown-property", None),
]


@pytest.mark.parametrize("src, cls, fragment, line, col, hint", ERRORS)
def test_error(src, cls, fragment, line, col, hint):
    with pytest.raises(cls) as info:
        run(src)
    err = info.value
    assert fragment in err.message, err.message
    assert err.span is not None, "error without a location"
    assert (err.span.line, err.span.col) == (line, col), str(err)
    if hint is not None:
        assert err.hint is not None and hint in err.hint, err.hint


# --- Guix records through the bundled vocabulary ------------------------------------

IMAGE = """\
(use-modules (gnu image))
(image
  (format 'disk-image)
  (operating-system #f)
  (partitions (list (partition (size (* 40 1024 1024)) (label "GNU-ESP") (file-system "vfat")
                               (flags '(esp)))
                    (partition (label "root") (flags '(boot))))))
"""


def image_record():
    return Interpreter().eval_string(IMAGE)


def test_image_record_fields():
    img = image_record()
    assert isinstance(img, Record) and img.rtype.name == "<image>"
    parts = img.get("partitions")
    assert write_string(parts.car.get("flags")) == "(esp)"
    assert write_string(parts.cdr.car.get("size")) == "guess"  # the default
    assert write_string(img.get("partition-table-type")) == "mbr"


def test_image_record_writes_back():
    text = write_string(image_record())
    assert text.startswith("#<<image> name: #f format: disk-image ")
    assert 'label: "GNU-ESP"' in text


def test_image_record_shows_as_constructor_syntax():
    from builders.lowering.show import image_source, record_code

    code = record_code(image_record())
    text = pretty_string(code)
    assert text == image_source(image_record())
    assert text.startswith("(image (name #f)\n")
    assert "(format 'disk-image)" in text
    assert "(partitions\n" in text and "(list (partition" in text
    assert '(label "GNU-ESP")' in text and "(file-system \"vfat\")" in text and "(flags '(esp))" in text
    assert "(size 41943040)" in text and "(size 'guess)" in text
    # and it reads back as the same record
    again = Interpreter().eval_string("(use-modules (gnu image))\n" + text)
    assert write_string(again) == write_string(image_record())


IMAGE_ERRORS = [
    E("(use-modules (gnu image))\n(image\n  (format 'disk-image)\n  (operating-system #f)\n  (sise 3))",
      RecordError, "unknown field 'sise' in <image> record", 2, 1, "image-unknown-field", "did you mean 'size'?"),
    E("(use-modules (gnu image))\n(partition\n  (size 1024))", RecordError,
      "missing field initializers (label)", 2, 1, "partition-missing-label", None),
    E('(use-modules (gnu image))\n(partition (label "x")\n  (size "big"))', SchemeError,
      "size (\"big\") can only be 'guess or a numeric expression", 3, 9, "partition-size-wrong-type", None),
    pytest.param(
        "(use-modules (gnu image))\n(image (operating-system #f)\n       (format 'floppy))", SchemeError,
        "floppy: invalid 'format' value", 3, 16, None, id="image-format-wrong-value"),
]


@pytest.mark.parametrize("src, cls, fragment, line, col, hint", IMAGE_ERRORS)
def test_image_error(src, cls, fragment, line, col, hint):
    with pytest.raises(cls) as info:
        Interpreter().eval_string(src)
    err = info.value
    assert fragment in err.message, err.message
    assert (err.span.line, err.span.col) == (line, col), str(err)
    if hint is not None:
        assert hint in (err.hint or "")
