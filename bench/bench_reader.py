"""Benchmark the Scheme reader on a ~2,000-line realistic Guix configuration.

    python bench/bench_reader.py [--lines N] [--repeat R] [--keep FILE]

Prints the best-of-R time of `read_all` (positions included) in lines/s and,
when `guile` is installed, the time of Guile's own `read` on the same file
(Guile's start-up time is measured separately and subtracted).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemeconf.reader import _get_parser, read_all  # noqa: E402
from schemeconf.source import SourceFile  # noqa: E402

# One realistic operating-system declaration (136 lines): comments, strings with
# escapes, quote and quasiquote, gexps, keywords, vectors, chars, numbers.
DECLARATION = r''';; This is an operating system configuration generated
;; by the graphical installer, then edited by hand.
(use-modules (gnu) (gnu system nss) (guix utils) (srfi srfi-1))
(use-service-modules desktop networking ssh xorg mcron)
(use-package-modules certs screen ssh bootloaders linux)

#| The swap file is created at first boot.
   #| nested comment |# still a comment |#

(define %motd
  (plain-file "motd" "\x1b[1;37mWelcome to Guix!\x1b[0m\n\
This machine is managed by the \"ops\" team.\n"))

(define %garbage-collector-job
  ;; Collect garbage 5 minutes after midnight every day.
  #~(job "5 0 * * *"
         (string-append #$guix "/bin/guix gc -F 1G")))

(define (extra-file name content)
  `(,name ,(plain-file name content)))

(operating-system
  (host-name "komputilo")
  (timezone "Europe/Berlin")
  (locale "en_US.utf8")
  (keyboard-layout (keyboard-layout "us" "altgr-intl" #:options '("ctrl:nocaps")))

  ;; Use the UEFI variant of GRUB with the EFI System
  ;; Partition mounted on /boot/efi.
  (bootloader (bootloader-configuration
                (bootloader grub-efi-bootloader)
                (targets '("/boot/efi"))
                (timeout 5)
                (keyboard-layout keyboard-layout)))

  (mapped-devices
   (list (mapped-device
          (source (uuid "12345678-1234-1234-1234-123456789abc"))
          (target "my-root")
          (type luks-device-mapping))))

  (file-systems (append
                 (list (file-system
                         (device (file-system-label "my-root"))
                         (mount-point "/")
                         (type "ext4")
                         (dependencies mapped-devices))
                       (file-system
                         (device (uuid "1234-ABCD" 'fat))
                         (mount-point "/boot/efi")
                         (type "vfat")
                         (options "umask=0077")))
                 %base-file-systems))

  (swap-devices (list (swap-space (target "/swapfile"))))

  (users (cons* (user-account
                  (name "alice")
                  (comment "Alice's brother")
                  (group "users")
                  (password (crypt "InitialPassword!" "$6$abc"))
                  (supplementary-groups '("wheel" "netdev"
                                          "audio" "video")))
                (user-account
                  (name "bob")
                  (group "users")
                  (home-directory "/home/bob")
                  (shell (file-append bash "/bin/bash")))
                %base-user-accounts))

  (groups (cons (user-group (name "students") (id 1100)) %base-groups))

  ;; This is where we specify system-wide packages.
  (packages (append (map specification->package
                         '("nss-certs" "screen" "openssh" "emacs"
                           "git" "htop" "tmux"))
                    %base-packages))

  (services
   (append
    (list (service openssh-service-type
                   (openssh-configuration
                    (port-number 2222)
                    (permit-root-login 'prohibit-password)
                    (password-authentication? #f)
                    (x11-forwarding? #true)))
          (service dhcpcd-service-type)
          (service ntp-service-type)
          (simple-service 'cron-jobs mcron-service-type
                          (list %garbage-collector-job))
          (simple-service 'extra-files etc-service-type
                          (list (extra-file "issue" "Hello, λ world!\n")
                                `("motd" ,%motd)))
          #;(service gpm-service-type)
          (service special-files-service-type
                   `(("/bin/sh" ,(file-append bash "/bin/sh"))
                     ("/usr/bin/env" ,(file-append coreutils "/bin/env")))))
    (modify-services %desktop-services
      (guix-service-type config =>
                         (guix-configuration
                          (inherit config)
                          (substitute-urls
                           (append (list "https://substitutes.example.org")
                                   %default-substitute-urls))
                          (authorized-keys
                           (append (list (local-file "./key.pub"))
                                   %default-authorized-guix-keys))
                          (extra-options '("--max-jobs=2" "--cores=4"))))
      (delete gdm-service-type))))

  (kernel-arguments (cons* "quiet" "modprobe.blacklist=pcspkr" %default-kernel-arguments))
  (firmware (list linux-firmware))
  (initrd-modules (cons "virtio_scsi" %base-initrd-modules))
  (name-service-switch %mdns-host-name-service-switch)
  (sudoers-file (plain-file "sudoers" "root ALL=(ALL) ALL\n%wheel ALL=(ALL) ALL\n"))
  (setuid-programs %setuid-programs)
  (label (string-append "GNU Guix " (package-version guix)))
  (essential-services (modify-services (operating-system-default-essential-services this-operating-system)
                        (delete firmware-service-type)))
  (pam-services (base-pam-services #:allow-empty-passwords? #f))
  (issue "This is the GNU system.  Welcome.\n")
  (skeletons `((".bashrc" ,(plain-file "bashrc" "alias ls='ls -p'"))
               (".guile" ,(plain-file "guile" "(use-modules (ice-9 readline))"))))
  (hosts-file (plain-file "hosts" (string-append (local-host-aliases "komputilo")
                                                 "10.0.0.2 printer\n")))
  (sizes #(1024 2048 4096 1/2 1.5e3 #x1F #\a #\space))
  (locale-definitions (list (locale-definition (name "fr_FR.utf8") (source "fr_FR")))))
'''


def make_config(lines: int) -> str:
    count = max(1, round(lines / DECLARATION.count("\n")))
    return DECLARATION * count


def time_reader(text: str, repeat: int) -> float:
    source = SourceFile("bench.scm", text)
    _get_parser()  # compile or load the grammar outside the timing
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        read_all(text, source)
        best = min(best, time.perf_counter() - start)
    return best


GUILE_SCRIPT = r"""
(read-hash-extend #\~ (lambda (c port) (list 'gexp (read port))))
(read-hash-extend #\$ (lambda (c port)
  (if (char=? (peek-char port) #\@) (begin (read-char port) (list 'ungexp-splicing (read port)))
      (list 'ungexp (read port)))))
(define file (cadr (command-line)))
(define times (string->number (caddr (command-line))))
(define (read-all)
  (call-with-input-file file
    (lambda (port) (let loop ((n 0)) (if (eof-object? (read port)) n (loop (1+ n)))))))
(define best 1e9)
(do ((i 0 (1+ i))) ((= i times))
  (let ((start (get-internal-real-time)))
    (if (> times 0) (read-all))
    (set! best (min best (/ (- (get-internal-real-time) start) internal-time-units-per-second 1.0)))))
(display best) (newline)
"""


def time_guile(path: Path, repeat: int) -> float | None:
    guile = shutil.which("guile")
    if guile is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".scm", delete=False) as f:
        f.write(GUILE_SCRIPT)
    try:
        out = subprocess.run([guile, "--no-auto-compile", "-s", f.name, str(path), str(repeat)],
                             capture_output=True, text=True, check=True, timeout=300)
        return float(out.stdout.split()[-1])
    finally:
        os.unlink(f.name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", type=Path, help="also write the generated file here")
    args = ap.parse_args()

    text = make_config(args.lines)
    lines = text.count("\n")
    ours = time_reader(text, args.repeat)
    print(f"input: {lines} lines, {len(text.encode()) / 1024:.0f} KiB")
    print(f"pyguix read_all (lark lalr, positions): {ours * 1000:7.1f} ms  {lines / ours:9,.0f} lines/s")

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.scm"
        path.write_text(text, encoding="utf-8")
        theirs = time_guile(path, args.repeat)
    if theirs is None:
        print("guile: not installed, no comparison")
    else:
        print(f"guile 3 read (in-process timing):       {theirs * 1000:7.1f} ms  {lines / theirs:9,.0f} lines/s")
        print(f"ratio pyguix/guile: {ours / theirs:.1f}x slower")


if __name__ == "__main__":
    main()
