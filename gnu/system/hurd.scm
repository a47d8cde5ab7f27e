;;; (gnu system hurd) -- the defaults of a GNU/Hurd operating system.

(define-module (gnu system hurd)
  #:use-module (gnu bootloader)
  #:use-module (gnu bootloader grub)
  #:use-module (gnu packages base)
  #:use-module (gnu packages hurd)
  #:use-module (gnu services)
  #:use-module (gnu services base)
  #:use-module (gnu system)
  #:use-module (gnu system shadow)
  #:use-module (guix gexp)
  #:use-module ((gnu packages admin) #:select (shepherd-1.0))
  #:use-module ((gnu packages linux) #:select (procps))
  #:use-module ((gnu services hurd) #:select (hurd-console-service-type hurd-console-configuration
                                              hurd-getty-service-type hurd-getty-configuration))
  #:export (%hurd-default-operating-system
            %hurd-default-operating-system-kernel
            %hurd64-default-operating-system
            %hurd64-default-operating-system-kernel
            %setuid-programs/hurd %desktop-services/hurd
            %base-packages/hurd
            %base-services/hurd
            %base-services+qemu-networking/hurd
            %hurd-startup-service-type))

;; The user land of a Hurd system, as Guix 1.5 has it: no Linux-only tools.
;; (The Shepherd comes before the Hurd: its halt and reboot win.)
(define %base-packages/hurd
  (list shepherd-1.0 hurd netdde bash coreutils file findutils grep sed
        diffutils patch gawk tar gzip bzip2 xz lzip zstd
        guile-3.0-latest guile-colorized guile-readline
        net-base nss-certs inetutils less procps shadow sudo which
        info-reader))

;; pyguix's own name for the Hurd's start-up (exported for older callers).
(define %hurd-startup-service-type
  (service-type
   (name 'hurd-startup)
   (default-value #f)
   (description "Start the Hurd's servers (the Hurd's console, getty, ...).")))

(define %base-services/hurd
  (append (list (service hurd-console-service-type
                         (hurd-console-configuration (hurd hurd)))
                (service guix-service-type
                         (guix-configuration
                          (extra-options '("--disable-chroot"
                                           "--disable-deduplication"))))
                (service special-files-service-type
                         `(("/bin/sh" ,(file-append bash "/bin/sh"))
                           ("/usr/bin/env" ,(file-append coreutils "/bin/env"))))
                (service syslog-service-type))
          (map (lambda (n)
                 (service hurd-getty-service-type
                          (hurd-getty-configuration
                           (tty (string-append "tty" (number->string n))))))
               (iota 6 1))))

;; With QEMU's user networking (10.0.2.15) statically configured.
(define %base-services+qemu-networking/hurd
  (cons (service static-networking-service-type
                 (list %loopback-static-networking 'qemu-user-networking))
        %base-services/hurd))

(define %desktop-services/hurd %base-services/hurd)

(define %setuid-programs/hurd
  (list (file-append shadow "/bin/passwd")
        (file-append shadow "/bin/sg")
        (file-append shadow "/bin/su")
        (file-append shadow "/bin/newgrp")
        (file-append shadow "/bin/newuidmap")
        (file-append shadow "/bin/newgidmap")
        (file-append sudo "/bin/sudo")
        (file-append sudo "/bin/sudoedit")))

(define %hurd-default-operating-system-kernel gnumach)
(define %hurd64-default-operating-system-kernel %hurd-default-operating-system-kernel)

;; As in Guix, no services field (so %base-services, as for any OS): the
;; Hurd images and configurations set theirs (%base-services/hurd).
(define %hurd-default-operating-system
  (operating-system
    (kernel %hurd-default-operating-system-kernel)
    (kernel-arguments '())
    (hurd hurd)
    (bootloader (bootloader-configuration
                 (bootloader grub-minimal-bootloader)
                 (targets '("/dev/vda"))))
    (initrd #f)
    (initrd-modules '())
    (firmware '())
    (host-name "guixygnu")
    (file-systems '())
    (packages %base-packages/hurd)
    (timezone "GNUrope")
    (name-service-switch #f)
    (essential-services '())
    (pam-services '())
    (setuid-programs '())))

(define %hurd64-default-operating-system
  (operating-system
    (inherit %hurd-default-operating-system)
    (kernel %hurd64-default-operating-system-kernel)))
