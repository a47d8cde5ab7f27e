;;; (gnu bootloader extlinux) -- the extlinux.conf boot menu.
;;;
;;; U-Boot reads /boot/extlinux/extlinux.conf from the root partition, so
;;; every U-Boot bootloader in (gnu bootloader u-boot) inherits from this one.

(define-module (gnu bootloader extlinux)
  #:use-module (gnu bootloader)
  #:use-module (gnu packages bootloaders)
  #:export (extlinux-bootloader extlinux-bootloader-gpt))

(define extlinux-bootloader
  (bootloader
   (name 'extlinux)
   (package syslinux)
   (configuration-file "/boot/extlinux/extlinux.conf")))

(define extlinux-bootloader-gpt
  (bootloader
   (inherit extlinux-bootloader)
   (name 'extlinux-gpt)))
