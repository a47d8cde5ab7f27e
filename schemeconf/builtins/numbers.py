"""Numbers: exact integers and rationals (int, Fraction) and inexact reals (float).

| procedures                                                            | module |
|-----------------------------------------------------------------------|--------|
| + - * / = < > <= >= 1+ 1- abs min max gcd lcm expt sqrt square         | core   |
| quotient remainder modulo floor/ truncate/ floor-quotient ...          | core   |
| floor ceiling round truncate numerator denominator                    | core   |
| exact->inexact inexact->exact exact inexact exact? inexact?           | core   |
| number? complex? real? rational? integer? exact-integer? exact-rational? | core |
| zero? positive? negative? odd? even? nan? inf? finite?                | core   |
| number->string string->number                                         | core   |

No Python exception escapes: division by zero and overflow are SchemeErrors.
"""

from __future__ import annotations

import math
import operator
import re
from fractions import Fraction
from itertools import pairwise
from typing import Any

from ..datum import Values, is_integer, is_number
from ..errors import EvalLimit, SchemeError
from ..primitives import primitive
from .common import check, format_number, is_exact_int, want_string, write_text, wrong

MAX_BITS = 1_000_000  # exact results larger than this are refused (runaway expt)


def want_number(who: str, x: Any, position: int | None = None) -> Any:
    check(who, is_number(x), "number", x, position)
    return x


def want_integer(who: str, x: Any, position: int | None = None) -> Any:
    check(who, is_integer(x), "integer", x, position)
    return x


def norm(x: Any) -> Any:
    """Fractions with denominator 1 become ints."""
    if isinstance(x, Fraction) and x.denominator == 1:
        return x.numerator
    return x


def _positions(args) -> list[int | None]:
    return [None] * len(args) if len(args) == 1 else list(range(1, len(args) + 1))


def _numbers(who: str, args) -> None:
    for x, pos in zip(args, _positions(args), strict=True):
        want_number(who, x, pos)


def _guard(who: str, fn, *args) -> Any:
    try:
        return norm(fn(*args))
    except OverflowError:
        raise SchemeError(f"{who}: numerical overflow") from None
    except ZeroDivisionError:
        raise SchemeError(f"{who}: division by zero") from None


def add(a, b):
    return _guard("+", lambda: a + b)


def mul(a, b):
    if type(a) is int and type(b) is int and a.bit_length() + b.bit_length() > MAX_BITS:
        raise EvalLimit(f"memory budget exceeded: *: the product would have about "
                        f"{a.bit_length() + b.bit_length()} bits (limit {MAX_BITS})")
    return _guard("*", lambda: a * b)


def _divide(a, b):
    if isinstance(b, float) and b == 0.0:
        if a == 0 or (isinstance(a, float) and math.isnan(a)):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    if b == 0:
        raise SchemeError("/: division by zero")
    if isinstance(a, float) or isinstance(b, float):
        return _guard("/", lambda: a / b)
    return norm(Fraction(a) / Fraction(b))


@primitive("+")
def plus(*args):
    _numbers("+", args)
    result = 0
    for x in args:
        result = add(result, x)
    return result


@primitive("*")
def times(*args):
    _numbers("*", args)
    result = 1
    for x in args:
        result = mul(result, x)
    return result


@primitive("-")
def minus(first, *rest):
    _numbers("-", (first, *rest))
    if not rest:
        return -first
    result = first
    for x in rest:
        result = _guard("-", operator.sub, result, x)
    return result


@primitive("/")
def divide(first, *rest):
    _numbers("/", (first, *rest))
    if not rest:
        return _divide(1, first)
    result = first
    for x in rest:
        result = _divide(result, x)
    return result


@primitive("1+")
def one_plus(x):
    return add(want_number("1+", x), 1)


@primitive("1-")
def one_minus(x):
    return _guard("1-", lambda: want_number("1-", x) - 1)


def _comparison(name: str, test) -> None:
    def compare(*args):
        _numbers(name, args)
        return all(test(a, b) for a, b in pairwise(args))
    primitive(name)(compare)


for _name, _order in (("=", operator.eq), ("<", operator.lt), (">", operator.gt),
                      ("<=", operator.le), (">=", operator.ge)):
    _comparison(_name, _order)


# --- predicates ---------------------------------------------------------------------

def _finite(x: Any) -> bool:
    return not isinstance(x, float) or math.isfinite(x)


