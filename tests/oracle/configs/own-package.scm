;; A config that defines a package of its own and installs it.
(use-modules (gnu)
             (guix packages)
             (guix download)
             (guix build-system gnu)
             ((guix licenses) #:prefix license:))
(use-package-modules base)

(define hello-local
  (package
    (name "hello-local")
    (version "2.12.1")
    (source (origin
              (method url-fetch)
              (uri (string-append "mirror://gnu/hello/hello-" version ".tar.gz"))
              (sha256
               (base32 "086vqwk2wl8zfs47sq2xpjc9k066ilmb8z6dn0q6ymwjzlm196cd"))))
    (build-system gnu-build-system)
    (synopsis "Hello, GNU world, built locally")
    (description "GNU Hello, as a package defined in the system config.")
    (home-page "https://www.gnu.org/software/hello/")
    (license license:gpl3+)))

(operating-system
  (host-name "packager")
  (timezone "Europe/Lisbon")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (packages (cons* hello-local (list glibc "debug") %base-packages)))
