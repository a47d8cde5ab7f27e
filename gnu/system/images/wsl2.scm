;;; (gnu system images wsl2) -- Guix System for the Windows Subsystem for Linux.
;;;
;;; WSL 2 runs its own Linux kernel and boots nothing itself: it unpacks a
;;; tarball as the root file system and starts root's login shell.  So the
;;; operating system below has a dummy bootloader, kernel and initrd, no
;;; file systems, and a root "shell" that is really a small boot program:
;;; it starts the Shepherd and then logs in the default user.
;;;
;;;   pyguix system image -t wsl2 my-os.scm      ;-> image.tar.gz
;;;   wsl --import Guix C:\guix image.tar.gz     ;on the Windows side
;;;
;;; The tarball gets /bin/sh and /bin/mount symlinks that WSL needs
;;; (the tarball Guix's wsl2 images are); this module only declares the system.

(define-module (gnu system images wsl2)
  #:use-module (gnu bootloader)
  #:use-module (gnu image)
  #:use-module (gnu packages admin)
  #:use-module (gnu packages base)
  #:use-module (gnu packages bash)
  #:use-module (gnu packages linux)
  #:use-module (gnu services)
  #:use-module (gnu services base)
  #:use-module (gnu system)
  #:use-module (gnu system image)
  #:use-module (gnu system shadow)
  #:use-module (guix gexp)
  #:export (dummy-kernel dummy-initrd dummy-bootloader
            wsl-boot-program wsl-os wsl2-image))

;; Stand-ins for what WSL provides itself.  The bootloader installs
;; nothing and writes an empty configuration file.
(define dummy-kernel (plain-file "dummy-kernel" ""))

(define (dummy-initrd . _rest)
  (plain-file "dummy-initrd" ""))

(define dummy-bootloader
  (bootloader
   (name 'dummy-bootloader)
   (package #f)
   (installer #~(const #t))
   (configuration-file "/boot/dummy.cfg")
   (configuration-file-generator (lambda _rest (plain-file "dummy.cfg" "")))))

;; Root's "shell": a Guile script that boots the system (runs the Shepherd
;; if it is not running yet) and then opens a login shell for USER.
(define (wsl-boot-program user)
  (program-file
   "wsl-boot-program"
   #~(begin
       (unless (file-exists? "/run/current-system")
         (system* #$(file-append shepherd "/bin/shepherd")))
       (execl #$(file-append shadow "/bin/login") "login" "-f" #$user))))

(define wsl-os
  (operating-system
    (host-name "gnu")
    (timezone "Etc/UTC")
    (bootloader (bootloader-configuration
                 (bootloader dummy-bootloader)))
    (kernel dummy-kernel)
    (initrd dummy-initrd)
    (initrd-modules '())
    (firmware '())
    (file-systems '())                  ;WSL mounts the root itself
    (users (cons* (user-account
                   (inherit %root-account)
                   (shell (wsl-boot-program "guest")))
                  (user-account
                   (name "guest")
                   (group "users")
                   (supplementary-groups '("wheel")) ;may use sudo
                   (password "")
                   (comment "Guest of GNU"))
                  %base-user-accounts))
    ;; No getty, udev or networking: the host does all that.
    (services (list (service guix-service-type)
                    (service special-files-service-type
                             `(("/bin/sh" ,(file-append bash "/bin/bash"))
                               ("/usr/bin/env"
                                ,(file-append coreutils "/bin/env"))))))))

(define wsl2-image
  (image
   (inherit (os->image wsl-os #:type wsl2-image-type))
   (name 'wsl2-image)))

;; The module's value: what `pyguix system image FILE' builds for this file.
wsl2-image
