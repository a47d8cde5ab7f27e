"""(crypt PASSWORD SALT): our SHA-crypt gives glibc's hashes."""

import pytest

from builders.system.sha_crypt import sha_crypt

# (password, setting, hash) — expected values computed with glibc's crypt(3).
VECTORS = [
    ("alice", "$6$abc",
     "$6$abc$PSCnDzJvX3TdJuKnLrLVtypBN0E60eEcik2dkLQZWWdcfyjubLYcKSSreSsluNsg1ecLSPpdnCS/jNWMorrf2."),
    ("", "$6$saltsalt",
     "$6$saltsalt$qkTgsCrWMTAS9gBGcf9W60sFfH.hU0oTCAOJjhbz5tSp/sU3/xXZK4OFwCtq8lIIdpJ6CatVdOTSHKp97TPkt/"),
    ("a much longer password with spaces and ünï", "$6$rounds=7000$abcdefghijklmnopqrst",
     "$6$rounds=7000$abcdefghijklmnop$n2oo1s0a1EWwYSLMJ1zoovIJt4dVp7hdrH.T5lCnUuI43mu1hrl5NSAkc2nwbp4gXL41LL5zYo1xra/SkbSRx."),
    ("x", "$5$xyz", "$5$xyz$Tr9Oc2p.CRFCneaFn5BLZfTxn8XcmsDHqMBvy.as.P4"),
    ("hello world", "$5$rounds=1000$salty", "$5$rounds=1000$salty$5idW9nbleNxMvkfzQCxl0PVuaPDc1wXVRzOxe/Hf7oC"),
]


@pytest.mark.parametrize("password,setting,expected", VECTORS)
def test_matches_glibc(password, setting, expected):
    assert sha_crypt(password, setting) == expected


@pytest.mark.parametrize("setting", ["abc", "$1$abc", "$2b$abc"])
def test_unsupported_settings_are_refused(setting):
    with pytest.raises(ValueError, match="unsupported crypt setting"):
        sha_crypt("pw", setting)


def test_crypt_password_reaches_etc_shadow():
    from pathlib import Path

    from builders.lowering.lower import lower_image
    from schemeconf.interpreter import Interpreter

    src = Path(__file__).parent / "configs" / "swap-and-crypt.scm"
    interp = Interpreter()
    os_rec = interp.load_file(src)
    image = interp.eval_string("(use-modules (gnu system image)) (lambda (os) (image-with-os mbr-disk-image os))")
    from schemeconf.evaluator import apply_procedure
    from schemeconf.interpreter import run_deep

    plan = run_deep(lambda: lower_image(apply_procedure(image, [os_rec])))
    hashed = [u.password for u in plan.os.users if u.password and u.password.startswith("$6$")]
    assert hashed and all(len(h.split("$")[-1]) == 86 for h in hashed)
