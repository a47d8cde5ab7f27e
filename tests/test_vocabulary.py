"""The closed vocabulary: Guix 1.5's modules bind exactly what they export
(schemeconf/lib/vocabulary-1.5.json.gz, made by scripts/gen_vocabulary.py),
and a misspelt name is an unbound variable with a hint, at its line and column."""

from __future__ import annotations

import pytest

from schemeconf.errors import UnboundVariable
from schemeconf.interpreter import Interpreter, run_deep
from schemeconf.printer import write_string
from schemeconf.vocabulary import INDEX, OLD_INDEX


def evaluate(text: str):
    interp = Interpreter()
    warnings: list[str] = []
    interp.loader.warning_sink = warnings.append
    value = run_deep(lambda: interp.eval_string(text, "config.scm"))
    return value, warnings


def unbound(text: str) -> UnboundVariable:
    with pytest.raises(UnboundVariable) as info:
        evaluate(text)
    return info.value


# (config, name, line, column, a fragment of the hint)
MISSPELT = [
    ("(use-package-modules ssh)\n(list opensh)", "opensh", 2, 7, "did you mean 'openssh'"),
    ("(use-modules (gnu))\n(use-package-modules linux)\n(list linux-libre-arm64-generik)",
     "linux-libre-arm64-generik", 3, 7, "'linux-libre-arm64-generic'"),
    ("(use-service-modules networking)\n(service dhcpcd-servce-type)", "dhcpcd-servce-type", 2, 10,
     "did you mean 'dhcpcd-service-type'"),
    ("(use-service-modules ssh)\n  (service openssh-service)", "openssh-service", 2, 12, "openssh-service-type"),
    ("(use-modules (gnu bootloader u-boot))\n(list u-boot-pine64-lts-bootloadr)", "u-boot-pine64-lts-bootloadr",
     2, 7, "did you mean 'u-boot-pine64-lts-bootloader'"),
    ("(use-modules (gnu))\ngrub-efi-bootloder", "grub-efi-bootloder", 2, 1, "did you mean 'grub-efi-bootloader'"),
    ("(use-modules (gnu system image))\n(list efi-disk-imag)", "efi-disk-imag", 2, 7, "did you mean 'efi-disk-image'"),
    ("(use-modules (gnu system images pine64))\npine64-image-typ", "pine64-image-typ", 2, 1,
     "did you mean 'pine64-image-type'"),
    # A package of a module that is not imported: which module has it.
    ("(use-modules (gnu))\n(list openssh)", "openssh", 2, 7, "add it with (use-package-modules ssh)"),
    # Guile's core has no remove: (srfi srfi-1) does, as in Guix.
    ("(use-modules (gnu))\n(remove even? '(1 2 3))", "remove", 2, 2, "(use-modules (srfi srfi-1))"),
    # A name only an older Guix had.
    ("(use-modules (gnu))\n(list guix-publish-service)", "guix-publish-service", 2, 7, "existed in Guix 1.2"),
    # Inside (cut ...): at the name itself, as Guile says.
    ("(use-modules (gnu) (srfi srfi-26))\n((cut list <> opensh) 1)", "opensh", 2, 15, "did you mean 'openssh'"),
]


@pytest.mark.parametrize("text,name,line,col,hint", MISSPELT, ids=[m[1] for m in MISSPELT])
def test_misspelt_name_is_unbound_with_hint(text, name, line, col, hint):
    err = unbound(text)
    assert err.message == f"unbound variable: {name}"
    assert (err.span.line, err.span.col) == (line, col)
    assert hint in (err.hint or ""), err.hint


def test_remove_works_with_srfi_1():
    value, _ = evaluate("(use-modules (gnu) (srfi srfi-1))\n(remove even? '(1 2 3))")
    assert write_string(value) == "(1 3)"


