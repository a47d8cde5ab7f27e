;;; (gnu system) -- the operating-system record.
;;;
;;; An operating-system declares a whole machine: its bootloader, kernel,
;;; file systems, users, packages and services.  Field names and defaults
;;; follow Guix's (gnu system).

(define-module (gnu system)
  #:use-module (srfi srfi-1)
  #:use-module (guix gexp)
  #:use-module (guix utils)
  #:use-module (gnu packages)
  #:use-module (gnu packages base)
  #:use-module (gnu packages linux)
  #:use-module (gnu services)
  #:use-module (gnu services base)
  #:use-module (gnu services shepherd)
  #:use-module ((gnu system shadow) #:select (account-service-type))
  #:re-export-module (gnu bootloader)
  #:re-export-module (gnu system file-systems)
  #:re-export-module (gnu system shadow)
  #:re-export-module (gnu system mapped-devices)
  #:re-export-module (gnu system keyboard)
  #:re-export-module (gnu system linux-initrd)
  #:re-export-module (gnu system locale)
  #:re-export (%current-system %current-target-system)
  #:export (operating-system operating-system? <operating-system>
            operating-system-kernel operating-system-kernel-loadable-modules
            operating-system-kernel-arguments operating-system-user-kernel-arguments
            operating-system-hurd operating-system-bootloader operating-system-label
            operating-system-keyboard-layout operating-system-initrd
            operating-system-initrd-modules operating-system-firmware
            operating-system-host-name operating-system-hosts-file
            operating-system-mapped-devices operating-system-file-systems
            operating-system-swap-devices operating-system-users
            operating-system-groups operating-system-skeletons
            operating-system-issue operating-system-packages
            operating-system-timezone operating-system-locale
            operating-system-locale-definitions operating-system-locale-libcs
            operating-system-name-service-switch operating-system-essential-services
            operating-system-services operating-system-user-services
            operating-system-pam-services operating-system-setuid-programs
            operating-system-privileged-programs operating-system-sudoers-file
            operating-system-location operating-system-default-essential-services
            %base-packages %base-packages-interactive %base-packages-linux
            %base-packages-networking %base-packages-utils %base-firmware
            %base-packages-artwork
            %default-kernel-arguments %setuid-programs %default-privileged-programs
            %sudoers-specification %default-issue))

(define %default-kernel-arguments
  (list "modprobe.blacklist=usbmouse,usbkbd" "quiet"))

(define %default-issue "\nThis is the GNU system.  Welcome.\n")

(define %base-firmware
  (list ath9k-htc-ar7010-firmware ath9k-htc-ar9271-firmware openfwwf-firmware))

;;; The packages of every system, by group (package variables are names
;;; pyguix resolves from substitutes when it builds the image).

(define %base-packages-interactive
  (list less mg nano nvi man-db info-reader kbd sudo guile-readline guile-colorized))

(define %base-packages-linux
  (list pciutils usbutils util-linux+udev kmod eudev))

(define %base-packages-networking
  (list inetutils isc-dhcp iproute wget nss-certs iw wireless-tools))

(define %base-packages-utils
  (list procps psmisc which shadow e2fsprogs guile-3.0-latest bash coreutils
        findutils grep sed diffutils patch gawk tar gzip bzip2 lzip xz zstd))

(define %base-packages
  (append %base-packages-interactive %base-packages-linux
          %base-packages-networking %base-packages-utils))

(define %base-packages-artwork
  (list (@ (gnu packages package-management) guix-backgrounds)
        (@ (gnu packages package-management) guix-icons)))

