"""Differential test: our reader + `write_string` against Guile 3's `read` + `write`.

All inputs go to ONE guile process.  It registers Guix's reader extensions
(#~ #$ #$@ #+ #+@, as `read-hash-extend` does in (guix gexp)), reads every
datum of each input from a string port, writes each on its own line and ends
each input with a marker line; inputs Guile cannot read print ERROR.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from schemeconf.errors import ReadError
from schemeconf.printer import pretty_string, write_string
from schemeconf.reader import read_all
from schemeconf.source import SourceFile

GUILE = shutil.which("guile")
if GUILE is None:
    pytest.skip("guile is not installed", allow_module_level=True)

MARKER = "=====8<====="

# Inputs both readers must read alike (raw strings: backslashes are Scheme's).
INPUTS = [
    r"(a b c)",
    r"(a . b)",
    r"(a b . c)",
    r"(. 5)",
    r"[a b]",
    r"(a [b c] (d))",
    r"() (()) (a . ()) (a . (b c))",
    r'#() #(1 "two" #\3) #(a #(b))',
    r"#vu8(0 1 255) #vu8()",
    r"'x",
    r"`(a ,b ,@c)",
    r"#'x #`(a #,b #,@c)",
    r"#~(a #$b #$@c #+d #+@e)",
    "' ; comment\n x",
    r"'#;a b",
    r"#;#;a b c",
    r"(a #;b . #;c d)",
    r"(a #;(b) #;c)",
    r"(a #| x #| nested |# y |# b)",
    "#!/usr/bin/guile \\\n-s\n!#\n(main)",
    "; only a comment\n42",
    r'"a\nb\tc\\d\"e"',
    r'"\x41;b"',
    r'"\x1b[0m"',
    '"a\\\n    b"',
    r'"\a\0\v\f\r\b"',
    r'"\u03bb \U01F600"',
    r'"λ ünï 😀 \(x\|"',
    '"" "tab\there" "\x7f\x01"',
    r"#\a #\A #\space #\newline #\tab #\nul #\x41 #\( #\) #\λ",
    r"#\x0 #\x7f #\delete #\esc #\escape #\alarm #\backspace #\return #\linefeed #\page #\vtab",
    r"#\101 #\0 #\x #\SPACE #\Nul #\soh #\us #\sp #\del",
    r"#\xa0 #\x200b #\x301 #\x3000 #\; #\" #\[",
    r"#t #f #true #false #T #F #TRUE",
    r"#:key #:1+ #:a.b",
    r"42 -17 +5 0 -0 123456789012345678901234567890",
    r"1.5 -0.5 .5 5. 1e3 1E3 1d3 1.5e-3 -0.0",
    r"1/3 -2/4 6/3 0/5",
    r"#x1F #xff #b101 #o17 #d10 #X1f #b-101 #x+1",
    r"#e1.5 #i3 #e#x10 #x#e10 #i1/3 #e.5 #E1.5",
    r"+inf.0 -inf.0 +nan.0 -nan.0 +INF.0",
    r"1e21 1e20 1e9 1e7 1e6 123456789.0 12345678901234567890.0 123456789012345678901.0",
    r"1e-4 0.001 1.25e-4 0.1 100.0 0.3333333333333333 3.14159 1e308 5e-324",
    r"%base-services -> <> 1+ 1- ... a.b image.qcow2 - + -a +a .a",
    r"|pipe| a|b| |a b|",
    r"#{sym with space}# #{}# #{a\x41;b}# #{1+}# #{a}}#",
    r"a'b a`b a,b a#b a\b",
    r"1/0 1a 1+2 +.a .. (a .b)",
    r"λ x→y ñ ½ x² ⊕",
    r"{a b} a{b}",
    r"(define (f . args) args)",
    r"(lambda (. rest) rest)",
    "(a\fb)",
    "(a\tb\r\nc)",
    r"'(1920 . 1080)",
    r"'((peers . #(" + '"tcp://a"' + ")))",
    r'`(("/bin/sh" ,(file-append bash "/bin/bash")))',
    r'(file-system (device (file-system-label "my-root")) (mount-point "/"))',
    r"(quote) (quote . x) (quote x y) '(quote x)",
    r"#~(begin (use-modules (guix build utils)) (mkdir-p #$output))",
    r"""'#(a (b) "c")""",
    r"(partition (size (* 40 (expt 2 20))) (label root-label) (flags '(boot)))",
    '(plain-file "motd" "Welcome\\n\\\nsecond line\\n")',
    r"#:use-module ((guix licenses) #:select (fsdg-compatible))",
    r". a",
]

# Inputs both readers must refuse.
ERRORS = [
    r"(a b",
    r")",
    r"(a]",
    r'"abc',
    r"#q",
    r"#",
    r"#\foo",
    r"(a . )",
    r"(a . b c)",
    r"#|abc",
    r"'",
    r"#:1",
    r"#(a . b)",
    r"(a . b . c)",
    r"#\x110000",
]

