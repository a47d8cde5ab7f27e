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
  #:export (%hurd-default-operating-system
            %hurd-default-operating-system-kernel
            %base-packages/hurd
            %base-services/hurd
            %base-services+qemu-networking/hurd
            %hurd-startup-service-type))

;; The user land of a Hurd system: no Linux-only tools.
(define %base-packages/hurd
  (list hurd bash coreutils file findutils grep sed diffutils patch gawk
        tar gzip bzip2 xz lzip guile-3.0-latest guile-colorized guile-readline
        net-base inetutils less shadow sudo which info-reader))

(define %hurd-startup-service-type
  (service-type
   (name 'hurd-startup)
   (default-value #f)
   (description "Start the Hurd's servers (the Hurd's console, getty, ...).")))

(define %base-services/hurd
  (list (service %hurd-startup-service-type)
        (service (service-type (name 'hurd-console) (default-value #f)
                               (description "The Hurd console.")))
        (service (service-type (name 'hurd-getty) (default-value "tty1")
                               (description "A login prompt on the Hurd console.")))
        (service guix-service-type)
        (service nscd-service-type)
        (service (service-type (name 'syslog) (default-value #f)
                               (description "The syslog daemon.")))))

;; With QEMU's user networking (10.0.2.15) statically configured.
(define %base-services+qemu-networking/hurd
  (cons (service static-networking-service-type (list 'qemu-user-networking))
        %base-services/hurd))

(define %hurd-default-operating-system-kernel gnumach)

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
    (timezone "GMT")
    (name-service-switch #f)
    (essential-services '())
    (services %base-services/hurd)
    (pam-services '())
    (setuid-programs '())))
