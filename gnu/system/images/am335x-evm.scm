;;; (gnu system images am335x-evm) -- TI's AM335x evaluation module.
;;;
;;; The AM335x EVM is Texas Instruments' reference board for its
;;; Cortex-A8 SoCs; the same U-Boot runs several BeagleBone variants.
;;;
;;;   pyguix system image -t am335x-evm-raw my-os.scm
;;;
;;; What lands where on the SD card (see gnu/bootloader/u-boot.scm):
;;;   byte 0        the MBR (partition table)
;;;   byte 128 KiB  MLO (first-stage loader; the ROM tries here...)
;;;   byte 256 KiB  MLO again (...and here)
;;;   byte 384 KiB  u-boot.img
;;;   byte 4 MiB    the ext4 root partition

(define-module (gnu system images am335x-evm)
  #:use-module (gnu bootloader)
  #:use-module (gnu bootloader u-boot)
  #:use-module (gnu image)
  #:use-module (gnu packages linux)
  #:use-module (guix platforms arm)
  #:use-module (gnu services)
  #:use-module (gnu services base)
  #:use-module (gnu services networking)
  #:use-module (gnu system)
  #:use-module (gnu system file-systems)
  #:use-module (gnu system image)
  #:export (am335x-evm-barebones-os
            am335x-evm-image-type
            am335x-evm-barebones-raw-image))

(define am335x-evm-barebones-os
  (operating-system
    (host-name "guadalajara")
    (timezone "Europe/Madrid")
    (locale "en_US.utf8")
    (bootloader (bootloader-configuration
                 (bootloader u-boot-am335x-evm-bootloader)
                 (targets '("/dev/vda"))))
    (initrd-modules '())                ;the kernel has what the board needs
    (kernel linux-libre-arm-generic)
    (file-systems (cons (file-system
                          (device (file-system-label "my-root"))
                          (mount-point "/")
                          (type "ext4"))
                        %base-file-systems))
    (services (append (list (service agetty-service-type
                                     (agetty-configuration
                                      (extra-options '("-L")) ;no carrier detect
                                      (baud-rate "115200")
                                      (term "vt100")
                                      (tty "ttyS0")))
                            (service dhcpcd-service-type))
                      %base-services))))

;; The board's image: one root partition at 4 MiB,
;; for a 32-bit ARMv7 machine.
;; (Guix sets no image name for this board: the output is "disk-image".)
(define am335x-evm-image-type
  (image-type
   (name 'am335x-evm-raw)
   (constructor (lambda (os)
                  (image
                   (inherit (raw-with-offset-disk-image (expt 2 22)))
                   (platform armv7-linux)
                   (operating-system os))))))

(define am335x-evm-barebones-raw-image
  (image
   (inherit (os+platform->image
              am335x-evm-barebones-os armv7-linux
              #:type am335x-evm-image-type))
   (name 'am335x-evm-barebones-raw-image)))

;; The module's value: what `pyguix system image FILE' builds for this file.
am335x-evm-barebones-raw-image
