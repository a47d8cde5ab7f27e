;;; (gnu bootloader grub) -- GRUB, for BIOS and UEFI machines.
;;;
;;; The bootloader's NAME tells pyguix how to install it on a disk image:
;;;   grub          BIOS: boot code in the MBR, core image in the gap after it;
;;;   grub-efi      UEFI: a standalone EFI/BOOT/BOOTX64.EFI in the ESP;
;;;   grub-efi32    the same for 32-bit UEFI firmware (BOOTIA32.EFI).

(define-module (gnu bootloader grub)
  #:use-module (gnu bootloader)
  #:use-module (gnu packages bootloaders)
  #:export (grub-bootloader grub-minimal-bootloader
            grub-efi-bootloader grub-efi-removable-bootloader
            grub-efi32-bootloader grub-efi32-removable-bootloader
            grub-efi-netboot-bootloader grub-efi-netboot-removable-bootloader
            grub-mkrescue-bootloader grub-efi-bootloader-chain
            grub-theme grub-theme? grub-theme-image grub-theme-resolution
            grub-theme-color-normal grub-theme-color-highlight grub-theme-gfxmode
            grub-configuration))

(define-record-type* <grub-theme> grub-theme make-grub-theme
  grub-theme?
  (image           grub-theme-image (default #f))
  (resolution      grub-theme-resolution (default '(1024 . 768)))
  (color-normal    grub-theme-color-normal (default '((fg . light-gray) (bg . black))))
  (color-highlight grub-theme-color-highlight (default '((fg . yellow) (bg . black))))
  (gfxmode         grub-theme-gfxmode (default '("auto"))))

(define grub-bootloader
  (bootloader
   (name 'grub)
   (package grub)
   (configuration-file "/boot/grub/grub.cfg")))

;; The same, built with fewer modules: what the Hurd images use.
(define grub-minimal-bootloader
  (bootloader
   (inherit grub-bootloader)
   (package grub-minimal)))

(define grub-efi-bootloader
  (bootloader
   (name 'grub-efi)
   (package grub-efi)
   (configuration-file "/boot/grub/grub.cfg")))

(define grub-efi-removable-bootloader
  (bootloader
   (inherit grub-efi-bootloader)
   (name 'grub-efi-removable-bootloader)))

(define grub-efi32-bootloader
  (bootloader
   (inherit grub-efi-bootloader)
   (name 'grub-efi32)
   (package grub-efi32)))

(define grub-efi32-removable-bootloader
  (bootloader
   (inherit grub-efi32-bootloader)
   (name 'grub-efi32-removable-bootloader)))

(define grub-efi-netboot-bootloader
  (bootloader
   (inherit grub-efi-bootloader)
   (name 'grub-efi-netboot-bootloader)))

(define grub-efi-netboot-removable-bootloader
  (bootloader
   (inherit grub-efi-bootloader)
   (name 'grub-efi-netboot-removable-bootloader)))

;; ISO images boot with grub-mkrescue's hybrid BIOS/UEFI layout.
(define grub-mkrescue-bootloader
  (bootloader
   (inherit grub-efi-bootloader)
   (name 'grub-mkrescue)
   (package grub-hybrid)))

(define* (grub-efi-bootloader-chain final-bootloader #:key (packages '()) (files '()) hooks)
  (bootloader
   (inherit final-bootloader)))

;;; `grub-configuration': the bootloader declaration of Guix before 2017,
;;; which Guix still accepts.  (grub-configuration FIELD ...) is a
;;; bootloader-configuration for BIOS GRUB; the optional first clause
;;; (grub PACKAGE) picked the UEFI flavour when PACKAGE was not plain grub.
(define-syntax grub-configuration
  (syntax-rules (grub)
    ((_ (grub package) field ...)
     (bootloader-configuration
      (bootloader (if (eq? package grub) grub-bootloader grub-efi-bootloader))
      field ...))
    ((_ field ...)
     (bootloader-configuration (bootloader grub-bootloader) field ...))))
