"""Fuzzing the reader and the evaluator in-process: no input may make a Python
exception escape other than the project's own SchemeError family.

Deterministic: each generator has a fixed seed and a fixed number of cases;
each case runs with a time budget (Interpreter(time_limit=...)), so none can
hang.  `pytest -s` prints the number of cases and cases per second.  A
failing case is shown with its text, so it can be replayed as a data row.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from schemeconf.errors import InternalError, SchemeError
from schemeconf.interpreter import Interpreter

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted([*REPO.glob("samples/*.scm"), *REPO.glob("tests/configs/*.scm")])
CASE_SECONDS = 2.0  # each case's evaluation budget
TOTAL_SECONDS = 40.0  # the run stops taking new cases after this (a bound, not an assertion)

TOKENS = [
    "(", ")", "(", ")", "[", "]", "'", "`", ",", ",@", "#(", "#vu8(", ".", "#;", "#t", "#f", "#\\a",
    "#\\space", '"str"', '"a\\x41;b"', "0", "1", "-1", "1/2", "1.5", "1e400", "#xff", "#e1.5", "+inf.0",
    "123456789012345678901234567890", "define", "lambda", "let", "let*", "letrec", "if", "cond", "case",
    "else", "=>", "quote", "quasiquote", "unquote", "begin", "do", "set!", "define-syntax", "syntax-rules",
    "...", "_", "x", "y", "f", "list", "cons", "car", "cdr", "apply", "map", "append", "string-append",
    "make-list", "make-string", "make-vector", "iota", "format", "#f", "length", "vector", "call/cc",
    "operating-system", "service", "file-system", "local-file", "plain-file", "include", "use-modules",
    "(gnu)", "#:key", "#:optional", "#:rest", "define-record-type", "match", "guard", "raise", "error",
    "catch", "values", "call-with-values", "let-values", "receive", "parameterize", "delay", "force",
    "string->symbol", "symbol->string", "list->string", "expt", "1000000000", "99999999999999999999",
    "#~", "#$", "#|", "|#", ";", "\n", " ", " ", " ",
]


HEADS = ["define", "lambda", "let", "let*", "letrec", "letrec*", "if", "cond", "case", "when", "unless", "do", "set!",
         "define-syntax", "syntax-rules", "quote", "quasiquote", "unquote", "unquote-splicing", "begin", "and", "or",
         "list", "cons", "car", "cdr", "apply", "map", "for-each", "append", "string-append", "make-list",
         "make-string",
         "make-vector", "iota", "format", "length", "vector", "call/cc", "let-values", "receive", "parameterize",
         "delay", "force", "match", "define-record-type", "operating-system", "service", "file-system", "local-file",
         "plain-file", "catch", "error", "raise", "values", "call-with-values", "string->symbol", "list->string",
         "vector-ref", "list-ref", "assoc", "assq-ref", "fold", "reduce", "filter", "sort", "string-join",
         "number->string", "string->number", "expt", "exact->inexact", "guard", "with-exception-handler",
         "dynamic-wind", "hash-set!", "make-hash-table", "lambda*", "define*", "case-lambda", "cut", "and-let*",
         "string-split", "string-index", "substring", "symbol-append", "keyword->symbol", "pk", "display", "write",
         "pretty-print", "object->string", "sort!", "delete", "delete-duplicates", "list-tail", "last-pair",
         "set-car!", "set-cdr!", "vector-set!", "string-pad", "modify-services", "simple-service", "user-account",
         "%base-services", "%base-packages", "specification->package", "@", "@@", "include", "use-modules",
         "define-module", "gexp", "ungexp", "file-append", "mixed-text-file", "program-file", "computed-file"]
ATOMS = ["x", "y", "z", "f", "g", "1", "0", "-1", "2.5", "1/3", '"s"', '""', "#t", "#f", "#\\a", "'()", "'x", "#:key",
         "#:optional", "#:rest", "...", "_", "else", "=>", "(list 1 2 3)", "'(a . b)", "#(1 2)", "#vu8(1 2)",
         "1000000000", "99999999999999999999999", "-5", "+inf.0", "+nan.0", "%base-services"]



def _tree(rng: random.Random, depth: int) -> str:
    if depth <= 0 or rng.random() < 0.3:
        return rng.choice(ATOMS)
    head = rng.choice(HEADS) if rng.random() < 0.8 else _tree(rng, depth - 1)
    items = [head] + [_tree(rng, depth - 1) for _ in range(rng.randrange(0, 5))]
    if rng.random() < 0.05:
        items.insert(-1, ".")
    return "(" + " ".join(items) + ")"


def _random_forms(rng: random.Random) -> str:
    """Well-parenthesized forms built from special forms, procedures and Guix names."""
    return "\n".join(_tree(rng, rng.randrange(1, 6)) for _ in range(rng.randrange(1, 6)))


def _random_bytes(rng: random.Random) -> str:
    data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
    return data.decode("latin-1")


def _token_soup(rng: random.Random) -> str:
    return " ".join(rng.choice(TOKENS) for _ in range(rng.randrange(1, 120)))


def _span(rng: random.Random, text: str) -> tuple[int, int]:
    start = rng.randrange(len(text) + 1)
    return start, min(len(text), start + rng.randrange(1, 200))


def _mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randrange(1, 4)):
        kind = rng.randrange(8)
        start, end = _span(rng, text)
        if kind == 0:  # delete a span
            text = text[:start] + text[end:]
        elif kind == 1:  # duplicate a span
            text = text[:end] + text[start:end] + text[end:]
        elif kind == 2:  # swap two spans
            a, b = sorted((_span(rng, text), _span(rng, text)))
            if a[1] <= b[0]:
                text = text[: a[0]] + text[b[0]:b[1]] + text[a[1]:b[0]] + text[a[0]:a[1]] + text[b[1]:]
        elif kind == 3:  # flip one parenthesis
            places = [i for i, c in enumerate(text) if c in "()"]
            if places:
                i = rng.choice(places)
                text = text[:i] + (")" if text[i] == "(" else "(") + text[i + 1:]
        elif kind == 4:  # insert a huge number
            number = rng.choice(["1" + "0" * rng.randrange(10, 6000), "-" + "9" * 400, "1e99999", "#e1e9999"])
            text = text[:start] + " " + number + " " + text[start:]
        elif kind == 5:  # deep nesting
            depth = rng.randrange(100, 30000)
            text = text[:start] + rng.choice(["'", ""]) + "(" * depth + "x" + ")" * depth + text[start:]
        elif kind == 6:  # a random token
            text = text[:start] + " " + rng.choice(TOKENS) + " " + text[start:]
        else:  # truncate
            text = text[:start]
    return text


def _cases() -> list[tuple[str, str, str]]:
    """(generator, source name, text) for every case, always the same ones."""
    cases = []
    rng = random.Random(1)
    cases += [("bytes", "fuzz-bytes.scm", _random_bytes(rng)) for _ in range(150)]
    rng = random.Random(2)
    cases += [("tokens", "fuzz-tokens.scm", _token_soup(rng)) for _ in range(400)]
    rng = random.Random(4)
    cases += [("forms", "fuzz-forms.scm", _random_forms(rng)) for _ in range(3000)]
    rng = random.Random(3)
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in SEEDS]
    for _ in range(260):
        name, text = rng.choice(texts)
        cases.append(("mutation", name, _mutate(rng, text)))
    return cases


def test_fuzz_reader_and_evaluator() -> None:
    interp = Interpreter(time_limit=CASE_SECONDS)
    interp.eval_string("1")  # load the default modules once, outside the timing
    failures: list[str] = []
    counts: dict[str, int] = {}
    started = time.monotonic()
    cases = _cases()
    run = 0
    for generator, name, text in cases:
        if time.monotonic() - started > TOTAL_SECONDS:  # a busy machine runs fewer cases, never longer
            break
        run += 1
        counts[generator] = counts.get(generator, 0) + 1
        try:
            interp.eval_string(text, name=name)
        except InternalError as e:  # located, but an exception pyguix did not expect
            failures.append(f"{generator} case from {name}: {e}\n---\n{text[:1500]}\n---")
        except SchemeError:
            pass
        except BaseException as e:  # noqa: BLE001 - this is what the fuzzer looks for
            failures.append(f"{generator} case from {name}: {type(e).__name__}: {str(e)[:300]}\n---\n"
                            f"{text[:1500]}\n---")
            if len(failures) >= 5:
                break
    elapsed = time.monotonic() - started
    print(f"\nfuzz: {run} of {len(cases)} cases ({counts}) in {elapsed:.1f} s, {run / elapsed:.0f} cases/s")
    assert not failures, "\n\n".join(failures)
    assert run > len(cases) // 10, "the fuzz run reached too few cases to mean anything"


@pytest.mark.parametrize("text", [
    pytest.param("(define l (list 1 2)) (set-cdr! (cdr l) l) (apply + l)", id="apply-circular"),
    pytest.param("(define l (list 1 2)) (set-cdr! (cdr l) l) (memq 3 l)", id="memq-circular"),
    pytest.param("(define l (list 1 2)) (set-cdr! (cdr l) l) (list-copy l)", id="list-copy-circular"),
    pytest.param("(define l (list 1 2)) (set-cdr! (cdr l) l) (map (lambda (x) x) l)", id="map-circular"),
    pytest.param("(define l (list 1 2)) (set-cdr! (cdr l) l) (hash-set! (make-hash-table) l 1)",
                 id="hash-key-circular"),
    pytest.param("(vector (gexp (#(1 2) (ungexp 1))))", id="gexp-vector-head"),
    pytest.param("(begin . 1)", id="dotted-begin"),
    pytest.param("(and . #f)", id="dotted-special-form"),
    pytest.param("(define-record-type (p 1) #:rest #t)", id="record-type-bad-names"),
    pytest.param("(cut #(1 2) 1)", id="cut-vector-head"),
    pytest.param("(match 1 (x . #:optional))", id="match-dotted-clause"),
    pytest.param("(match 1 ((? . x) 1))", id="match-bad-pattern"),
    pytest.param('(include "' + "x" * 5000 + '")', id="include-name-too-long"),
    pytest.param("(use-modules (gnu services " + "x" * 5000 + "))", id="module-name-too-long"),
    pytest.param("(let-values ((x)) 1)", id="let-values-bad-binding"),
    pytest.param("(do ((x)) (#t 1))", id="do-bad-variable"),
    pytest.param("(do ((x 1)) 1)", id="do-bad-test"),
    pytest.param("(cond (1 =>))", id="cond-arrow-without-receiver"),
    pytest.param("(case 1 ((1 . 2) 3))", id="case-dotted-data"),
    pytest.param("(parameterize (x) 1)", id="parameterize-bad-binding"),
    pytest.param("(letrec x 1)", id="letrec-symbol-bindings"),
    pytest.param("(@ (gnu . system) x)", id="module-ref-dotted-name"),
    pytest.param("(define (f) (f)) (f)", id="endless-tail-loop"),
    pytest.param("(do () (#f))", id="endless-do-loop"),
    pytest.param("(exact->inexact (expt 10 400))", id="float-overflow"),
    pytest.param("(let loop ((x 2) (n 40)) (if (= n 0) x (loop (* x x) (- n 1))))", id="squaring-bignums"),
])
def test_fuzz_findings(text: str) -> None:
    """Inputs the fuzzer (or its review) found: each ends quickly, with a value or
    a located SchemeError that is not an InternalError (an exception pyguix did not expect);
    the interpreter's own time budget ends the endless ones."""
    try:
        Interpreter(time_limit=CASE_SECONDS).eval_string(text)
    except SchemeError as e:
        assert not isinstance(e, InternalError), str(e)
        assert e.span is not None, str(e)
