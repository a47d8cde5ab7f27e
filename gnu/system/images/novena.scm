;;; (gnu system images novena) -- the Novena laptop (Freescale i.MX6).
;;;
;;; The Novena is an open-hardware laptop built around an i.MX6 SoC.
;;;
;;;   pyguix system image -t novena-raw my-os.scm
;;;
;;; What lands where on the SD card (see gnu/bootloader/u-boot.scm):
;;;   byte 0        the MBR (partition table)
;;;   byte 1 KiB    SPL (the i.MX boot ROM loads it from here)
;;;   byte 69 KiB   u-boot.img
;;;   byte 1 MiB    the ext4 root partition

(define-module (gnu system images novena)
  #:use-module (gnu bootloader)
  #:use-module (gnu bootloader u-boot)
  #:use-module (gnu image)
  #:use-module (gnu packages linux)
  #:use-module (guix platforms arm)
  #:use-module (gnu services)
  #:use-module (gnu services base)
  #:use-module (gnu system)
  #:use-module (gnu system file-systems)
  #:use-module (gnu system image)
  #:export (novena-barebones-os
            novena-image-type
            novena-barebones-raw-image))

(define novena-barebones-os
  (operating-system
    (host-name "vignemale")
    (timezone "Europe/Paris")
    (locale "en_US.utf8")
    (bootloader (bootloader-configuration
                 (bootloader u-boot-novena-bootloader)
                 (targets '("/dev/vda"))))
    (initrd-modules '())                ;the kernel has what the board needs
    (kernel linux-libre-arm-generic)
    (kernel-arguments '("console=ttymxc1,115200"))
    (file-systems (cons (file-system
                          (device (file-system-label "my-root"))
                          (mount-point "/")
                          (type "ext4"))
                        %base-file-systems))
    (services %base-services)))

;; The board's image: one root partition at 1 MiB, the default,
;; for a 32-bit ARMv7 machine.
(define novena-image-type
  (image-type
   (name 'novena-raw)
   (constructor (lambda (os)
                  (image
                   (inherit (raw-with-offset-disk-image root-offset))
                   (platform armv7-linux)
                   (operating-system os))))))

(define novena-barebones-raw-image
  (image
   (inherit (os+platform->image
              novena-barebones-os armv7-linux
              #:type novena-image-type))
   (name 'novena-barebones-raw-image)))

;; The module's value: what `pyguix system image FILE' builds for this file.
novena-barebones-raw-image