SCRIPT_HEAD = r"""
(set-port-encoding! (current-output-port) "UTF-8")
(read-hash-extend #\~ (lambda (c port) (list 'gexp (read port))))
(read-hash-extend #\$ (lambda (c port)
  (if (char=? (peek-char port) #\@)
      (begin (read-char port) (list 'ungexp-splicing (read port)))
      (list 'ungexp (read port)))))
(read-hash-extend #\+ (lambda (c port)
  (if (char=? (peek-char port) #\@)
      (begin (read-char port) (list 'ungexp-native-splicing (read port)))
      (list 'ungexp-native (read port)))))
(define (dump text)
  (catch #t
    (lambda ()
      (let ((out (call-with-output-string
                  (lambda (o)
                    (set-port-encoding! o "UTF-8")
                    (call-with-input-string text
                      (lambda (port)
                        (let loop ()
                          (let ((x (read port)))
                            (unless (eof-object? x)
                              (write x o) (newline o) (loop))))))))))
        (display out)))
    (lambda args (display "ERROR\n")))
  (display "MARKER\n"))
"""


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def guile_output(tmp_path_factory) -> dict[str, str]:
    """Every input of INPUTS and ERRORS -> what Guile wrote for it."""
    cases = INPUTS + ERRORS
    script = SCRIPT_HEAD.replace("MARKER", MARKER)
    script += "".join(f"(dump {_scheme_string(text)})\n" for text in cases)
    path = tmp_path_factory.mktemp("guile") / "dump.scm"
    path.write_text(script, encoding="utf-8")
    env = dict(os.environ, LC_ALL="C.UTF-8", GUILE_AUTO_COMPILE="0")
    proc = subprocess.run([GUILE, "--no-auto-compile", "-s", str(path)], capture_output=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    chunks = proc.stdout.decode("utf-8").split(MARKER + "\n")
    assert len(chunks) == len(cases) + 1, proc.stdout[-2000:]
    # One chunk more than cases: the (empty) text after the last marker, left out here.
    return dict(zip(cases, (c.rstrip("\n") for c in chunks), strict=False))


def _ours(text: str) -> str:
    return "\n".join(write_string(d) for d in read_all(text, SourceFile("<test>", text)))


def test_enough_cases():
    assert len(INPUTS) + len(ERRORS) >= 60


@pytest.mark.parametrize("text", INPUTS)
def test_same_datums_as_guile(text, guile_output):
    expected = guile_output[text]
    assert expected != "ERROR", "Guile refused this input; move it to ERRORS"
    assert _ours(text) == expected


@pytest.mark.parametrize("text", ERRORS)
def test_same_errors_as_guile(text, guile_output):
    assert guile_output[text] == "ERROR"
    with pytest.raises(ReadError):
        read_all(text, SourceFile("<test>", text))


# --- pretty-print ---------------------------------------------------------------------

PRETTY = [
    ("(operating-system (host-name \"komputilo\") (timezone \"Europe/Berlin\") (bootloader "
     "(bootloader-configuration (bootloader grub-bootloader) (targets '(\"/dev/sda\")))) "
     "(file-systems (cons (file-system (device (file-system-label \"my-root\")) "
     "(mount-point \"/\") (type \"ext4\")) %base-file-systems)))", 60),
    ("(image (format 'disk-image) (partitions (list (partition (size 1000) "
     "(label \"GNU-ESP\") (file-system \"vfat\") (flags '(esp))))))", 50),
    ("((a b) c d e f g h i j k l m n o p)", 20),
    ("#(aaaaaa bbbbbbbbb ccccccccc dddddddd eeeeeeeee)", 30),
    ("(a b c d e f g h i j k l m n o p)", 20),
    ("(short `(x ,y ,@z) (quote w))", 79),
]


@pytest.fixture(scope="module")
def guile_pretty(tmp_path_factory) -> list[str]:
    script = "(use-modules (ice-9 pretty-print))\n"
    for text, width in PRETTY:
        script += (f"(pretty-print (call-with-input-string {_scheme_string(text)} read) #:width {width})"
                   f"(display {_scheme_string(MARKER)})(newline)\n")
    path = tmp_path_factory.mktemp("guile") / "pretty.scm"
    path.write_text(script, encoding="utf-8")
    env = dict(os.environ, LC_ALL="C.UTF-8")
    proc = subprocess.run([GUILE, "--no-auto-compile", "-s", str(path)], capture_output=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return [c.rstrip("\n") for c in proc.stdout.decode("utf-8").split(MARKER + "\n")[:-1]]


@pytest.mark.parametrize("index", range(len(PRETTY)))
def test_pretty_like_guile(index, guile_pretty):
    text, width = PRETTY[index]
    (datum,) = read_all(text, SourceFile("<test>", text))
    assert pretty_string(datum, width) == guile_pretty[index]
