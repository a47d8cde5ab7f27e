;;; (gnu system images a20-olinuxino-lime2) -- Olimex A20-OLinuXino-LIME2.
;;;
;;; The LIME2 is an open-hardware board with a dual-core Allwinner A20.
;;;
;;;   pyguix system image -t a20-olinuxino-lime2-raw my-os.scm
;;;
;;; What lands where on the SD card (see gnu/bootloader/u-boot.scm):
;;;   byte 0        the MBR (partition table)
;;;   byte 8 KiB    u-boot-sunxi-with-spl.bin (SPL + U-Boot)
;;;   byte 4 MiB    the ext4 root partition (sector 8192)

(define-module (gnu system images a20-olinuxino-lime2)
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
  #:export (a20-olinuxino-lime2-barebones-os
            a20-olinuxino-lime2-image-type
            a20-olinuxino-lime2-barebones-raw-image))

(define a20-olinuxino-lime2-barebones-os
  (operating-system
    (host-name "olimex")
    (timezone "Europe/Paris")
    (locale "en_GB.utf8")
    (bootloader (bootloader-configuration
                 (bootloader u-boot-a20-olinuxino-lime2-bootloader)
                 (targets '("/dev/vda"))))
    (initrd-modules '())                ;the kernel has what the board needs
    (kernel linux-libre-arm-generic)
    (kernel-arguments '("console=tty1"))
    (file-systems (cons (file-system
                          (device (file-system-label "my-root"))
                          (mount-point "/")
                          (type "ext4"))
                        %base-file-systems))
    (services %base-services)))

;; The board's image: one root partition at sector 8192 = 4 MiB,
;; for a 32-bit ARMv7 machine.
(define a20-olinuxino-lime2-image-type
  (image-type
   (name 'a20-olinuxino-lime2-raw)
   (constructor (lambda (os)
                  (image
                   (inherit (raw-with-offset-disk-image (* 8192 512)))
                   (platform armv7-linux)
                   (operating-system os))))))

(define a20-olinuxino-lime2-barebones-raw-image
  (image
   (inherit (os+platform->image
              a20-olinuxino-lime2-barebones-os armv7-linux
              #:type a20-olinuxino-lime2-image-type))
   (name 'a20-olinuxino-lime2-barebones-raw-image)))

;; The module's value: what `pyguix system image FILE' builds for this file.
a20-olinuxino-lime2-barebones-raw-image