_TYPE_PREDICATES = {
    "number?": is_number, "complex?": is_number, "real?": is_number,
    "rational?": lambda x: is_number(x) and _finite(x),
    "integer?": is_integer,
    "exact-integer?": is_exact_int,
    "exact-rational?": lambda x: is_exact_int(x) or isinstance(x, Fraction),
}
_NUMBER_PREDICATES = {
    "zero?": lambda x: x == 0, "positive?": lambda x: x > 0, "negative?": lambda x: x < 0,
    "exact?": lambda x: not isinstance(x, float), "inexact?": lambda x: isinstance(x, float),
    "nan?": lambda x: isinstance(x, float) and math.isnan(x),
    "inf?": lambda x: isinstance(x, float) and math.isinf(x),
    "finite?": _finite,
}


def _type_predicate(name: str, test) -> None:
    primitive(name)(lambda x: bool(test(x)))


def _number_predicate(name: str, test) -> None:
    primitive(name)(lambda x: bool(test(want_number(name, x))))


for _name, _test in _TYPE_PREDICATES.items():
    _type_predicate(_name, _test)
for _name, _number_test in _NUMBER_PREDICATES.items():
    _number_predicate(_name, _number_test)


@primitive("odd?")
def odd_p(n):
    return want_integer("odd?", n) % 2 == 1


@primitive("even?")
def even_p(n):
    return want_integer("even?", n) % 2 == 0


# --- exactness ----------------------------------------------------------------------

def to_inexact(who: str, x: Any) -> float:
    want_number(who, x)
    return _guard(who, float, x)


def to_exact(who: str, x: Any) -> Any:
    want_number(who, x)
    if isinstance(x, float):
        if not math.isfinite(x):
            raise SchemeError(f"{who}: no exact representation for {format_number(x)}")
        return norm(Fraction(x))
    return x


def _converter(name: str, convert) -> None:
    primitive(name)(lambda x: convert(name, x))


for _name, _convert in (("exact->inexact", to_inexact), ("inexact", to_inexact),
                        ("inexact->exact", to_exact), ("exact", to_exact)):
    _converter(_name, _convert)


# --- integer division ---------------------------------------------------------------

def _int_args(who: str, a: Any, b: Any) -> bool:
    """Check two integer arguments; true when the result must be inexact."""
    want_integer(who, a, 1)
    want_integer(who, b, 2)
    if b == 0:
        raise SchemeError(f"{who}: division by zero")
    return isinstance(a, float) or isinstance(b, float)


def _truncate_div(a: int, b: int) -> tuple[int, int]:
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    return q, a - b * q


def _integer_division(name: str, kind: str, part: int | None) -> None:
    def divide(a, b):
        inexact = _int_args(name, a, b)
        x, y = int(a), int(b)
        pair = divmod(x, y) if kind == "floor" else _truncate_div(x, y)
        out = [float(v) if inexact else v for v in pair]
        return Values(out) if part is None else out[part]
    primitive(name)(divide)


for _name, _kind, _part in (("quotient", "truncate", 0), ("remainder", "truncate", 1),
                            ("modulo", "floor", 1), ("truncate-quotient", "truncate", 0),
                            ("truncate-remainder", "truncate", 1), ("floor-quotient", "floor", 0),
                            ("floor-remainder", "floor", 1), ("floor/", "floor", None),
                            ("truncate/", "truncate", None)):
    _integer_division(_name, _kind, _part)


@primitive("abs")
def abs_(x):
    return abs(want_number("abs", x))


def _extremum(name: str, pick) -> None:
    def extremum(first, *rest):
        args = (first, *rest)
        _numbers(name, args)
        result = pick(args)
        return float(result) if any(isinstance(x, float) for x in args) else result
    primitive(name)(extremum)


_extremum("min", min)
_extremum("max", max)


def _int_fold(name: str, combine, unit: int) -> None:
    def fold(*args):
        result = unit
        for x, pos in zip(args, _positions(args), strict=True):
            want_integer(name, x, pos)
            result = combine(result, int(x))
        inexact = any(isinstance(x, float) for x in args)
        return float(result) if inexact else result
    primitive(name)(fold)


_int_fold("gcd", math.gcd, 0)
_int_fold("lcm", math.lcm, 1)


@primitive("numerator")
def numerator(x):
    want_number("numerator", x)
    return float(Fraction(x).numerator) if isinstance(x, float) else Fraction(x).numerator


@primitive("denominator")
def denominator(x):
    want_number("denominator", x)
    return float(Fraction(x).denominator) if isinstance(x, float) else Fraction(x).denominator


# --- rounding -----------------------------------------------------------------------

def _rounding(name: str, fn) -> None:
    def rounder(x):
        want_number(name, x)
        if isinstance(x, float):
            return float(fn(x)) if math.isfinite(x) else x
        return fn(x)
    primitive(name)(rounder)


for _name, _fn in (("floor", math.floor), ("ceiling", math.ceil), ("truncate", math.trunc),
                   ("round", round)):
    _rounding(_name, _fn)