def test_packages_have_guix_names_and_versions():
    value, _ = evaluate("(use-modules (guix packages))\n(use-package-modules base ssh)\n"
                        "(map (lambda (p) (list (package-name p) (package-version p))) (list hello openssh-sans-x))")
    expected = [INDEX.exports(("gnu", "packages", m))[v] for m, v in (("base", "hello"), ("ssh", "openssh-sans-x"))]
    assert write_string(value) == "(" + " ".join(f'("{e[1]}" "{e[2]}")' for e in expected) + ")"


def test_gnu_binds_what_guix_gnu_binds():
    # pyguix's own helpers are not visible to a configuration...
    err = unbound("(use-modules (gnu))\nopaque-service-type")
    assert err.name == "opaque-service-type"
    # ... and every name Guix's (gnu) exports is bound.
    names = " ".join(n for n, d in sorted(INDEX.exports(("gnu",)).items()) if d[0] not in ("syntax", "procedure"))
    value, _ = evaluate(f"(use-modules (gnu))\n(length (list {names}))")
    assert value == len(names.split())


def test_every_guix_service_type_is_a_service_type():
    value, _ = evaluate("(use-service-modules mail databases)\n"
                        "(map service-type-name (list dovecot-service-type postgresql-service-type))")
    assert write_string(value) == "(dovecot postgresql)"
    value, _ = evaluate("(use-service-modules mail)\n"
                        "(service-kind (service dovecot-service-type (dovecot-configuration (protocols '()))))")
    assert write_string(value).startswith("#<<service-type> name: dovecot")


def test_unknown_package_module_is_an_error():
    from schemeconf.errors import ModuleError

    with pytest.raises(ModuleError):
        evaluate("(use-package-modules no-such-family)")


def test_index_records_guix_versions():
    assert INDEX.guix_version == "1.5.0"
    assert OLD_INDEX.guix_version == "1.2.0"
    assert INDEX.exports(("gnu", "packages", "nss"))["nss-certs"][0] == "package"
    assert INDEX.deprecated(("gnu", "system", "image"))["esp-partition"] == "esp-partition/grub"


# --- what Guix 1.5 says, where configurations of others found differences (corpus (b)) -----


def test_base_packages_have_guix_package_names():
    value, _ = evaluate("(use-modules (gnu) (guix packages))\n(map package-name %base-packages)")
    names = write_string(value)
    for name in ('"util-linux-with-udev"', '"iproute2"', '"guile"', '"nss-certs"'):
        assert name in names
    assert "util-linux+udev" not in names and '"iproute"' not in names


def test_base_firmware_and_initrd_modules_are_guix_1_5s():
    value, _ = evaluate("(use-modules (gnu) (guix packages))\n"
                        "(list (map package-name %base-firmware) %base-initrd-modules)")
    text = write_string(value)
    assert '("ath9k-htc-ar7010-firmware" "ath9k-htc-ar9271-firmware" "openfwwf-firmware")' in text
    assert '"hid-apple" "mmc_block" "dm-crypt"' in text and text.endswith('"virtio_mmio" "virtio_scsi"))')


def test_root_file_system_is_needed_for_boot():
    value, _ = evaluate(
        "(use-modules (gnu))\n"
        "(map file-system-needed-for-boot?\n"
        "  (list (file-system (device \"/dev/sda1\") (mount-point \"/\") (type \"ext4\"))\n"
        "        (file-system (device \"/dev/sda2\") (mount-point \"/home\") (type \"ext4\"))\n"
        "        %immutable-store))")
    assert write_string(value) == "(#t #f #f)"
    value, _ = evaluate("(use-modules (gnu))\n"
                        "(length (filter (file-system-mount-point-predicate \"/dev/pts\") %base-file-systems))")
    assert value == 1


def test_user_shells_are_file_appends():
    value, _ = evaluate("(use-modules (gnu))\n"
                        "(list (user-account-shell (user-account (name \"a\") (group \"users\")))\n"
                        "      (user-account-shell (car %base-user-accounts)))")
    assert write_string(value) == "(#<file-append bash/bin/bash> #<file-append shadow/sbin/nologin>)"


