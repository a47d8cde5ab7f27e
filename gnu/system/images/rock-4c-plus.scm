;;; (gnu system images rock-4c-plus) -- the Radxa ROCK 4C+ (RK3399).
;;;
;;; The ROCK 4C+ is a Raspberry-Pi-sized board with an RK3399 SoC.
;;;
;;;   pyguix system image -t rock-4c-plus-raw my-os.scm
;;;
;;; What lands where on the SD card (see gnu/bootloader/u-boot.scm):
;;;   byte 0        the MBR (partition table)
;;;   byte 32 KiB   idbloader.img
;;;   byte 8 MiB    u-boot.itb
;;;   byte 16 MiB   the ext4 root partition

(define-module (gnu system images rock-4c-plus)
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
  #:export (rock-4c-plus-barebones-os
            rock-4c-plus-image-type
            rock-4c-plus-barebones-raw-image))

(define rock-4c-plus-barebones-os
  (operating-system
    (host-name "huesca")
    (timezone "Europe/Madrid")
    (locale "en_US.utf8")
    (bootloader (bootloader-configuration
                 (bootloader u-boot-rock-4c-plus-rk3399-bootloader)
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
                                      (tty "ttyS2")))
                            (service dhcpcd-service-type))
                      %base-services))))

;; The board's image: one root partition at 16 MiB,
;; for an aarch64 machine.
(define rock-4c-plus-image-type
  (image-type
   (name 'rock-4c-plus-raw)
   (constructor (lambda (os)
                  (image
                   (inherit (raw-with-offset-disk-image (* 16 (expt 2 20))))
                   (platform aarch64-linux)
                   (operating-system os))))))

(define rock-4c-plus-barebones-raw-image
  (image
   (inherit (os+platform->image
              rock-4c-plus-barebones-os aarch64-linux
              #:type rock-4c-plus-image-type))
   (name 'rock-4c-plus-barebones-raw-image)))

;; The module's value: what `pyguix system image FILE' builds for this file.
rock-4c-plus-barebones-raw-image
