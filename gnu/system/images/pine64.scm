;;; (gnu system images pine64) -- images for the Pine64 LTS board.
;;;
;;; An example of a board module: a minimal operating system for the board,
;;; an image type named pine64-raw, and a ready-made image.  Build the image
;;; of your own system with
;;;
;;;   pyguix system image -t pine64-raw my-pine-os.scm
;;;
;;; What lands where on the SD card (see also gnu/bootloader/u-boot.scm):
;;;   byte 0        the MBR (partition table)
;;;   byte 8192     U-Boot with its SPL (u-boot-sunxi-with-spl.bin), where
;;;                 the Allwinner A64's boot ROM looks for it
;;;   byte 1 MiB    the ext4 root partition, with /boot/extlinux/extlinux.conf

(define-module (gnu system images pine64)
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
  #:use-module (srfi srfi-26)
  #:export (pine64-barebones-os
            pine64-image-type
            pine64-barebones-raw-image))

(define pine64-barebones-os
  (operating-system
    (host-name "vignemale")
    (timezone "Europe/Paris")
    (locale "en_US.utf8")
    (bootloader (bootloader-configuration
                 (bootloader u-boot-pine64-lts-bootloader)
                 (targets '("/dev/vda"))))
    (initrd-modules '())                ;the kernel has what the board needs
    (kernel linux-libre-arm64-generic)
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
                                      (tty "ttyS0")))   ;the board's serial port
                            (service dhcpcd-service-type)
                            (service ntp-service-type))
                      %base-services))))

;; The board's image: one root partition at 1 MiB, for an aarch64 machine.
(define pine64-image-type
  (image-type
   (name 'pine64-raw)
   (constructor (lambda (os)
                  (image
                   (inherit (raw-with-offset-disk-image))
                   (platform aarch64-linux)
                   (operating-system os))))))

(define pine64-barebones-raw-image
  (image
   (inherit (os+platform->image pine64-barebones-os aarch64-linux
                                #:type pine64-image-type))
   (name 'pine64-barebones-raw-image)))

;; The module's value, for `pyguix system image gnu/system/images/pine64.scm'.
pine64-barebones-raw-image