def test_gnome_desktop_service_is_unbound_when_called():
    """Guix 1.5 exports gnome-desktop-service but no longer defines it: the call fails when it runs."""
    evaluate("(use-modules (gnu))\n(use-service-modules desktop)\n(lambda () (gnome-desktop-service))")  # compiles
    err = unbound("(use-modules (gnu))\n(use-service-modules desktop)\n(gnome-desktop-service)")
    assert err.name == "gnome-desktop-service" and "gnome-desktop-service-type" in (err.hint or "")


def test_own_package_is_an_inert_package():
    value, _ = evaluate(
        "(use-modules (gnu) (guix packages) (guix download) (guix build-system gnu) ((guix licenses) #:prefix l:))\n"
        "(define p (package (name \"hello-local\") (version \"2.12\")\n"
        "  (source (origin (method url-fetch) (uri \"mirror://gnu/hello.tar.gz\") (sha256 (base32 \"0\"))))\n"
        "  (build-system gnu-build-system) (synopsis \"s\") (description \"d\") (home-page \"h\")\n"
        "  (license (l:fsdg-compatible \"x\"))))\n"
        "(list (package? p) (package-name p) (package-version p)\n"
        "      (package-name (package (inherit p) (name \"other\"))))")
    assert write_string(value) == '(#t "hello-local" "2.12" "other")'


def test_efi_bootloader_chain_and_fail2ban_jail_service():
    value, _ = evaluate(
        "(use-modules (gnu))\n(use-package-modules raspberry-pi)\n(use-service-modules ssh security)\n"
        "(list (bootloader-name grub-efi-bootloader-chain-raspi-64)\n"
        "      (service-type-name (fail2ban-jail-service openssh-service-type\n"
        "                           (fail2ban-jail-configuration (name \"sshd\")))))")
    assert write_string(value) == "(efi-bootloader-chain openssh)"


def test_match_and_pattern_with_a_dotted_tail_is_a_list_pattern():
    """As in Guile's match: (and p . rest) is no `and` pattern (devel-hurd.tmpl has one)."""
    value, _ = evaluate("(use-modules (ice-9 match))\n"
                        "(match '(\"label\" (1 2 \"out\")) ((label (and (? number?) n . output)) (list n output)))")
    assert write_string(value) == '("out" ())'  # `and` bound to 1, (? number?) 2, n "out"


def test_current_source_location_and_file_exists():
    value, _ = evaluate("(list (assq-ref (current-source-location) 'line) (file-exists? \"/nonexistent/x\"))")
    assert write_string(value) == "(0 #f)"


def test_package_inputs_as_guix_has_them():
    # scripts/gen_vocabulary.py records the packages' inputs (lib/package-inputs-1.5.json.gz):
    # (LABEL PACKAGE [OUTPUT]) lists, native-inputs then inputs then propagated-inputs.
    value, _ = evaluate("(use-modules (gnu) (guix packages))\n(use-package-modules guile version-control)\n"
                        "(list (map car (package-propagated-inputs guile-git))\n"
                        "      (package-name (cadr (assoc \"curl\" (package-inputs git))))\n"
                        "      (length (package-direct-inputs git))\n"
                        "      (+ (length (package-native-inputs git)) (length (package-inputs git))\n"
                        "         (length (package-propagated-inputs git)))\n"
                        "      (package? (cadr (car (package-direct-inputs (specification->package \"git\"))))))")
    propagated, curl, direct, total, is_package = [value.car, value.cdr.car, value.cdr.cdr.car,
                                                   value.cdr.cdr.cdr.car, value.cdr.cdr.cdr.cdr.car]
    assert write_string(propagated) == '("guile-bytestructures")'
    assert curl == "curl"
    assert direct == total > 10
    assert is_package is True