# --- powers -------------------------------------------------------------------------

@primitive("expt")
def expt(base, power):
    want_number("expt", base, 1)
    want_number("expt", power, 2)
    if is_exact_int(power) and not isinstance(base, float):
        size = abs(power) * max(Fraction(base).numerator.bit_length(), Fraction(base).denominator.bit_length())
        if size > MAX_BITS and abs(base) > 1:
            raise EvalLimit(f"expt: result too large ({size} bits)")
        if power < 0 and base == 0:
            raise SchemeError("expt: division by zero")
        return norm(Fraction(base) ** power)
    try:
        result = float(base) ** float(power)
    except ZeroDivisionError:
        raise SchemeError("expt: division by zero") from None
    except OverflowError:
        return math.inf
    if isinstance(result, complex):
        raise SchemeError("expt: complex results are not supported")
    return result


def _exact_sqrt(n: int) -> int | None:
    root = math.isqrt(n)
    return root if root * root == n else None


@primitive("sqrt")
def sqrt(x):
    want_number("sqrt", x)
    if x < 0:
        raise SchemeError("sqrt: complex results are not supported")
    if not isinstance(x, float):
        q = Fraction(x)
        num, den = _exact_sqrt(q.numerator), _exact_sqrt(q.denominator)
        if num is not None and den is not None:
            return norm(Fraction(num, den))
    return _guard("sqrt", math.sqrt, x)


@primitive("exact-integer-sqrt")
def exact_integer_sqrt(n):
    check("exact-integer-sqrt", is_exact_int(n) and n >= 0, "non-negative exact integer", n)
    root = math.isqrt(n)
    return Values([root, n - root * root])


@primitive("square")
def square(x):
    return mul(want_number("square", x), x)


# --- number <-> string --------------------------------------------------------------

@primitive("number->string")
def number_to_string(n, radix=10):
    want_number("number->string", n, 1)
    check("number->string", is_exact_int(radix) and 2 <= radix <= 36, "radix between 2 and 36", radix, 2)
    if isinstance(n, float) and radix != 10:
        raise wrong("number->string", "radix 10 for an inexact number", radix, 2)
    return write_text(n) if radix == 10 else format_number(n, radix)


_DIGITS = {2: "[01]", 8: "[0-7]", 10: "[0-9]", 16: "[0-9a-fA-F]"}
_RADIX_PREFIX = {"x": 16, "b": 2, "o": 8, "d": 10}
_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")


def parse_number(text: str, radix: int = 10) -> Any:
    """The number TEXT denotes in Scheme syntax, or None."""
    exactness, radix_seen = None, False
    while len(text) >= 2 and text[0] == "#":
        c = text[1].lower()
        if c in "ei" and exactness is None:
            exactness = c
        elif c in _RADIX_PREFIX and not radix_seen:
            radix, radix_seen = _RADIX_PREFIX[c], True
        else:
            return None
        text = text[2:]
    value = _parse_real(text, radix, exactness == "e")
    if value is None or exactness is None:
        return value
    if exactness == "i":
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return None if isinstance(value, float) else value


def _parse_real(text: str, radix: int, exact: bool) -> Any:
    special = re.fullmatch(r"([+-])(inf|nan)\.0", text, re.IGNORECASE)
    if special:
        value = math.inf if special.group(2).lower() == "inf" else math.nan
        return -value if special.group(1) == "-" else value
    d = _DIGITS[radix]
    if re.fullmatch(f"[+-]?{d}+", text):
        return int(text, radix)
    if re.fullmatch(f"[+-]?{d}+/{d}+", text):
        num, den = text.split("/")
        return None if int(den, radix) == 0 else norm(Fraction(int(num, radix), int(den, radix)))
    if radix == 10:
        return _parse_decimal(text, exact)
    return None


def _parse_decimal(text: str, exact: bool) -> Any:
    m = _DECIMAL.fullmatch(text)
    if not m or not (m.group(2) or m.group(3)):
        return None
    sign, whole, frac, exponent = m.group(1), m.group(2), m.group(3) or "", int(m.group(4) or 0)
    if not exact:
        return float(text)
    if abs(exponent) > 10_000:
        return None
    value = Fraction(int(whole + frac or "0"), 10 ** len(frac)) * Fraction(10) ** exponent
    return norm(-value if sign == "-" else value)


@primitive("string->number")
def string_to_number(text, radix=10):
    want_string("string->number", text, 1)
    check("string->number", radix in (2, 8, 10, 16) and is_exact_int(radix), "radix 2, 8, 10 or 16", radix, 2)
    value = parse_number(text, radix)
    return False if value is None else value
