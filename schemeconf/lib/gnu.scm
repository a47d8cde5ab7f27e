;;; (gnu) -- what (use-modules (gnu)) brings: the common modules of a config.
;;;
;;; Note: (gnu) does not bring (gnu image) or (gnu system image); image
;;; files import those themselves.

(define-module (gnu)
  #:re-export-module (gnu system)
  #:re-export-module (gnu system mapped-devices)
  #:re-export-module (gnu system file-systems)
  #:re-export-module (gnu bootloader)
  #:re-export-module (gnu bootloader grub)
  #:re-export-module (gnu system keyboard)
  #:re-export-module (gnu system pam)
  #:re-export-module (gnu system shadow)
  #:re-export-module (gnu system linux-initrd)
  #:re-export-module (gnu system nss)
  #:re-export-module (gnu services)
  #:re-export-module (gnu services base)
  #:re-export-module (gnu packages)
  #:re-export-module (gnu packages base)
  #:re-export-module (guix gexp))
