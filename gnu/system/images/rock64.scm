;;; (gnu system images rock64) -- the Pine64 ROCK64 (Rockchip RK3328).
;;;
;;; The ROCK64 is a small single-board computer with gigabit Ethernet.
;;;
;;;   pyguix system image -t rock64-raw my-os.scm
;;;
;;; What lands where on the SD card (see gnu/bootloader/u-boot.scm):
;;;   byte 0        the MBR (partition table)
;;;   byte 32 KiB   idbloader.img
;;;   byte 8 MiB    u-boot.itb
;;;   byte 16 MiB   the ext4 root partition

(define-module (gnu system images rock64)
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
  #:export (rock64-barebones-os
            rock64-image-type
            rock64-barebones-raw-image))

(define rock64-barebones-os
  (operating-system
    (host-name "jiehkkevarri")
    (timezone "Europe/Oslo")
    (locale "en_US.utf8")
    (bootloader (bootloader-configuration
                 (bootloader u-boot-rock64-rk3328-bootloader)
                 (targets '("/dev/vda"))))
    (initrd-modules '())                ;the kernel has what the board needs
    (kernel linux-libre-arm64-generic)
    (file-systems (cons (file-system
                          (device (file-system-label "my-root"))
                          (mount-point "/")
                          (type "ext4"))
                        %base-file-systems))
    (services (append (list (service dhcpcd-service-type))
                      %base-services))))

;; The board's image: one root partition at 16 MiB,
;; for an aarch64 machine.
(define rock64-image-type
  (image-type
   (name 'rock64-raw)
   (constructor (lambda (os)
                  (image
                   (inherit (raw-with-offset-disk-image (expt 2 24)))
                   (platform aarch64-linux)
                   (operating-system os))))))

(define rock64-barebones-raw-image
  (image
   (inherit (os+platform->image
              rock64-barebones-os aarch64-linux
              #:type rock64-image-type))
   (name 'rock64-barebones-raw-image)))

;; The module's value: what `pyguix system image FILE' builds for this file.
rock64-barebones-raw-image
