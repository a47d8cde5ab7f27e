;;; (gnu system images orangepi-r1-plus-lts-rk3328) -- Orange Pi R1 Plus LTS.
;;;
;;; The Orange Pi R1 Plus LTS is a tiny board with two Ethernet ports,
;;; often used as a home router.
;;;
;;;   pyguix system image -t orangepi-r1-plus-lts-rk3328-raw my-os.scm
;;;
;;; What lands where on the SD card (see gnu/bootloader/u-boot.scm):
;;;   byte 0        the MBR (partition table)
;;;   byte 32 KiB   idbloader.img
;;;   byte 8 MiB    u-boot.itb
;;;   byte 16 MiB   the ext4 root partition

(define-module (gnu system images orangepi-r1-plus-lts-rk3328)
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
  #:export (orangepi-r1-plus-lts-rk3328-barebones-os
            orangepi-r1-plus-lts-rk3328-image-type
            orangepi-r1-plus-lts-rk3328-barebones-raw-image))

(define orangepi-r1-plus-lts-rk3328-barebones-os
  (operating-system
    (host-name "windmolen")
    (timezone "Europe/Amsterdam")
    (locale "en_US.utf8")
    (bootloader (bootloader-configuration
                 (bootloader u-boot-orangepi-r1-plus-lts-rk3328-bootloader)
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
                            (service dhcpcd-service-type)
                            (service ntp-service-type))
                      %base-services))))

;; The board's image: one root partition at 16 MiB,
;; for an aarch64 machine.
(define orangepi-r1-plus-lts-rk3328-image-type
  (image-type
   (name 'orangepi-r1-plus-lts-rk3328-raw)
   (constructor (lambda (os)
                  (image
                   (inherit (raw-with-offset-disk-image (* 16 (expt 2 20))))
                   (platform aarch64-linux)
                   (operating-system os))))))

(define orangepi-r1-plus-lts-rk3328-barebones-raw-image
  (image
   (inherit (os+platform->image
              orangepi-r1-plus-lts-rk3328-barebones-os aarch64-linux
              #:type orangepi-r1-plus-lts-rk3328-image-type))
   (name 'orangepi-r1-plus-lts-rk3328-barebones-raw-image)))

;; The module's value: what `pyguix system image FILE' builds for this file.
orangepi-r1-plus-lts-rk3328-barebones-raw-image
