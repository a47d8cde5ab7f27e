;;; (gnu bootloader depthcharge) -- Chromebooks' bootloader (kept for old configs).

(define-module (gnu bootloader depthcharge)
  #:use-module (gnu bootloader)
  #:use-module (gnu bootloader extlinux)
  #:export (depthcharge-bootloader))

(define depthcharge-bootloader
  (bootloader
   (inherit extlinux-bootloader)
   (name 'depthcharge)
   (package #f)
   (configuration-file "/boot/depthcharge/vmlinux.kpart")))
