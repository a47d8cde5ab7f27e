"""Modules as data (issue 2, section Records and modules).

Each test writes a small module tree under tmp_path (TREE: relative path ->
text), puts it on the load path, and evaluates SOURCE in a bare user module.
VALUES rows are (source, expected `write` output); ERRORS rows are
(source, SchemeError subclass, message fragment, line, col).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from schemeconf.errors import ModuleError, SchemeSyntaxError, UnboundVariable
from schemeconf.interpreter import Interpreter
from schemeconf.printer import write_string

TREE = {
    "my/base.scm": """\
(define-module (my base)
  #:export (greet twice shout answer swap! %secret-exported)
  #:re-export (cons*))
(define answer 42)
(define (greet who) (string-append "hello " who))
(define (shout s) (string-upcase s))
(define private-value 'hidden)
(define (private-proc) 'private)
(define-syntax twice (syntax-rules () ((_ e) (begin e e))))
(define-syntax-rule (swap! a b) (let ((tmp a)) (set! a b) (set! b tmp)))
(define %secret-exported (list private-value))
""",
    "my/user.scm": """\
(define-module (my user)
  #:use-module (my base)
  #:use-module ((my other) #:select ((other-value . renamed) plain-other))
  #:export (use-greet other-sum))
(define (use-greet) (greet "user"))
(define (other-sum) (+ renamed plain-other))
""",
    "my/other.scm": """\
(define-module (my other)
  #:export (other-value plain-other hidden-one))
(define other-value 1)
(define plain-other 2)
(define hidden-one 3)
""",
    "my/prefixed.scm": """\
(define-module (my prefixed)
  #:use-module ((my base) #:prefix base:)
  #:export (run))
(define (run) (base:greet "prefix"))
""",
    "my/hiding.scm": """\
(define-module (my hiding)
  #:use-module ((my base) #:hide (shout))
  #:export (run shout))
(define (shout s) (string-append s "!"))
(define (run) (list (greet "h") (shout "s")))
""",
    "my/lazy.scm": """\
(define-module (my lazy)
  #:autoload (my other) (other-value)
  #:export (run))
(define (run) other-value)
""",
    "my/reexport.scm": """\
(define-module (my reexport)
  #:use-module (my base)
  #:re-export (greet answer))
""",
    "my/cycle-a.scm": """\
(define-module (my cycle-a)
  #:use-module (my cycle-b))
(define a 1)
""",
    "my/cycle-b.scm": """\
(define-module (my cycle-b)
  #:use-module (my cycle-a))
(define b 2)
""",
    "my/broken-use.scm": """\
(define-module (my broken-use)
  #:use-module (my does-not-exist))
""",
    "gnu/services/mine.scm": """\
(define-module (gnu services mine)
  #:export (mine-service-type mine-tag))
(define mine-service-type 'mine-service)
(define mine-tag 'service-family)
""",
    "gnu/packages/mytools.scm": """\
(define-module (gnu packages mytools)
  #:export (my-tool))
(define my-tool 'my-tool-package)
""",
    "gnu/system/mysys.scm": """\
(define-module (gnu system mysys)
  #:export (mysys-value))
(define mysys-value 'system-family)
""",
    # shadows the bundled (gnu image): -L directories come first
    "gnu/image.scm": """\
(define-module (gnu image)
  #:export (image shadowed?))
(define shadowed? #t)
(define (image . args) 'user-image)
""",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel, text in TREE.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def run(src: str, root: Path):
    return Interpreter(load_path=[root], default_imports=[]).eval_string(src)


def V(src, expected, id):
    return pytest.param(src, expected, id=id)


VALUES = [
    V("(use-modules (my base)) (greet \"you\")", '"hello you"', "use-modules-plain"),
    V("(use-modules (my base)) answer", "42", "exported-variable"),
    V("(use-modules (my base)) (define n 0) (twice (set! n (+ n 1))) n", "2", "exported-macro"),
    V("(use-modules (my base)) (define x 1) (define y 2) (swap! x y) (list x y)", "(2 1)",
      "exported-define-syntax-rule"),
    V("(use-modules (my base)) (cons* 1 2 '(3))", "(1 2 3)", "re-export-core"),
    V("(use-modules ((my base) #:select (greet))) (greet \"sel\")", '"hello sel"', "select"),
    V("(use-modules ((my base) #:select ((greet . hi)))) (hi \"ren\")", '"hello ren"', "select-rename"),
    V("(use-modules ((my base) #:prefix b:)) (b:greet \"pre\")", '"hello pre"', "prefix"),
    V("(use-modules ((my base) #:hide (shout))) (greet \"hide\")", '"hello hide"', "hide-keeps-others"),
    V("(use-modules (my user)) (use-greet)", '"hello user"', "define-module-use-module"),
    V("(use-modules (my user)) (other-sum)", "3", "define-module-select-rename"),
    V("(use-modules (my prefixed)) (run)", '"hello prefix"', "define-module-prefix"),
    V("(use-modules (my hiding)) (run)", '("hello h" "s!")', "define-module-hide"),
    V("(use-modules (my lazy)) (run)", "1", "autoload"),
    V("(use-modules (my reexport)) (list (greet \"r\") answer)", '("hello r" 42)', "re-export"),
    V("(use-modules (my base) (my other)) (list answer plain-other)", "(42 2)", "use-modules-several"),
    V("(use-service-modules mine) (list mine-service-type mine-tag)", "(mine-service service-family)",
      "use-service-modules"),
    V("(use-package-modules mytools) my-tool", "my-tool-package", "use-package-modules"),
    V("(use-system-modules mysys) mysys-value", "system-family", "use-system-modules"),
    V("((@ (my base) greet) \"at\")", '"hello at"', "at-reference"),
    V("(@ (my base) answer)", "42", "at-variable"),
    V("(@@ (my base) private-value)", "hidden", "double-at-private"),
    V("((@@ (my base) private-proc))", "private", "double-at-private-procedure"),
    V("(define n 0) ((@ (my base) twice) (set! n (+ n 1))) n", "2", "at-macro-in-operator-position"),
    V("(define a 1) (define b 2) ((@@ (my base) swap!) a b) (list a b)", "(2 1)", "double-at-macro"),
    V("(use-modules (gnu image)) (list shadowed? (image))", "(#t user-image)", "load-path-shadows-bundled"),
    V("(use-modules (srfi srfi-1)) (first '(1 2))", "1", "primitive-module"),
    V("(use-modules (ice-9 match)) (match '(1 2) ((a b) (+ a b)))", "3", "builtin-module"),
    V("(use-modules (my base)) (define answer 7) answer", "7", "own-definition-shadows-import"),
    V("(use-modules (my base) (my base)) answer", "42", "use-twice"),
    # (gnu services ...) and (gnu packages ...) are open vocabularies: any family name is accepted
    V("(use-modules (gnu services)) (use-service-modules networking)"
      "(service-type? dhcpcd-service-type)", "#t",
      "use-service-modules-closed-vocabulary"),
]


@pytest.mark.parametrize("src, expected", VALUES)
def test_value(src, expected, tree):
    assert write_string(run(src, tree)) == expected


def test_without_load_path_the_bundled_module_is_used(tree):
    value = Interpreter(default_imports=[]).eval_string("(use-modules (gnu image)) image-type?")
    assert write_string(value) == "#<procedure image-type?>"


def test_module_is_loaded_once(tree):
    interp = Interpreter(load_path=[tree], default_imports=[])
    interp.eval_string("(use-modules (my base))")
    first = interp.module(("my", "base"))
    interp.eval_string("(use-modules (my user))")
    assert interp.module(("my", "base")) is first


def E(src, cls, fragment, line, col, id, hint=None):
    return pytest.param(src, cls, fragment, line, col, hint, id=id)


ERRORS = [
    E("(define x 1)\n(use-modules (my base)\n             (my does-not-exist))", ModuleError,
      "no code for module (my does-not-exist)", 3, 14, "missing-module", "-L"),
    E("(use-modules ((my nope) #:select (x)))", ModuleError, "no code for module (my nope)", 1, 15,
      "missing-module-select"),
    E("(use-modules (my broken-use))", ModuleError, "no code for module (my does-not-exist)", 2, 16,
      "missing-module-in-define-module"),
    E("(use-modules (my cycle-a))", ModuleError, "module import cycle: (my cycle-a) -> (my cycle-b) -> (my cycle-a)",
      2, 16, "cycle"),
    E("(use-modules (my base))\n(gret \"x\")", UnboundVariable, "unbound variable: gret", 2, 2, "unbound-close-name",
      "did you mean 'greet'?"),
    E("(use-modules (my user))\n(greet \"x\")", UnboundVariable, "unbound variable: greet", 2, 2,
      "unbound-suggests-module", "'greet' is defined in module (my base); add it with (use-modules (my base))"),
    E("(use-modules (my user))\n(greet \"x\")", UnboundVariable, "unbound variable: greet", 2, 2,
      "unbound-suggests-module-and-close-name", "did you mean 'use-greet'?"),
    E("(use-modules ((my base) #:select (greet)))\n(shout \"x\")", UnboundVariable, "unbound variable: shout", 2, 2,
      "select-excludes-others"),
    E("(use-modules ((my base) #:select ((greet . hi))))\n(greet \"x\")", UnboundVariable, "unbound variable: greet",
      2, 2, "select-rename-hides-original"),
    E("(use-modules ((my base) #:prefix b:))\n(greet \"x\")", UnboundVariable, "unbound variable: greet", 2, 2,
      "prefix-hides-plain-name"),
    E("(use-modules ((my base) #:hide (shout)))\n(shout \"x\")", UnboundVariable, "unbound variable: shout", 2, 2,
      "hide"),
    E("(use-modules ((my base) #:select (nonexistent)))", UnboundVariable, "nonexistent is not exported", 1, 14,
      "select-unexported"),
    E("(use-modules (my base))\nprivate-value", UnboundVariable, "unbound variable: private-value", 2, 1,
      "private-not-visible"),
    E("(@ (my base)\n   private-value)", UnboundVariable, "private-value (in module (my base))", 2, 4,
      "at-private", "@@"),
    E("(@ (my nowhere) x)", ModuleError, "no code for module (my nowhere)", 1, 4, "at-missing-module"),
    E("(use-modules (my user))\n(other-value)", UnboundVariable, "other-value", 2, 2, "imports-are-not-transitive"),
    E("(use-modules my-base)", SchemeSyntaxError, "module name", 1, 14, "bad-module-name"),
]


@pytest.mark.parametrize("src, cls, fragment, line, col, hint", ERRORS)
def test_error(src, cls, fragment, line, col, hint, tree):
    with pytest.raises(cls) as info:
        run(src, tree)
    err = info.value
    assert fragment in err.message, err.message
    assert err.span is not None, "error without a location"
    assert (err.span.line, err.span.col) == (line, col), str(err)
    if hint is not None:
        assert err.hint is not None and hint in err.hint, err.hint


def test_cycle_does_not_hang(tree):
    done = []

    def attempt():
        try:
            run("(use-modules (my cycle-b))", tree)
        except ModuleError as e:
            done.append(e.message)

    t = threading.Thread(target=attempt, daemon=True)
    t.start()
    t.join(20)
    assert done == ["module import cycle: (my cycle-b) -> (my cycle-a) -> (my cycle-b)"]


def test_failed_module_can_be_retried_after_fix(tree):
    interp = Interpreter(load_path=[tree], default_imports=[])
    with pytest.raises(ModuleError):
        interp.eval_string("(use-modules (my broken-use))")
    (tree / "my" / "does-not-exist.scm").write_text("(define-module (my does-not-exist))\n")
    interp.eval_string("(use-modules (my broken-use))")


def test_module_name_mismatch(tree):
    (tree / "my" / "misnamed.scm").write_text("(define-module (my other-name))\n")
    with pytest.raises(SchemeSyntaxError) as info:
        run("(use-modules (my misnamed))", tree)
    assert "declares module (my other-name)" in info.value.message
    assert (info.value.span.line, info.value.span.col) == (1, 16)


def test_unbound_in_module_file_points_into_that_file(tree):
    (tree / "my" / "typo.scm").write_text("(define-module (my typo))\n(define x (gret 1))\n")
    with pytest.raises(UnboundVariable) as info:
        run("(use-modules (my typo))", tree)
    span = info.value.span
    assert span.source.name.endswith("typo.scm") and (span.line, span.col) == (2, 12)
