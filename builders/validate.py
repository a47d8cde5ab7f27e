"""Rules for the values that become lines of generated files, as tables.

Each kind of value (a host name, a user's home directory, a kernel argument,
...) has a row of rules; `check(kind, value, span)` raises a ConfigError at
SPAN (the offending field) for the first rule the value breaks.  Lowering
(lower.py) calls these for every field, so `--dry-run` reports them too.
Where GNU Guix checks a value, the wording follows Guix's.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from builders.errors import BuildError
from schemeconf.errors import ConfigError
from schemeconf.source import Span

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_ID = 2**32 - 2                 # 2^32-1 is (uid_t)-1, "no user"
HOST_NAME_MAX = 64                 # Linux's sethostname limit
NAME_MAX = 32                      # shadow's user/group name limit
HOST_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
ACCOUNT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\$?")
LOCALE = re.compile(r"(C|POSIX)(\.[A-Za-z0-9-]+)?|[a-z]{2,3}(_[A-Z]{2}|_[0-9]{3})?(\.[A-Za-z0-9-]+)?(@[A-Za-z0-9_]+)?")
FS_TYPE = re.compile(r"[A-Za-z0-9_.+-]+")
TTY = re.compile(r"[A-Za-z0-9_./-]+")


def is_string(v: Any) -> bool:
    return isinstance(v, str)


def no_control(v: str) -> bool:
    return not CONTROL.search(v)


def no_colon(v: str) -> bool:
    return ":" not in v


def absolute(v: str) -> bool:
    return v.startswith("/")


def no_dot_components(v: str) -> bool:
    return not {".", ".."} & set(v.split("/"))


def host_name_ok(v: str) -> bool:
    return 0 < len(v) <= HOST_NAME_MAX and all(HOST_LABEL.fullmatch(part) for part in v.split("."))


def account_name_ok(v: str) -> bool:
    return 0 < len(v) <= NAME_MAX and ACCOUNT_NAME.fullmatch(v) is not None


def id_ok(v: Any) -> bool:
    return v is False or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_ID)


@cache
def time_zones() -> frozenset[str]:
    """The zone and link names of tzdata (builders/data/timezones.txt, from scripts/gen_timezones.py)."""
    text = (Path(__file__).parent / "data" / "timezones.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def time_zone_hint(v: Any) -> str:
    zones = time_zones()
    by_case = {z.lower(): z for z in zones}
    guess = by_case.get(str(v).lower()) or next(iter(difflib.get_close_matches(str(v), zones, n=1)), None)
    known = "a tzdata name such as \"Europe/Berlin\", \"America/New_York\" or \"UTC\""
    return f"did you mean \"{guess}\"? ({known})" if guess else f"give {known}"


@dataclass(frozen=True)
class Rule:
    ok: Callable[[Any], bool]
    message: str                               # formatted with value= and what=
    hint: str | Callable[[Any], str] = ""


def _text(what_hint: str = "") -> tuple[Rule, ...]:
    """Any string placed inside a line of a generated file."""
    return (Rule(is_string, "{what} {value} is not a string", what_hint),
            Rule(no_control, "{what} {value} contains a newline or another control character",
                 "a newline here would start a new line of the generated file"))


def _field(hint: str) -> tuple[Rule, ...]:
    """A string that becomes a field of a colon-separated line (/etc/passwd, /etc/shadow)."""
    return (*_text(), Rule(no_colon, "{what} {value} contains ':'", hint))


def _path(what_hint: str) -> tuple[Rule, ...]:
    return (*_field(what_hint), Rule(absolute, "{what} {value} is not an absolute file name", what_hint),
            Rule(no_dot_components, "{what} {value} contains '.' or '..' components",
                 "write the directory without '.' or '..', e.g. \"/home/alice\""))


ACCOUNT_NAME_HINT = (f"names are 1 to {NAME_MAX} letters, digits, '_', '.' or '-', starting with a letter or '_' "
                     "(as shadow's useradd accepts)")
PATH_HINT = "an absolute file name such as \"/home/alice\""

RULES: dict[str, tuple[Rule, ...]] = {
    "host-name": (*_text(), Rule(host_name_ok, "invalid host name {value}",
                                 f"a host name is at most {HOST_NAME_MAX} characters: labels of letters, digits "
                                 "and '-' (not at either end) separated by dots, as RFC 1123 says")),
    "locale": (*_text(), Rule(lambda v: LOCALE.fullmatch(v) is not None, "invalid locale name {value}",
                              "write LANGUAGE_TERRITORY.CODESET@MODIFIER, e.g. \"en_US.utf8\", or \"C\", \"POSIX\"")),
    "timezone": (*_text(), Rule(lambda v: v in time_zones(), "unknown time zone {value}", time_zone_hint)),
    "os-label": _text(),
    "kernel-argument": _text("kernel arguments are strings, e.g. (kernel-arguments '(\"quiet\" \"console=ttyS0\"))"),
    "account-name": (*_text(), Rule(account_name_ok, "invalid {what} {value}", ACCOUNT_NAME_HINT)),
    "comment": _field("the comment is a field of /etc/passwd"),
    "password": _field("a password is a crypt(3) hash, such as (crypt \"secret\" \"$6$salt\")"),
    "home-directory": _path(PATH_HINT),
    "shell": _path("an absolute file name such as \"/bin/sh\", or (file-append bash \"/bin/bash\")"),
    "id": (Rule(id_ok, "{what} {value} is out of range", f"ids go from 0 to {MAX_ID}"),),
    "mount-point": (*_text(), Rule(absolute, "mount point {value} is not an absolute file name",
                                   "write e.g. \"/home\""),
                    Rule(no_dot_components, "mount point {value} contains '.' or '..' components",
                         "write the directory without '.' or '..'")),
    "device": _text("a device is a file name, (file-system-label \"...\") or (uuid \"...\")"),
    "fs-options": _text(),
    "fs-type": (*_text(), Rule(lambda v: FS_TYPE.fullmatch(v) is not None, "invalid file system type {value}",
                               "write a type such as \"ext4\", \"vfat\" or \"tmpfs\"")),
    "tty": (*_text(), Rule(lambda v: TTY.fullmatch(v) is not None, "invalid terminal name {value}",
                           "write a device name such as \"ttyS0\" or \"tty1\"")),
    "partition-label": _text(),
}


def problem(kind: str, value: Any, what: str = "") -> tuple[str, str] | None:
    """(message, hint) for the first rule of KIND that VALUE breaks; None when it is fine."""
    shown = show(value)
    for rule in RULES[kind]:
        if not rule.ok(value):
            hint = rule.hint(value) if callable(rule.hint) else rule.hint
            return rule.message.format(value=shown, what=what or kind.replace("-", " ")), hint
    return None


def check(kind: str, value: Any, span: Span | None, what: str = "") -> None:
    found = problem(kind, value, what)
    if found:
        raise ConfigError(found[0], span, found[1] or None)


def check_all(kind: str, values: Iterable[Any], span: Span | None, what: str = "") -> None:
    for value in values:
        check(kind, value, span, what)


ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def show(value: Any, limit: int = 60) -> str:
    """VALUE for a message: a string quoted, control characters escaped, cut at LIMIT."""
    if not isinstance(value, str):
        from schemeconf.printer import write_string

        return write_string(value)
    text = value if len(value) <= limit else value[:limit] + "..."
    return '"' + CONTROL.sub(lambda m: ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}"), text) + '"'


# --- labels ------------------------------------------------------------------------------------------

# (limit, unit) of a volume label per file system: ext's s_volume_name holds 16 bytes,
# FAT's 11 characters, ISO 9660's volume id 32, btrfs 255 bytes, swap 16 bytes.
LABEL_LIMITS: dict[str, tuple[int, str]] = {
    "ext2": (16, "bytes"), "ext3": (16, "bytes"), "ext4": (16, "bytes"),
    "vfat": (11, "characters"), "fat16": (11, "characters"), "fat32": (11, "characters"),
    "iso9660": (32, "characters"), "btrfs": (255, "bytes"), "swap": (16, "bytes"),
}


def label_problem(label: Any, file_system: str) -> tuple[str, str] | None:
    """(message, hint) when LABEL cannot be the volume label of FILE_SYSTEM."""
    found = problem("partition-label", label, "label")
    if found or file_system not in LABEL_LIMITS:
        return found
    limit, unit = LABEL_LIMITS[file_system]
    size = len(label.encode("utf-8")) if unit == "bytes" else len(label)
    if size <= limit:
        return None
    what = "vfat" if file_system in ("fat16", "fat32") else file_system
    return (f'{what} label {show(label)} is longer than {limit} {unit}',
            f"{file_system} volume labels hold at most {limit} {unit}" + (" (in UTF-8)" if unit == "bytes" else ""))


# --- SOURCE_DATE_EPOCH -----------------------------------------------------------------------------

def _utc(year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
    return int(datetime.datetime(year, month, day, hour, minute, second, tzinfo=datetime.UTC).timestamp())


# What each writer can store: (first, last) second since 1970.  FAT dates run
# from 1980 (earlier ones are clamped to 1980-01-01) to 2107; cpio (newc) mtimes
# are 32-bit unsigned; ext's 256-byte inodes carry extended times (to 2446);
# ISO 9660 writes four-digit years.
EPOCH_RANGES: dict[str, tuple[int, int]] = {
    "FAT": (0, _utc(2107, 12, 31, 23, 59, 58)),
    "cpio (initrd)": (0, 2**32 - 1),
    "ext2/3/4": (-(2**31), _utc(2446, 5, 10, 22, 38, 55)),
    "ISO 9660": (0, _utc(9999, 12, 31, 23, 59, 59)),
}


def check_epoch(value: int, writers: Iterable[str] | None = None) -> int:
    """VALUE (SOURCE_DATE_EPOCH) when every writer of WRITERS (all by default) can store it."""
    names = list(EPOCH_RANGES) if writers is None else list(writers)
    low = max(EPOCH_RANGES[n][0] for n in names)
    high = min(EPOCH_RANGES[n][1] for n in names)
    if low <= value <= high:
        return value
    limiting = next(n for n in names if not EPOCH_RANGES[n][0] <= value <= EPOCH_RANGES[n][1])
    raise BuildError(f"SOURCE_DATE_EPOCH={value} is outside the range {limiting} timestamps can hold",
                     f"set SOURCE_DATE_EPOCH between {low} and {high} "
                     f"({_date(low)} to {_date(high)}), or unset it")


def _date(seconds: int) -> str:
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# --- fstab -----------------------------------------------------------------------------------------

FSTAB_ESCAPES = {" ": "\\040", "\t": "\\011", "\n": "\\012", "\\": "\\134"}


def fstab_escape(field: str) -> str:
    """FIELD as one whitespace-free fstab field (getmntent's octal escapes)."""
    return "".join(FSTAB_ESCAPES.get(c, c) for c in field)


# --- boot loader command lines ------------------------------------------------------------------------

GRUB_BARE = re.compile(r"[A-Za-z0-9_./=:,+@%-]+")


def grub_word(text: str) -> str:
    """TEXT as one GRUB word: bare when GRUB's lexer leaves it alone, else single-quoted
    (no escapes inside single quotes: an embedded ' becomes '\\'')."""
    if GRUB_BARE.fullmatch(text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


__all__ = ["RULES", "LABEL_LIMITS", "EPOCH_RANGES", "check", "check_all", "check_epoch", "fstab_escape",
           "grub_word", "label_problem", "problem", "time_zones"]