(define %setuid-programs '())
(define %default-privileged-programs '())
(define %sudoers-specification
  (plain-file "sudoers" "root ALL=(ALL) ALL\n%wheel ALL=(ALL) ALL\n"))

;;; The essential services: what every system has, whatever its `services'
;;; field says.  They are made from the other fields of the operating
;;; system -- its host name, accounts, file systems and packages -- and sit
;;; at the root of the service graph: the services of the `services' field
;;; extend them (see gnu/services.scm).  The system's services are these
;;; and the `services' field, folded together.

;; The `pam' service of the Shepherd: a synchronization point that daemons
;; logging users in (sshd) require.  Guix's pam-root-service-type provides
;; it (and writes /etc/pam.d); Debian's packages bring their /etc/pam.d.
(define pam-synchronization-service-type
  (service-type
   (name 'pam)
   (extensions
    (list (service-extension
           shepherd-root-service-type
           (const (list (shepherd-service
                         (documentation "Synchronization point for services that need PAM.")
                         (provision '(pam))
                         (start #~(const #t))
                         (stop #~(const #f))))))))
   (default-value #t)
   (description "The synchronization point of services that use PAM.")))

(define (operating-system-default-essential-services os)
  (list (service system-service-type #f)
        (service boot-service-type #f)
        (service activation-service-type '())      ;code run at boot
        (service shepherd-root-service-type)       ;PID 1 and its services
        (service pam-synchronization-service-type)
        (service privileged-program-service-type
                 (operating-system-privileged-programs os))
        (service account-service-type              ;users and groups
                 (append (operating-system-users os)
                         (operating-system-groups os)))
        (service etc-service-type '())             ;files in /etc
        (service host-name-service-type (operating-system-host-name os))
        (service user-processes-service-type)      ;killed at shutdown...
        (service root-file-system-service-type)    ;...before / is remounted read-only
        (service file-system-service-type (operating-system-file-systems os))
        (service profile-service-type (operating-system-packages os))
        (service firmware-service-type (operating-system-firmware os))))

;; "GNU with Linux-Libre", from the kernel package's name.
(define (kernel->boot-label kernel hurd)
  (cond (hurd "GNU with the Hurd")
        ((package? kernel)
         (string-append "GNU with "
                        (string-join (map string-titlecase
                                          (string-split (package-name kernel) #\-))
                                     "-")))
        (else "GNU")))

(define (validate-host-name name)
  (unless (string? name)
    (raise-config-error (format #f "host-name (~s) must be a string" name)))
  name)

(define (validate-file-systems file-systems)
  (unless (and (list? file-systems) (every file-system? file-systems))
    (raise-config-error "file-systems must be a list of (file-system ...) records"))
  file-systems)

(define (validate-services services)
  (unless (and (list? services) (every service? services))
    (raise-config-error "services must be a list of services"))
  services)

(define (validate-bootloader-configuration value)
  (unless (bootloader-configuration? value)
    (raise-config-error
     (format #f "bootloader (~s) must be a (bootloader-configuration ...) record" value)))
  value)

(define-record-type* <operating-system> operating-system make-operating-system
  operating-system?
  this-operating-system
  (kernel           operating-system-kernel (default linux-libre))
  (kernel-loadable-modules operating-system-kernel-loadable-modules (default '()))
  (kernel-arguments operating-system-user-kernel-arguments
                    (default %default-kernel-arguments))
  (hurd             operating-system-hurd (default #f))     ;a package: a Hurd system
  (bootloader       operating-system-bootloader            ;mandatory
                    (sanitize validate-bootloader-configuration))
  (label            operating-system-label                 ;the boot menu's label
                    (default (kernel->boot-label
                              (operating-system-kernel this-operating-system)
                              (operating-system-hurd this-operating-system)))
                    (thunked))
  (keyboard-layout  operating-system-keyboard-layout (default #f))
  (initrd           operating-system-initrd (default base-initrd))
  (initrd-modules   operating-system-initrd-modules
                    (default %base-initrd-modules) (thunked))
  (firmware         operating-system-firmware (default %base-firmware))
  (host-name        operating-system-host-name             ;mandatory
                    (sanitize validate-host-name))
  (hosts-file       operating-system-hosts-file (default #f))
  (mapped-devices   operating-system-mapped-devices (default '()))
  (file-systems     operating-system-file-systems          ;mandatory: must include "/"
                    (sanitize validate-file-systems))
  (swap-devices     operating-system-swap-devices (default '()) (delayed))
  (users            operating-system-users (default %base-user-accounts))
  (groups           operating-system-groups (default %base-groups))
  (skeletons        operating-system-skeletons (default (default-skeletons)))
  (issue            operating-system-issue (default %default-issue))
  (packages         operating-system-packages (default %base-packages))
  (timezone         operating-system-timezone (default "Etc/UTC"))
  (locale           operating-system-locale (default "en_US.utf8"))
  (locale-definitions operating-system-locale-definitions
                      (default %default-locale-definitions))
  (locale-libcs     operating-system-locale-libcs (default '()))
  (name-service-switch operating-system-name-service-switch (default #f))
  (essential-services operating-system-essential-services
                      (default (operating-system-default-essential-services
                                this-operating-system))
                      (thunked))
  (services         operating-system-user-services
                    (default %base-services) (thunked)
                    (sanitize validate-services))
  (pam-services     operating-system-pam-services (default '()))
  (privileged-programs operating-system-privileged-programs
                       (default %default-privileged-programs))
  (setuid-programs  operating-system-setuid-programs (default %setuid-programs))
  (sudoers-file     operating-system-sudoers-file (default %sudoers-specification))
  (location         operating-system-location (default #f) (innate)))

(define (operating-system-kernel-arguments os)
  (operating-system-user-kernel-arguments os))

(define (operating-system-services os)
  (operating-system-user-services os))
