"""Hostile packages: every .deb, like every config, is untrusted input.

Each case is a row: crafted .debs (built here with Python: ar + tar members)
and the exact outcome, a refusal naming the .deb and why, or a tree that
keeps its tricks as data, with the canaries around the work area unchanged.
"""

from __future__ import annotations

import io
import json
import lzma
import os
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from builders.errors import BuildError
from builders.substitutes import (
    DebError,
    DirectoryProvider,
    check_substitutes_dir,
    default_provider,
    package_tree,
    realize,
)
from builders.substitutes.provider import LISTING_SUFFIX, collect_orphans, stat_digest, tree_listing
from builders.tree import Tree
from tests.helpers import REPO, assert_clean_error, run_pyguix

MTIME = 1_700_000_000
CI_CACHE = Path("/var/cache/pyguix-ci")

# -- crafting .debs ---------------------------------------------------------------------

_TYPES = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE,
          "chr": tarfile.CHRTYPE, "blk": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}


def _tar(entries: list[tuple]) -> bytes:
    """ENTRIES: (name, kind, payload, mode); payload is a file's content or a link's target."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, kind, payload, mode in entries:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime = _TYPES[kind], mode, MTIME
            data = payload.encode() if kind == "file" else b""
            if kind in ("sym", "hard"):
                info.linkname = payload
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data else None)
    return buf.getvalue()


def _ar(members: list[tuple[str, bytes]]) -> bytes:
    out = bytearray(b"!<arch>\n")
    for name, data in members:
        out += f"{name + '/':<16}{MTIME:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n".encode()
        out += data + (b"\n" if len(data) % 2 else b"")
    return bytes(out)


def make_deb(path: Path, package: str, entries: list[tuple], arch: str = "amd64") -> Path:
    control = f"Package: {package}\nVersion: 1.0\nArchitecture: {arch}\nDescription: crafted\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_ar([
        ("debian-binary", b"2.0\n"),
        ("control.tar.xz", lzma.compress(_tar([("./control", "file", control, 0o644)]))),
        ("data.tar.xz", lzma.compress(_tar(entries))),
    ]))
    return path


def _fill(value, canaries):
    """A row's payload with {host}, {secret}, {dir}, {shadow} naming the canaries."""
    if not isinstance(value, str):
        return value
    return value.format(host=canaries.root, secret=canaries.file, dir=canaries.directory,
                        shadow=canaries.root / "shadow")


def _realize_crafted(tmp_path: Path, canaries, packages: list[list[tuple]]) -> tuple[Path, Path]:
    """Realize the crafted PACKAGES (merged, in order) from a directory; (tree, cache)."""
    debs, cache = tmp_path / "debs", tmp_path / "cache"
    for i, entries in enumerate(packages):
        make_deb(debs / f"pkg{i}.deb", f"pkg{i}", [tuple(_fill(v, canaries) for v in e) for e in entries])
    return realize(DirectoryProvider(debs), [f"pkg{i}" for i in range(len(packages))], "amd64", cache=cache), cache


def _leftovers(cache: Path) -> list[str]:
    base = cache / "extracted"
    return sorted(p.name for p in base.iterdir() if p.name.startswith(".")) if base.is_dir() else []


# -- 1. extraction never reaches outside its directory ------------------------------------

