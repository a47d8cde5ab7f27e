;;; (gnu packages raspberry-pi) -- Raspberry Pi packages and its bootloader chain.
;;;
;;; The packages come from the index of Guix 1.5; the bootloader chain is a
;;; bootloader record (see efi-bootloader-chain in gnu/bootloader.scm).

(define-module (gnu packages raspberry-pi)
  #:use-module (gnu packages)
  #:use-module (gnu bootloader)
  #:use-module (gnu bootloader grub)
  #:use-module ((gnu packages bootloaders) #:select (u-boot-rpi-arm64-efi-bin)))

;; GRUB (netboot, removable) chained after U-Boot's EFI API, as in Guix; the
;; firmware configuration files are not modelled.
(define-public grub-efi-bootloader-chain-raspi-64
  (efi-bootloader-chain grub-efi-netboot-removable-bootloader
                        #:packages (list u-boot-rpi-arm64-efi-bin)))
