;;; (gnu system images pinebook-pro) -- the Pinebook Pro (Rockchip RK3399).
;;;
;;; The Pinebook Pro is a 14" ARM laptop.  Its boot ROM reads Rockchip's
;;; first-stage loader from sector 64 of the eMMC or SD card.
;;;
;;;   pyguix system image -t pinebook-pro-raw my-os.scm
;;;
;;; What lands where on the SD card (see gnu/bootloader/u-boot.scm):
;;;   byte 0        the MBR (partition table)
;;;   byte 32 KiB   idbloader.img (DRAM setup + SPL)
;;;   byte 8 MiB    u-boot.itb (U-Boot proper and ARM Trusted Firmware)
;;;   byte 16 MiB   the ext4 root partition

(define-module (gnu system images pinebook-pro)
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
  #:export (pinebook-pro-barebones-os
            pinebook-pro-image-type
            pinebook-pro-barebones-raw-image))

(define pinebook-pro-barebones-os
  (operating-system
    (host-name "viso")
    (timezone "Europe/Paris")
    (locale "en_US.utf8")
    (bootloader (bootloader-configuration
                 (bootloader u-boot-pinebook-pro-rk3399-bootloader)
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
                                      (baud-rate "1500000")
                                      (term "vt100")
                                      (tty "ttyS2"))))
                      %base-services))))

;; The board's image: one root partition at 16 MiB: clear of U-Boot at 8 MiB,
;; for an aarch64 machine.
(define pinebook-pro-image-type
  (image-type
   (name 'pinebook-pro-raw)
   (constructor (lambda (os)
                  (image
                   (inherit (raw-with-offset-disk-image (* 16 (expt 2 20))))
                   (platform aarch64-linux)
                   (operating-system os))))))

(define pinebook-pro-barebones-raw-image
  (image
   (inherit (os+platform->image
              pinebook-pro-barebones-os aarch64-linux
              #:type pinebook-pro-image-type))
   (name 'pinebook-pro-barebones-raw-image)))

;; The module's value: what `pyguix system image FILE' builds for this file.
pinebook-pro-barebones-raw-image