REFUSED = [
    ("dotdot", [[("../evil", "file", "x", 0o644)]], "'..'"),
    ("absolute name", [[("/evil", "file", "x", 0o644)]], "absolute member name"),
    ("link then a file through it", [[("./etc", "sym", "{host}", 0o777), ("./etc/evil", "file", "x", 0o644)]],
     "through the symbolic link"),
    ("link in one package, file through it in the next",
     [[("./etc", "sym", "{dir}", 0o777)], [("./etc/inside", "file", "x", 0o644)]], "through the symbolic link"),
    ("relative link up, then through it", [[("./up", "sym", "../..", 0o777), ("./up/x", "file", "x", 0o644)]],
     "through the symbolic link"),
    ("hard link to an absolute path", [[("./h", "hard", "{secret}", 0o644)]], "absolute member name"),
    ("hard link with ..", [[("./h", "hard", "../../secret", 0o644)]], "'..'"),
    ("hard link to a link to the host", [[("./s", "sym", "{secret}", 0o777), ("./h", "hard", "./s", 0o644)]],
     "non-regular"),
    ("hard link through a linked directory", [[("./l", "sym", "{host}", 0o777), ("./h", "hard", "./l/secret", 0o644)]],
     "through the symbolic link"),
    ("hard link to a directory", [[("./d/", "dir", None, 0o755), ("./h", "hard", "./d", 0o644)]], "non-regular"),
    ("character device", [[("./dev/", "dir", None, 0o755), ("./dev/sda", "chr", None, 0o666)]], "character device"),
    ("block device", [[("./disk", "blk", None, 0o666)]], "block device"),
    ("FIFO", [[("./fifo", "fifo", None, 0o666)]], "FIFO"),
    ("name too long", [[("./" + "a" * 300, "file", "x", 0o644)]], "cannot extract member"),
]


