"""crypt(3) password hashes "$5$" (SHA-256) and "$6$" (SHA-512), in Python.

Guix configurations write `(password (crypt "alice" "$6$abc"))`; Guile hashes
with the C library at evaluation time.  Python's `crypt` module is gone
from 3.13, so pyguix computes the hash itself, following Ulrich Drepper's
specification of SHA-crypt (the same bytes glibc produces for the same salt).
"""

from __future__ import annotations

import hashlib

ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
DEFAULT_ROUNDS = 5000
SALT_MAX = 16

# The order in which digest bytes are grouped by three for the text encoding.
_ORDER = {
    "6": [(0, 21, 42), (22, 43, 1), (44, 2, 23), (3, 24, 45), (25, 46, 4), (47, 5, 26), (6, 27, 48),
          (28, 49, 7), (50, 8, 29), (9, 30, 51), (31, 52, 10), (53, 11, 32), (12, 33, 54), (34, 55, 13),
          (56, 14, 35), (15, 36, 57), (37, 58, 16), (59, 17, 38), (18, 39, 60), (40, 61, 19),
          (62, 20, 41)],
    "5": [(0, 10, 20), (21, 1, 11), (12, 22, 2), (3, 13, 23), (24, 4, 14), (15, 25, 5), (6, 16, 26),
          (27, 7, 17), (18, 28, 8), (9, 19, 29)],
}
_HASH = {"5": hashlib.sha256, "6": hashlib.sha512}


def _b64(b2: int, b1: int, b0: int, n: int) -> str:
    w = (b2 << 16) | (b1 << 8) | b0
    out = []
    for _ in range(n):
        out.append(ITOA64[w & 0x3F])
        w >>= 6
    return "".join(out)


def _repeat(data: bytes, length: int) -> bytes:
    return (data * (length // len(data) + 1))[:length] if data else b""


def sha_crypt(password: str, setting: str) -> str:
    """The crypt(3) hash of PASSWORD for SETTING ("$6$salt", "$6$rounds=N$salt", "$5$...")."""
    parts = setting.split("$")
    if len(parts) < 3 or parts[0] != "" or parts[1] not in _HASH:
        raise ValueError(f"unsupported crypt setting {setting!r}: use \"$6$SALT\" (SHA-512) or \"$5$SALT\"")
    kind, rest = parts[1], parts[2:]
    rounds, custom = DEFAULT_ROUNDS, False
    if rest[0].startswith("rounds="):
        rounds = max(1000, min(999_999_999, int(rest[0][len("rounds="):])))
        custom = True
        rest = rest[1:]
    salt = rest[0][:SALT_MAX].encode() if rest else b""
    h = _HASH[kind]
    p = password.encode()

    b = h(p + salt + p).digest()
    ctx = h(p + salt + _repeat(b, len(p)))
    n = len(p)
    while n:
        ctx.update(b if n & 1 else p)
        n >>= 1
    a = ctx.digest()
    p_seq = _repeat(h(p * len(p)).digest(), len(p))
    s_seq = _repeat(h(salt * (16 + a[0])).digest(), len(salt))

    c = a
    for i in range(rounds):
        ctx = h(p_seq if i & 1 else c)
        if i % 3:
            ctx.update(s_seq)
        if i % 7:
            ctx.update(p_seq)
        ctx.update(c if i & 1 else p_seq)
        c = ctx.digest()

    text = "".join(_b64(c[x], c[y], c[z], 4) for x, y, z in _ORDER[kind])
    text += _b64(0, 0, c[63], 2) if kind == "6" else _b64(0, c[31], c[30], 3)
    prefix = f"${kind}$" + (f"rounds={rounds}$" if custom else "")
    return f"{prefix}{salt.decode()}${text}"
