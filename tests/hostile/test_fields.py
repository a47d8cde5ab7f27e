"""Hostile field values: every value that becomes a line (or a word of a line) of a
generated file is checked at lowering time, so `--dry-run` reports it at the field.

Each row is a configuration fragment and the outcome: the error's fragments, and
the line marked `; HERE` in the fragment is the line the error must point at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builders.errors import BuildError
from builders.validate import EPOCH_RANGES, check_epoch, fstab_escape, grub_word
from tests.helpers import REPO, assert_clean_error, assert_located, run_pyguix

OS_FIELDS = {
    "host-name": '"komputilo"',
    "timezone": '"Europe/Berlin"',
    "locale": '"en_US.utf8"',
    "kernel-arguments": "'()",
    "file-systems": '(cons (file-system (device (file-system-label "my-root")) (mount-point "/") (type "ext4"))\n'
                    '                    %base-file-systems)',
    "groups": "%base-groups",
    "users": '(cons (user-account (name "alice") (group "users")) %base-user-accounts)',
}


def os_text(**fields: str) -> str:
    """An operating-system declaration, one field a line, with FIELDS (dashes as '_') replaced."""
    values = dict(OS_FIELDS, **{k.replace("_", "-"): v for k, v in fields.items()})
    body = "\n".join(f"  ({k} {v}\n   )" for k, v in values.items())  # a '; HERE' cannot eat the ')'

    return ("(use-modules (gnu))\n(operating-system\n"
            "  (bootloader (bootloader-configuration (bootloader grub-bootloader) (targets '(\"/dev/sda\"))))\n"
            f"{body})\n")


def users(*accounts: str) -> str:
    return "(cons* " + "\n        ".join(accounts) + "\n        %base-user-accounts)"


def marked_line(text: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if "; HERE" in line)


def dry_run(tmp_path: Path, text: str, *options: str):
    config = tmp_path / "config.scm"
    config.write_text(text)
    return config, run_pyguix("system", "image", "--dry-run", *options, str(config))


OS_ROWS = [
    # 1. accounts
    ("shell with a passwd line", dict(users=users('(user-account (name "bob") (group "users")\n'
                                                  '  (shell "/bin/sh\\nroot::0:0::/:/bin/sh")) ; HERE')),
     ['shell "/bin/sh\\nroot::0:0::/:/bin/sh" contains a newline']),
    ("colon in name", dict(users=users('(user-account (name "bo:b") (group "users")) ; HERE')),
     ['invalid user name "bo:b"', "useradd"]),
    ("newline in name", dict(users=users('(user-account (name "bob\\nroot") (group "users")) ; HERE')),
     ["user name", "contains a newline"]),
    ("empty name", dict(users=users('(user-account (name "") (group "users")) ; HERE')), ['invalid user name ""']),
    ("comma in name", dict(users=users('(user-account (name "a,b") (group "users")) ; HERE')), ["invalid user name"]),
    ("slash in name", dict(users=users('(user-account (name "a/b") (group "users")) ; HERE')), ["invalid user name"]),
    ("space in name", dict(users=users('(user-account (name "a b") (group "users")) ; HERE')), ["invalid user name"]),
    ("leading dash", dict(users=users('(user-account (name "-bob") (group "users")) ; HERE')), ["invalid user name"]),
    ("33-character name", dict(users=users(f'(user-account (name "{"b" * 33}") (group "users")) ; HERE')),
     ["invalid user name", "1 to 32"]),
    ("colon in comment", dict(users=users('(user-account (name "bob") (group "users") (comment "a:b")) ; HERE')),
     ['comment "a:b" contains \':\'']),
    ("newline in password", dict(users=users('(user-account (name "bob") (group "users") (password "x\\ny")) ; HERE')),
     ["password", "contains a newline"]),
    ("colon in password", dict(users=users('(user-account (name "bob") (group "users") (password "x:0:0")) ; HERE')),
     ["password", "contains ':'"]),
    ("colon in home", dict(users=users('(user-account (name "bob") (group "users") (home-directory "/h:x")) ; HERE')),
     ["home directory", "contains ':'"]),
    ("relative home", dict(users=users('(user-account (name "bob") (group "users") (home-directory "bob")) ; HERE')),
     ['home directory "bob" is not an absolute file name']),
    ("home climbing out", dict(users=users('(user-account (name "bob") (group "users")\n'
                                           '  (home-directory "/home/../../usr")) ; HERE')),
     ["home directory \"/home/../../usr\" contains '.' or '..'"]),
    ("negative uid", dict(users=users('(user-account (name "bob") (group "users") (uid -5)) ; HERE')),
     ["uid -5 is out of range", "4294967294"]),
    ("huge uid", dict(users=users('(user-account (name "bob") (group "users") (uid 4294967295)) ; HERE')),
     ["uid 4294967295 is out of range"]),
    ("huge gid", dict(groups='(cons (user-group (name "big") (id 99999999999)) %base-groups) ; HERE'),
     ["gid 99999999999 is out of range"]),
    ("negative gid", dict(groups='(cons (user-group (name "neg") (id -1)) %base-groups) ; HERE'),
     ["gid -1 is out of range"]),
    ("unknown supplementary group",
     dict(users=users('(user-account (name "bob") (group "users") (supplementary-groups \'("nosuch"))) ; HERE')),
     ["supplementary group 'nosuch' of user 'bob' is undeclared"]),
    ("unknown primary group", dict(users=users('(user-account (name "bob") (group "nosuch")) ; HERE')),
     ["primary group 'nosuch' of user 'bob' is undeclared"]),
    ("duplicate user", dict(users=users('(user-account (name "bob") (group "users"))',
                                        '(user-account (name "bob") (group "users")) ; HERE')),
     ['user account "bob" appears more than once', "first given here"]),
    ("duplicate group", dict(groups='(cons* (user-group (name "ops"))\n'
                                    '  (user-group (name "ops")) %base-groups) ; HERE'),
     ['group "ops" appears more than once']),
    ("bad group name", dict(groups='(cons (user-group (name "o:ps")) %base-groups) ; HERE'),
     ['invalid group name "o:ps"']),
    # 2. kernel arguments
    ("menuentry injection", dict(kernel_arguments="'(\"quiet\\n}\\nmenuentry \\\"pwn\\\" { linux /evil\") ; HERE"),
     ["kernel argument", "contains a newline"]),
    ("NUL in argument", dict(kernel_arguments='(list (string #\\a #\\nul)) ; HERE'),
     ["kernel argument", "control character"]),
    ("non-strings", dict(kernel_arguments="'(5 foo #t) ; HERE"), ["kernel argument 5 is not a string"]),
    ("symbol", dict(kernel_arguments="'(foo) ; HERE"), ["kernel argument foo is not a string"]),
    # 3. host name, locale, time zone
    ("host name with a newline", dict(host_name='"a\\nb" ; HERE'), ['host name "a\\nb" contains a newline']),
    ("empty host name", dict(host_name='"" ; HERE'), ['invalid host name ""', "RFC 1123"]),
    ("300-character host name", dict(host_name=f'"{"a" * 300}" ; HERE'), ["invalid host name", "64 characters"]),
    ("spaced host name", dict(host_name='"a b" ; HERE'), ['invalid host name "a b"']),
    ("underscore host name", dict(host_name='"bad_host!" ; HERE'), ['invalid host name "bad_host!"']),
    ("leading dash host name", dict(host_name='"-abc" ; HERE'), ['invalid host name "-abc"']),
    ("locale with an environment line", dict(locale='"C\\nLD_PRELOAD=/x.so" ; HERE'),
     ['locale "C\\nLD_PRELOAD=/x.so" contains a newline']),
    ("locale with a space", dict(locale='"en_US.utf8 x" ; HERE'), ['invalid locale name "en_US.utf8 x"']),
    ("time zone path", dict(timezone='"../../etc/shadow" ; HERE'), ['unknown time zone "../../etc/shadow"', "tzdata"]),
    ("time zone case", dict(timezone='"europe/berlin" ; HERE'), ['did you mean "Europe/Berlin"']),
    ("time zone typo", dict(timezone='"Europe/Berln" ; HERE'), ['did you mean "Europe/Berlin"']),
    # 3. file systems
    ("newline in device", dict(file_systems='(list (file-system (device "/dev/sda1\\nx / ext4") ; HERE\n'
                                            '  (mount-point "/") (type "ext4")))'),
     ["device", "contains a newline"]),
    ("newline in options", dict(file_systems='(list (file-system (device "/dev/sda1") (mount-point "/") (type "ext4")\n'
                                             '  (options "rw\\n/dev/sdb /x ext4"))) ; HERE'),
     ["options", "contains a newline"]),
    ("newline in mount point", dict(file_systems='(list (file-system (device "/dev/sda1") (type "ext4")\n'
                                                 '  (mount-point "/\\nx"))) ; HERE'),
     ["mount point", "contains a newline"]),
    ("relative mount point", dict(file_systems='(list (file-system (device "/dev/sda1") (type "ext4")\n'
                                               '  (mount-point "mnt"))) ; HERE'),
     ['mount point "mnt" is not an absolute file name']),
    ("spaced type", dict(file_systems='(list (file-system (device "/dev/sda1") (mount-point "/")\n'
                                      '  (type "ext4 defaults"))) ; HERE'),
     ['invalid file system type "ext4 defaults"']),
    ("duplicate mount point", dict(file_systems='(list (file-system (device "/dev/sda1") (mount-point "/")'
                                                ' (type "ext4"))\n'
                                                '  (file-system (device "/dev/sda2") (type "ext4")\n'
                                                '  (mount-point "/"))) ; HERE'),
     ['mount point "/" is declared twice', "first given here"]),
    ("two root file systems", dict(file_systems='(list (file-system (device "/dev/sda1") (mount-point "/")'
                                               ' (type "ext4"))\n'
                                               '  (file-system (device "/dev/sdb1") (type "xfs")\n'
                                               '  (mount-point "/"))) ; HERE'),
     ['mount point "/" is declared twice']),
    # getty terminals: the tty is the ID field of an /etc/inittab line
    ("colon in a getty tty", dict(services='(cons (service agetty-service-type\n'
                                           '  (agetty-configuration (tty "ttyS0::respawn:/bin/sh"))) ; HERE\n'
                                           '  %base-services)'),
     ['invalid terminal name "ttyS0::respawn:/bin/sh"']),
    ("newline in a getty term", dict(services='(cons (service agetty-service-type\n'
                                              '  (agetty-configuration (tty "ttyS0") (term "vt100\\nx"))) ; HERE\n'
                                              '  %base-services)'),
     ["term", "contains a newline"]),
]


@pytest.mark.parametrize("name, fields, fragments", OS_ROWS, ids=[r[0] for r in OS_ROWS])
def test_os_field_is_refused_at_the_field(tmp_path, name, fields, fragments):
    text = os_text(**fields)
    config, out = dry_run(tmp_path, text)
    assert_located(out, config, marked_line(text), *fragments)


def image_text(partitions: str) -> str:
    return ("(use-modules (gnu) (gnu image) (gnu system image))\n"
            "(image (format 'disk-image)\n"
            " (operating-system\n" + "\n".join("  " + line for line in os_text().splitlines()[1:]) + ")\n"
            " (partitions\n  (list\n" + partitions + "\n)))\n")


ROOT = "   (partition (size 'guess) (label \"my-root\") (file-system \"ext4\") (flags '(boot)))"

IMAGE_ROWS = [
    ("ext4 label of 21 bytes",
     '   (partition (size 1048576) (label "abcdefghijklmnopqrstu") (file-system "ext4")) ; HERE\n' + ROOT,
     ['ext4 label "abcdefghijklmnopqrstu" is longer than 16 bytes', "UTF-8"]),
    ("ext4 label of 15 characters, 17 bytes",
     '   (partition (size 1048576) (label "abcdefghijklmnoé") (file-system "ext4")) ; HERE\n' + ROOT,
     ["is longer than 16 bytes"]),
    ("FAT label", '   (partition (size 1048576) (label "TOO-LONG-LABEL") (file-system "vfat")) ; HERE\n' + ROOT,
     ['vfat label "TOO-LONG-LABEL" is longer than 11 characters']),
    ("newline in label", '   (partition (size 1048576) (label "a\\nb") (file-system "ext4")) ; HERE\n' + ROOT,
     ['label "a\\nb" contains a newline']),
    ("uuid 42", '   (partition (size 1048576) (label "data") (file-system "ext4") (uuid 42)) ; HERE\n' + ROOT,
     ["partition uuid 42 is not a UUID"]),
    ("same label twice", '   (partition (size 1048576) (label "my-root") (file-system "ext4"))\n' + ROOT + " ; HERE",
     ['partition label "my-root" is used twice', "first given here"]),
    ("two boot partitions", "   (partition (size 1048576) (label \"a\") (file-system \"ext4\") (flags '(boot)))\n"
                            + ROOT + " ; HERE",
     ["two partitions have the 'boot' flag"]),
]


@pytest.mark.parametrize("name, partitions, fragments", IMAGE_ROWS, ids=[r[0] for r in IMAGE_ROWS])
def test_partition_field_is_refused_at_the_field(tmp_path, name, partitions, fragments):
    text = image_text(partitions)
    config, out = dry_run(tmp_path, text)
    assert_located(out, config, marked_line(text), *fragments)


def test_os_without_root_file_system_is_accepted(tmp_path):
    """Guix 1.5 builds an image of an OS that declares no "/" (the image's root partition
    becomes "/"): no error, as there."""
    _, out = dry_run(tmp_path, os_text(file_systems="%base-file-systems"))
    assert out.returncode == 0, out.stderr[-2000:]


def test_valid_image_still_lowers(tmp_path):
    text = image_text('   (partition (size 1048576) (offset 1048576) (label "data") (file-system "ext4")'
                      ' (uuid (uuid "1234abcd-0000-4000-8000-000000000000")))\n' + ROOT)
    _, out = dry_run(tmp_path, text)
    assert out.returncode == 0, out.stderr[-2000:]


# 5. --label from the command line: named as the option, never located in bundled files.
LABEL_ROWS = [
    ("newline", "x\ny", "qcow2", ["--label", 'label "x\\ny" contains a newline']),
    ("too long for the ESP", "LONGER-THAN-ELEVEN", "qcow2", ["--label", "longer than 11 characters"]),
    ("too long for ext4", "x" * 17, "mbr-raw", ["--label", "longer than 16 bytes"]),
]


@pytest.mark.parametrize("name, label, image_type, fragments", LABEL_ROWS, ids=[r[0] for r in LABEL_ROWS])
def test_label_option(name, label, image_type, fragments):
    out = run_pyguix("system", "image", "--dry-run", "-t", image_type, "--label", label,
                     str(REPO / "samples/server.scm"))
    assert_clean_error(out, *fragments)
    assert ".scm:" not in out.stderr, out.stderr


# 2. what reaches grub.cfg: each argument stays one GRUB word of the linux line.

def grub_commands(text: str) -> list[list[str]]:
    """GRUB's lexer, enough for grub.cfg: words split on blanks, commands on newlines and ';',
    single quotes literal, double quotes with \\ escapes, backslash outside quotes."""
    commands, words, word, i, quoted = [], [], "", 0, False
    while i < len(text):
        c = text[i]
        if c == "'":
            end = text.index("'", i + 1)
            word, quoted, i = word + text[i + 1:end], True, end + 1
            continue
        if c == '"':
            i += 1
            while text[i] != '"':
                if text[i] == "\\" and text[i + 1] in '\\"$\n':
                    i += 1
                word, i = word + text[i], i + 1
            quoted, i = True, i + 1
            continue
        if c == "\\":
            word, quoted, i = word + text[i + 1], True, i + 2
            continue
        if c == "#" and not word and not quoted:
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
            continue
        if c in " \t\n;":
            if word or quoted:
                words.append(word)
            word, quoted = "", False
            if c in "\n;" and words:
                commands.append(words)
                words = []
            i += 1
            continue
        word, i = word + c, i + 1
    if word or quoted:
        words.append(word)
    if words:
        commands.append(words)
    return commands


HOSTILE_ARGUMENTS = ["x ;reboot", "a'b", "$root", "}", "menuentry \"pwn\" {", "quiet", "console=ttyS0,115200",
                     'dyndbg="file a.c +p"', "a\\b", "#c"]


def lowered_os(tmp_path: Path, text: str):
    """The OsPlan of the operating-system TEXT, lowered in this process."""
    from builders import cli
    from builders.lowering.lower import lower_image
    from schemeconf.interpreter import run_deep

    config = tmp_path / "config.scm"
    config.write_text(text)
    interp = cli._interpreter([])
    value = interp.load_file(config)
    image, type_name = run_deep(lambda: cli._image_from_value(interp, value, "mbr-raw", str(config)))
    return run_deep(lambda: lower_image(image, type_name)).os


def test_grub_cfg_keeps_each_argument_one_word(tmp_path):
    from builders.boot.bootloaders.extlinux import extlinux_conf
    from builders.boot.bootloaders.grubcfg import grub_cfg

    arguments = "(list " + " ".join('"' + a.replace("\\", "\\\\").replace('"', '\\"') + '"'
                                    for a in HOSTILE_ARGUMENTS) + ")"
    plan = lowered_os(tmp_path, os_text(kernel_arguments=arguments))
    assert plan.kernel_arguments == tuple(HOSTILE_ARGUMENTS)
    cfg = grub_cfg(plan, root_uuid="1234abcd-0000-4000-8000-000000000000", kernel_path="/boot/vmlinuz",
                   initrd_path="/boot/initrd.gz")
    commands = grub_commands(cfg)
    assert [c[:2] for c in commands if c[0] == "menuentry"] == [["menuentry", plan.label],
                                                                ["menuentry", "Firmware setup"]]
    entry = commands[[c[0] for c in commands].index("menuentry") + 1:]
    assert [c[0] for c in entry[:4]] == ["search", "linux", "initrd", "}"]
    assert entry[1][-len(HOSTILE_ARGUMENTS):] == HOSTILE_ARGUMENTS
    assert not any(c[0] == "reboot" for c in commands)
    text = extlinux_conf(plan, "/boot/Image", "/boot/initrd.gz", root_uuid="1234abcd-0000-4000-8000-000000000000")
    append = [line for line in text.splitlines() if line.startswith("  APPEND ")]
    assert len(append) == 1 and append[0].endswith(" ".join(HOSTILE_ARGUMENTS))


@pytest.mark.parametrize("text, word", [("quiet", "quiet"), ("x ;reboot", "'x ;reboot'"), ("a'b", "'a'\\''b'"),
                                        ("$x", "'$x'"), ("", "''")])
def test_grub_word(text, word):
    assert grub_word(text) == word
    assert grub_commands("linux " + word) == [["linux", text]]


@pytest.mark.parametrize("field, escaped", [("/mnt/my disk", "/mnt/my\\040disk"), ("a\tb", "a\\011b"),
                                            ("a\nb", "a\\012b"), ("a\\b", "a\\134b"), ("LABEL=x", "LABEL=x")])
def test_fstab_escape(field, escaped):
    assert fstab_escape(field) == escaped


def test_console_argument_that_is_no_device_gets_no_getty(tmp_path):
    from dataclasses import replace

    from builders.plan import ServicePlan
    from builders.system.gettys import inittab

    plan = replace(lowered_os(tmp_path, os_text()), kernel_arguments=("console=ttyS0:x,115200",),
                   services=(ServicePlan("agetty", {"tty": False}),))
    problems: list[str] = []
    assert "ttyS0:x" not in inittab(plan, problems)
    assert problems == ["agetty (console=ttyS0:x)"]


def test_fstab_spaces_stay_in_one_field(tmp_path):
    from builders.system.rootfs import fstab

    plan = lowered_os(tmp_path, os_text(file_systems=(
        '(list (file-system (device (file-system-label "my-root")) (mount-point "/") (type "ext4"))\n'
        '  (file-system (device (file-system-label "my data")) (mount-point "/srv/my data") (type "ext4")\n'
        '   (options "user_xattr")))')))
    lines = fstab(plan, None).splitlines()
    assert lines[-1].split("\t") == ["LABEL=my\\040data", "/srv/my\\040data", "ext4", "user_xattr", "0", "2"]


# 6. SOURCE_DATE_EPOCH: a clear BuildError naming it and the range, never struct.error.
EPOCH_ROWS = [
    (1, None, None),
    (4294967295, None, None),
    (99999999999, None, "FAT"),
    (-1, None, "FAT"),
    (4294967296, None, "cpio"),          # past 2106: the initrd's cpio mtimes cannot hold it
    (999999999999, ["ISO 9660"], "ISO 9660"),
    (253402300799, ["ISO 9660"], None),
    (4354819198, ["FAT"], None),
]


@pytest.mark.parametrize("value, writers, failing", EPOCH_ROWS)
def test_check_epoch(value, writers, failing):
    if failing is None:
        assert check_epoch(value, writers) == value
        return
    with pytest.raises(BuildError) as err:
        check_epoch(value, writers)
    text = str(err.value)
    assert f"SOURCE_DATE_EPOCH={value}" in text and failing in text
    assert re.search(r"between -?\d+ and \d+", text)
    assert set(writers or EPOCH_RANGES) <= set(EPOCH_RANGES)