@pytest.mark.parametrize("packages,fragment", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_unsafe_members_are_refused(tmp_path, canaries, packages, fragment):
    with pytest.raises(DebError) as info:
        _realize_crafted(tmp_path, canaries, packages)
    message = str(info.value)
    assert fragment in message and str(tmp_path / "debs") in message, message  # names the .deb and why
    assert "is refused" in (info.value.hint or "")
    assert _leftovers(tmp_path / "cache") == []
    assert not (tmp_path / "evil").exists()
    canaries.check()


# (rel, "link" target | "file" content | "mode" bits | "dir" mode) the tree must show.
ACCEPTED = [
    ("link replaced by a file", [[("./secret", "sym", "{secret}", 0o777), ("./secret", "file", "pkg", 0o644)]],
     [("secret", "file", "pkg")]),
    ("link replaced by a directory",
     [[("./d", "sym", "{dir}", 0o777), ("./d/", "dir", None, 0o700), ("./d/inside", "file", "pkg", 0o644)]],
     [("d", "dir", 0o700), ("d/inside", "file", "pkg")]),
    ("directory replaced by a link to the host (its mode is set last)",
     [[("./d/", "dir", None, 0o700), ("./d", "sym", "{dir}", 0o777)]], [("d", "link", "{dir}")]),
    ("parent replaced by a link to the host",
     [[("./a/", "dir", None, 0o755), ("./a/dir/", "dir", None, 0o700), ("./a", "sym", "{host}", 0o777)]],
     [("a", "link", "{host}")]),
    ("directory of one package replaced by a link in the next",
     [[("./d/", "dir", None, 0o711)], [("./d", "sym", "{dir}", 0o777)]], [("d", "link", "{dir}")]),
    ("set-id bits dropped",
     [[("./bin/su", "file", "x", 0o4755), ("./bin/sg", "file", "y", 0o2711), ("./mail/", "dir", None, 0o2775),
       ("./bin/su-hard", "hard", "./bin/su", 0o4755)]],
     [("bin/su", "mode", 0o755), ("bin/sg", "mode", 0o711), ("mail", "dir", 0o775), ("bin/su-hard", "mode", 0o755)]),
    ("absolute link kept as data", [[("./usr/share/zoneinfo/Europe/Berlin", "sym", "{shadow}", 0o777)]],
     [("usr/share/zoneinfo/Europe/Berlin", "link", "{shadow}")]),
    ("link leaving the package kept as data", [[("./x", "sym", "../../../../etc/shadow", 0o777)]],
     [("x", "link", "../../../../etc/shadow")]),
]


@pytest.mark.parametrize("packages,expected", [r[1:] for r in ACCEPTED], ids=[r[0] for r in ACCEPTED])
def test_tricks_stay_inside_the_tree(tmp_path, canaries, packages, expected):
    tree, cache = _realize_crafted(tmp_path, canaries, packages)
    for rel, kind, value in expected:
        path = tree / rel
        st = os.lstat(path)
        if kind == "link":
            assert os.readlink(path) == _fill(value, canaries)
        elif kind == "file":
            assert stat.S_ISREG(st.st_mode) and path.read_text() == value
        else:
            assert stat.S_ISDIR(st.st_mode) == (kind == "dir") and stat.S_IMODE(st.st_mode) == value
    assert not any(stat.S_IMODE(os.lstat(p).st_mode) & 0o6000 for p in tree.rglob("*"))
    assert _leftovers(cache) == []
    canaries.check()


# -- 2. cached trees are verified on reuse --------------------------------------------------

TZ = [("./usr/share/zoneinfo/Europe/", "dir", None, 0o755),
      ("./usr/share/zoneinfo/Europe/Berlin", "file", "TZif-berlin", 0o644),
      ("./usr/share/zoneinfo/Europe/Paris", "sym", "Berlin", 0o777)]
BERLIN = "usr/share/zoneinfo/Europe/Berlin"
PARIS = "usr/share/zoneinfo/Europe/Paris"


def _flip_byte(tree: Path) -> None:
    path = tree / BERLIN
    st = path.stat()
    with open(path, "r+b") as f:
        f.write(b"X")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime


TAMPER = [
    ("a byte changed (size and mtime kept)", _flip_byte, "changed"),
    ("mode changed", lambda t: os.chmod(t / BERLIN, 0o4777), "changed"),
    ("file replaced by a link to the host", lambda t: (os.unlink(t / BERLIN), os.symlink("/etc/shadow", t / BERLIN)),
     "changed"),
    ("link retargeted", lambda t: (os.unlink(t / PARIS), os.symlink("/etc/shadow", t / PARIS)), "changed"),
    ("file removed", lambda t: os.unlink(t / BERLIN), "missing"),
    ("file added", lambda t: (t / "etc").mkdir(), "was added"),
    ("extraction record lost", lambda t: os.unlink(t.with_name(t.name + LISTING_SUFFIX)), "no record"),
]


@pytest.mark.parametrize("tamper,fragment", [r[1:] for r in TAMPER], ids=[r[0] for r in TAMPER])
def test_modified_cached_tree_is_extracted_again(tmp_path, canaries, caplog, tamper, fragment):
    tree, cache = _realize_crafted(tmp_path, canaries, [TZ])
    original = tree_listing(tree)
    tamper(tree)
    with caplog.at_level("WARNING"):
        again = realize(DirectoryProvider(tmp_path / "debs"), ["pkg0"], "amd64", cache=cache)
    assert again == tree and tree_listing(tree) == original
    assert (tree / BERLIN).read_text() == "TZif-berlin"
    assert any("was modified" in r.message and fragment in r.message for r in caplog.records), caplog.text
    assert _leftovers(cache) == []
    canaries.check()


@pytest.mark.parametrize("move", [False, True], ids=["untouched", "copied back and forth (a restored CI cache)"])
def test_intact_cached_tree_is_reused(tmp_path, canaries, caplog, move):
    tree, cache = _realize_crafted(tmp_path, canaries, [TZ])
    if move:  # new inodes and ctimes, same content: checked by content, then by stat again
        shutil.copytree(tree, tmp_path / "copy", symlinks=True)
        shutil.rmtree(tree)
        shutil.copytree(tmp_path / "copy", tree, symlinks=True)
    record = json.loads(tree.with_name(tree.name + LISTING_SUFFIX).read_text())
    assert (record["stat"] == stat_digest(tree)) != move
    inode = (tree / BERLIN).stat().st_ino
    with caplog.at_level("WARNING"):
        assert realize(DirectoryProvider(tmp_path / "debs"), ["pkg0"], "amd64", cache=cache) == tree
    assert (tree / BERLIN).stat().st_ino == inode and not caplog.records  # reused, not extracted again
    record = json.loads(tree.with_name(tree.name + LISTING_SUFFIX).read_text())
    assert record["stat"] == stat_digest(tree) and record["entries"] == tree_listing(tree)


# -- 3. killed runs leave nothing behind for long -------------------------------------------

KEY = "0123456789abcdef0123456789abcdef"
_HOLD = ("import fcntl, os, sys, time\nfd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(120)\n")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


ORPHANS = [
    # (directory name under extracted/, whose pid, locked by a live process, removed)
    ("pid gone, no lock", ".{key}.{dead}.abc123", False, True),
    ("old name without a pid, no lock", ".{key}.k3j_x9a1", False, True),
    ("stale tree being discarded by a dead run", ".{key}.{dead}.stale-0a1b2c3d", False, True),
    ("pid alive", ".{key}.{live}.abc123", False, False),
    ("pid unknown here but locked (another pid namespace)", ".{key}.{dead}.abc123", True, False),
    ("a finished tree", "{key}", False, False),
]


@pytest.mark.parametrize("template,locked,removed", [r[1:] for r in ORPHANS], ids=[r[0] for r in ORPHANS])
def test_orphaned_extraction_dirs_are_collected(tmp_path, template, locked, removed):
    base = tmp_path / "extracted"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        d = base / template.format(key=KEY, dead=_dead_pid(), live=holder.pid)
        (d / "usr/lib").mkdir(parents=True)
        (d / "usr/lib/big").write_bytes(b"x" * 4096)
        os.chmod(d / "usr/lib", 0o555)  # a read-only directory, as packages have
        locker = None
        if locked:
            locker = subprocess.Popen([sys.executable, "-c", _HOLD, str(d)], stdout=subprocess.PIPE, text=True)
            assert locker.stdout.readline() == "held\n"
        assert collect_orphans(base) == ([d] if removed else [])
        assert d.exists() != removed
    finally:
        holder.kill()
        if locked:
            locker.kill()


_KILLED_RUN = """
import sys, time
from pathlib import Path
from builders.substitutes import DirectoryProvider, deb, realize
real = deb.extract
def slow(path, target, **kw):
    real(path, target, **kw)
    print("extracting", flush=True)
    time.sleep(120)
deb.extract = slow
realize(DirectoryProvider(sys.argv[1]), ["pkg0"], "amd64", cache=Path(sys.argv[2]))
"""


@pytest.mark.parametrize("signum,code,left_behind", [
    (signal.SIGTERM, 128 + signal.SIGTERM, False),  # cleans up on the way out, as SIGINT does
    (signal.SIGINT, -signal.SIGINT, False),
    (signal.SIGKILL, -signal.SIGKILL, True),  # cannot clean up: the next run does
])
def test_killed_extraction(tmp_path, canaries, signum, code, left_behind):
    debs, cache = tmp_path / "debs", tmp_path / "cache"
    make_deb(debs / "pkg0.deb", "pkg0", TZ)
    run = subprocess.Popen([sys.executable, "-c", _KILLED_RUN, str(debs), str(cache)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert run.stdout.readline() == "extracting\n", run.stderr.read()
    run.send_signal(signum)
    assert run.wait(timeout=60) == code
    assert "Traceback" not in run.stderr.read() or signum == signal.SIGINT
    leftovers = _leftovers(cache)
    assert bool(leftovers) == left_behind and all(n.startswith(".") for n in leftovers)
    tree = realize(DirectoryProvider(debs), ["pkg0"], "amd64", cache=cache)  # the next run
    assert (tree / BERLIN).read_text() == "TZif-berlin"
    assert _leftovers(cache) == []
    canaries.check()


# -- 4. --substitutes must name a directory of .debs ----------------------------------------

SUBSTITUTES_DIRS = [
    ("missing", lambda d: d / "nonexistent", "no such directory"),
    ("a regular file", lambda d: (d / "file.deb").write_text("x") and d / "file.deb", "not a directory"),
    ("an empty folder", lambda d: (d / "empty").mkdir() or d / "empty", "the directory holds no .deb file"),
    ("no .deb in it", lambda d: (d / "f").mkdir() or (d / "f/notes.txt").write_text("x") and d / "f",
     "the directory holds no .deb file"),
    ("only a dangling .deb link", lambda d: (d / "g").mkdir() or os.symlink("/nonexistent.deb", d / "g/x.deb")
     or d / "g", "the directory holds no .deb file"),
]


@pytest.mark.parametrize("make,fragment", [r[1:] for r in SUBSTITUTES_DIRS], ids=[r[0] for r in SUBSTITUTES_DIRS])
def test_bad_substitutes_directory_is_an_error(tmp_path, make, fragment):
    path = make(tmp_path)
    for check in (check_substitutes_dir, default_provider):
        with pytest.raises(BuildError) as info:
            check(path)
        assert str(info.value).startswith(f"--substitutes {path}: {fragment}")
        assert "directory holding .deb files" in info.value.hint
    out = run_pyguix("system", "image", "--substitutes", str(path), "-t", "mbr-raw",
                     "-o", str(tmp_path / "x.img"), "samples/server.scm",
                     env={"PYGUIX_SUBSTITUTE_CACHE": str(tmp_path / "cache")})
    assert_clean_error(out, f"--substitutes {path}: {fragment}")
    assert not (tmp_path / "x.img").exists()


def test_good_substitutes_directory(tmp_path):
    make_deb(tmp_path / "debs/sub/pkg0.deb", "pkg0", TZ)
    assert check_substitutes_dir(tmp_path / "debs") == tmp_path / "debs"


# -- 5. a refused package is an error naming the .deb and why --------------------------------

EVIL_TZDATA = [
    ("absolute member", [("/etc/localtime", "file", "evil", 0o644)], "absolute member name '/etc/localtime'"),
    ("device node", [("./usr/share/zoneinfo/", "dir", None, 0o755), ("./usr/share/zoneinfo/mem", "chr", None, 0o666)],
     "character device member 'usr/share/zoneinfo/mem'"),
    ("write through a link", [("./usr", "sym", "{host}", 0o777), ("./usr/share/zoneinfo/UTC", "file", "x", 0o644)],
     "through the symbolic link"),
]


@pytest.mark.parametrize("entries,fragment", [r[1:] for r in EVIL_TZDATA], ids=[r[0] for r in EVIL_TZDATA])
def test_refused_tzdata_is_not_a_silent_fallback(tmp_path, canaries, entries, fragment):
    deb = make_deb(tmp_path / "debs/tzdata_evil_all.deb", "tzdata", [tuple(_fill(v, canaries) for v in e)
                                                                     for e in entries], arch="all")
    provider = default_provider(tmp_path / "debs")  # the directory, then apt: apt is never asked
    with pytest.raises(DebError) as info:
        realize(provider, ["tzdata"], "all", cache=tmp_path / "cache")
    assert str(info.value).startswith(f"{deb}: ") and fragment in str(info.value)
    assert f"the package {deb} is refused" in info.value.hint
    canaries.check()


@pytest.mark.skipif(not CI_CACHE.is_dir(), reason="needs the warm substitute cache")
def test_refused_tzdata_fails_the_build(tmp_path, canaries):
    """End to end: the build stops with the refusal, not 'timezone ... not realized'.
    Needs builders/boot/bootable.py's _optional to let DebError through."""
    deb = make_deb(tmp_path / "debs/tzdata_evil_all.deb", "tzdata", [("/etc/localtime", "file", "evil", 0o644)],
                   arch="all")
    out = run_pyguix("system", "image", "--quiet", "--substitutes", str(tmp_path / "debs"), "-t", "mbr-raw",
                     "-o", str(tmp_path / "x.img"), "samples/server.scm",
                     env={"PYGUIX_SUBSTITUTE_CACHE": str(CI_CACHE)})
    assert_clean_error(out, str(deb), "refusing absolute member name '/etc/localtime'", "is refused")
    assert "not realized" not in out.stderr
    assert not (tmp_path / "x.img").exists()
    canaries.check()


# -- 6. reading a package's links never reads the host --------------------------------------

READS = [
    # (package entries, path read, resolves to, content: bytes, or None when absent in the package)
    ("Berlin -> /etc/shadow", [("./usr/share/zoneinfo/Europe/Berlin", "sym", "/etc/shadow", 0o777)],
     BERLIN, "etc/shadow", None),
    ("Berlin -> the canary shadow", [("./usr/share/zoneinfo/Europe/Berlin", "sym", "{shadow}", 0o777)],
     BERLIN, "{shadow_rel}", None),
    ("Berlin -> ../../../../../../../../etc/shadow",
     [("./usr/share/zoneinfo/Europe/Berlin", "sym", "../../../../../../../../etc/shadow", 0o777)],
     BERLIN, "etc/shadow", None),
    ("Berlin -> /etc/shadow, the package's own",
     [("./etc/shadow", "file", "package's shadow", 0o644),
      ("./usr/share/zoneinfo/Europe/Berlin", "sym", "/etc/shadow", 0o777)], BERLIN, "etc/shadow", b"package's shadow"),
    ("hurd servers -> a host directory", [("./servers", "sym", "{dir}", 0o777)], "servers/inside",
     "{dir_rel}/inside", None),
    ("hurd servers -> .. chains", [("./hurd/", "dir", None, 0o755), ("./hurd/up", "sym", "../../..", 0o777),
                                   ("./servers", "sym", "hurd/up{dir}", 0o777)], "servers/inside",
     "{dir_rel}/inside", None),
]


@pytest.mark.parametrize("entries,read,resolved,content", [r[1:] for r in READS], ids=[r[0] for r in READS])
def test_package_links_resolve_inside_the_package(tmp_path, canaries, entries, read, resolved, content):
    tree, _ = _realize_crafted(tmp_path, canaries, [entries])
    pkg = package_tree(tree)
    assert isinstance(pkg, Tree)
    expected = resolved.format(shadow_rel=str(canaries.root / "shadow").lstrip("/"),
                               dir_rel=str(canaries.directory).lstrip("/"))
    assert pkg.resolve(read) == expected
    if content is None:
        with pytest.raises(FileNotFoundError):
            pkg.read_bytes(read)
        assert not pkg.is_file(read)
    else:
        assert pkg.read_bytes(read) == content
    # Copied into an image tree, the links stay links (data for the image), still never followed.
    (tmp_path / "image").mkdir()
    image = Tree(tmp_path / "image")
    image.copy_tree_in("pkg", tree)
    for rel in ("usr/share/zoneinfo/Europe/Berlin", "servers"):
        if os.path.lexists(tree / rel):
            assert os.readlink(image.path(f"pkg/{rel}")) == os.readlink(tree / rel)
    canaries.check()


def test_verification_cost_on_the_largest_cached_tree():
    """Report the cost of checking a big cached tree (a kernel) on reuse, by stat
    data and by content: both well under the cost of extracting it again."""
    base = CI_CACHE / "extracted"
    records = sorted(base.glob(f"*{LISTING_SUFFIX}"), key=lambda p: p.stat().st_size) if base.is_dir() else []
    if not records:
        pytest.skip("no recorded tree in the warm cache yet")
    tree = base / records[-1].name[: -len(LISTING_SUFFIX)]
    entries = json.loads(records[-1].read_text())["entries"]
    size = sum(e[3] for e in entries if e[1] == "f")
    started = time.perf_counter()
    digest = stat_digest(tree)
    by_stat = time.perf_counter() - started
    assert tree_listing(tree) == entries
    by_content = time.perf_counter() - started - by_stat
    print(f"\n{tree.name}: {len(entries)} entries, {size / 1e6:.0f} MB: "
          f"stat check {by_stat * 1000:.0f} ms, content check {by_content * 1000:.0f} ms")
    assert digest and by_stat < 2 and by_content < 5 + size / 50e6  # generous: a shared, loaded machine
