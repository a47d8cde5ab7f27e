"""Hostile configurations against the interpreter: circular data, runaway
allocations and expansions, continuations, special files, locations, lax
syntax, and the record of what a configuration read from the host.

Every CLI row is (config text, line of the error, fragments of the message);
the config is written to FILE in a fresh directory next to `other.scm`,
`notes` (a passwd-like file), `fifo` and `tree/` (which holds a FIFO).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from schemeconf.interpreter import Interpreter
from schemeconf.printer import display_string, write_string
from tests.helpers import assert_located, run_pyguix

CIRCULAR = "(define l (list 1 2)) (set-cdr! (cdr l) l)\n"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "other.scm").write_text(";; included\n(define from-other 1)\nfrom-other-typo\n")
    (tmp_path / "notes").write_text("root:x:0:0:secret-gecos:/root:/bin/bash\n")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "tree" / "sub").mkdir(parents=True)
    (tmp_path / "tree" / "sub" / "file").write_text("x\n")
    os.mkfifo(tmp_path / "tree" / "sub" / "pipe")
    return tmp_path


# --- 1. circular data prints as Guile 3.0 prints it ----------------------------------------

PRINTED = [
    ("(define l (list 1 2)) (set-cdr! (cdr l) l) l", "(1 2 . #-1#)"),
    ("(define l (list 1 2 3)) (set-cdr! (cddr l) (cdr l)) l", "(1 2 3 . #-1#)"),
    ("(define l (list 1)) (set-cdr! l l) l", "(1 . #0#)"),
    ("(define l (list 1 2)) (set-car! l l) l", "(#0# 2)"),
    ("(define l (list 1 2)) (set-car! (cdr l) l) l", "(1 #-1#)"),
    ("(define l (list 1 2 3)) (set-car! (cddr l) l) l", "(1 2 #-2#)"),
    ("(define v (vector 1 2)) (vector-set! v 1 v) v", "#(1 #0#)"),
    ("(define v (vector 1 2)) (define l (list v)) (vector-set! v 0 l) l", "(#(#-1# 2))"),
    ("(define l (list 1 (list 2 3))) (set-cdr! (cdr (cadr l)) l) l", "(1 (2 3 . #-3#))"),
    ("(define o (list 1 2)) (set-car! (cdr o) (cons 'b (cdr o))) o", "(1 (b . #-1#))"),
    (CIRCULAR + "(list l l)", "((1 2 . #-1#) (1 2 . #-1#))"),
    ("(define a (list 1 2)) (list a a)", "((1 2) (1 2))"),  # shared, not circular
    (CIRCULAR + "(format #f \"~a|~s\" l l)", '"(1 2 . #-1#)|(1 2 . #-1#)"'),
    (CIRCULAR + "(object->string l)", '"(1 2 . #-1#)"'),
    (CIRCULAR + "(define m (list 1 2)) (set-cdr! (cdr m) m) (equal? l m)", "#t"),  # Guile loops forever
    (CIRCULAR + "(list? l)", "#f"),
]


@pytest.mark.parametrize("text, expected", PRINTED)
def test_circular_data_prints_like_guile(text: str, expected: str) -> None:
    assert write_string(Interpreter().eval_string(text)) == expected


# --- CLI rows: budgets, continuations, special files, locations, syntax ------------------

CLI_ERRORS = [
    # 1. circular lists in errors and in length, as Guile reports them
    pytest.param(CIRCULAR + '(error "bad list:" l)', 2, ["bad list: (1 2 . #-1#)"], id="error-circular"),
    pytest.param(CIRCULAR + "(length l)", 2, ["length: expected proper list", "(1 2 . #-1#)"],
                 id="length-circular"),
    pytest.param(CIRCULAR + "(memq 3 l)", 2, ["memq: expected proper list"], id="memq-circular"),
    # 2. memory budgets, located at the call
    pytest.param("(define x 1)\n(make-list 100000000 0)", 2,
                 ["memory budget exceeded: make-list of 100000000 elements (limit 1000000)"], id="make-list"),
    pytest.param('(let loop ((s "x") (n 40))\n  (if (= n 0) s (loop (string-append s s) (- n 1))))', 2,
                 ["memory budget exceeded: string-append of", "characters (limit 16777216)"], id="string-doubling"),
    pytest.param("(define-syntax m (syntax-rules () ((_ x ...) (m x ... x ...))))\n(m 1)", 2,
                 ["memory budget exceeded: the expansions of 'm' built more than 1000000 pairs"],
                 id="exponential-macro"),
    pytest.param("(iota 1000000000)", 1, ["memory budget exceeded: iota of 1000000000 elements"], id="iota"),
    pytest.param('(format #f "~1000000000a" 1)', 1,
                 ["memory budget exceeded: format field width of 1000000000 characters"], id="format-width"),
    pytest.param('(format #f "~1000000000%")', 1, ["memory budget exceeded: format ~% count"], id="format-count"),
    pytest.param("(make-string 1000000000 #\\a)", 1, ["memory budget exceeded: make-string of 1000000000"],
                 id="make-string"),
    pytest.param("(make-vector 1000000000 0)", 1, ["memory budget exceeded: make-vector of 1000000000"],
                 id="make-vector"),
    pytest.param("(define l (iota 1000000))\n(append l l l)", 2, ["memory budget exceeded: append of 2000000"],
                 id="append"),
    pytest.param("(define l (make-list 600000 #\\a))\n(list->string (append l l l))", 2,
                 ["memory budget exceeded: append of 1200000"], id="list-append"),
    pytest.param('(string-pad "x" 1000000000)', 1, ["memory budget exceeded: string-pad of 1000000000"],
                 id="string-pad"),
    pytest.param("(let loop ((x 2) (n 40))\n  (if (= n 0) x (loop (* x x) (- n 1))))", 2,
                 ["memory budget exceeded: *: the product would have"], id="bignum-squaring"),
    # 3. continuations only escape
    pytest.param("(define k #f)\n(call/cc (lambda (c) (set! k c)))\n(k 1)", 3,
                 ["re-entering a continuation is not supported"], id="call/cc-reentry"),
    # 4. special files are refused at once, even in a dry run
    pytest.param('(local-file "/dev/zero")', 1, ["/dev/zero is a character device, not a regular file"],
                 id="local-file-device"),
    pytest.param('(define x 1)\n(local-file "fifo")', 2, ["fifo is a FIFO (named pipe)"], id="local-file-fifo"),
    pytest.param('(local-file "tree" "tree" #:recursive? #t)', 1, ["tree/sub/pipe is a FIFO (named pipe)"],
                 id="local-file-recursive-fifo"),
    pytest.param('(include "fifo")', 1, ["is a FIFO (named pipe), not a regular file"], id="include-fifo"),
    pytest.param('(include "/dev/zero")', 1, ["/dev/zero: is a character device"], id="include-device"),
    # 5. locations
    pytest.param('(define x 1)\n(include "other.scm")', None, ["unbound variable: from-other-typo"],
                 id="include-unbound-name"),
    pytest.param("(define-syntax loop (syntax-rules () ((_ x) (loop x))))\n(loop 1)", 2,
                 ["macro expansion too deep", "'loop'"], id="looping-macro"),
    pytest.param("", 1, ["the file is empty: it must end with an operating-system, image or image-type"],
                 id="empty-file"),
    pytest.param(";; only a comment\n", 1, ["the file is empty"], id="only-comments"),
    pytest.param('(define x 1)\n(include "notes")', 2,
                 ['include: "notes" is not Scheme code: its line 1, column 1 names an unbound variable'],
                 id="include-non-scheme"),
    pytest.param('(include "notes\\x00")', 1, ["include:"], id="include-nul-in-name"),
    # 6. binding forms as strict as Guile's
    pytest.param("(let ((x)) x)", 1, ["bad let: bad binding (x)"], id="let-no-value"),
    pytest.param("(let ((x 1 2)) x)", 1, ["bad let: bad binding (x 1 2)"], id="let-two-values"),
    pytest.param("(let ((1 2)) 3)", 1, ["bad let: bad binding (1 2)"], id="let-number-name"),
    pytest.param("(let* ((x)) x)", 1, ["bad let*: bad binding (x)"], id="let*-no-value"),
    pytest.param("(letrec ((x)) x)", 1, ["bad letrec: bad binding (x)"], id="letrec-no-value"),
    pytest.param("(letrec* ((f 1 2)) f)", 1, ["bad letrec*: bad binding (f 1 2)"], id="letrec*-two-values"),
    pytest.param("(let loop ((x)) x)", 1, ["bad let: bad binding (x)"], id="named-let-no-value"),
    pytest.param("(do ((x)) (#t 1))", 1, ["bad do: each variable is (VAR INIT [STEP])"], id="do-no-init"),
    pytest.param("(let-values (((a 1) (values 1 2))) a)", 1, ["bad let-values: variable names must be symbols"],
                 id="let-values-number"),
    pytest.param("(lambda (1) 1)", 1, ["invalid parameter"], id="lambda-number-formal"),
    pytest.param("(parameterize ((p)) 1)", 1, ["bad parameterize: bad binding (p)"], id="parameterize-no-value"),
    # Guile 3.0 reads |a as an ordinary symbol: '\|a b is the symbol \|a, then b.
    pytest.param("(write '\\|a b)", 1, ["unbound variable: b"], id="bar-symbol-like-guile"),
]


@pytest.mark.parametrize("text, line, fragments", CLI_ERRORS)
def test_cli_error(workdir: Path, text: str, line: int | None, fragments: list[str]) -> None:
    config = workdir / "config.scm"
    config.write_text(text)
    started = time.monotonic()
    out = run_pyguix("system", "image", "--dry-run", str(config), cwd=workdir, timeout=60)
    assert time.monotonic() - started < 20, "a budget case must end in seconds"
    if line is None:  # located in the included file, at its line 3
        assert_located(out, workdir / "other.scm", 3, *fragments)
    else:
        assert_located(out, config, line, *fragments)
    assert "runaway" not in out.stderr or "recursion" not in text
    assert "secret-gecos" not in out.stderr  # an included non-Scheme file is never quoted


# --- 5. deep data is read, evaluated and printed -----------------------------------------

def test_deeply_nested_data(tmp_path: Path) -> None:
    depth = 100_000
    text = "'" + "(" * depth + ")" * depth
    value = Interpreter().eval_string(text)
    assert write_string(value) == "(" * depth + ")" * depth
    config = tmp_path / "deep.scm"
    config.write_text(text)
    out = run_pyguix("system", "image", "--dry-run", str(config), timeout=120)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "runaway" not in out.stderr and "does not return an operating system" in out.stderr


def test_display_of_circular_list() -> None:
    value = Interpreter().eval_string(CIRCULAR + "(list \"s\" l)")
    assert display_string(value) == "(s (1 2 . #-1#))"


# --- 7. host inputs --------------------------------------------------------------------

def test_host_inputs(tmp_path: Path) -> None:
    (tmp_path / "motd").write_text("hello\n")
    (tmp_path / "part.scm").write_text('(define part (getenv "PYGUIX_TEST_PART"))\n')
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "f").write_text("f\n")
    config = tmp_path / "config.scm"
    config.write_text('(use-modules (gnu))\n(include "part.scm")\n(define motd (local-file "motd"))\n'
                      '(define tree (local-file "dir" "dir" #:recursive? #t))\n'
                      '(define home (getenv "HOME"))\n(define again (getenv "HOME"))\n'
                      '(define shadow (local-file "/etc/passwd"))\n')
    interp = Interpreter()
    interp.load_file(config)
    files, variables = interp.host_inputs()
    assert files == sorted(["/etc/passwd", str(config), str(tmp_path / "dir"), str(tmp_path / "motd"),
                            str(tmp_path / "part.scm")])
    assert variables == ["HOME", "PYGUIX_TEST_PART"]


def test_host_inputs_ignore_bundled_scheme() -> None:
    interp = Interpreter()
    interp.eval_string("(use-modules (gnu) (gnu system image)) %base-services")
    assert interp.host_inputs() == ([], [])
