;;; (gnu bootloader u-boot) -- U-Boot for ARM and RISC-V boards.
;;;
;;; A board's ROM loads U-Boot from fixed places on the SD card, before any
;;; partition; U-Boot then reads /boot/extlinux/extlinux.conf.  So each
;;; board's bootloader lists its raw writes: (FILE OFFSET [SIZE]) says "copy
;;; FILE (from the board's U-Boot package) to byte OFFSET of the disk",
;;; writing SIZE bytes when given, the whole file otherwise.  pyguix checks
;;; that these writes overlap neither the partition table nor a partition.

(define-module (gnu bootloader u-boot)
  #:use-module (gnu bootloader)
  #:use-module (gnu bootloader extlinux)
  #:use-module (gnu packages bootloaders)
  #:export (u-boot-bootloader u-boot-blobs
            u-boot-allwinner-bootloader u-boot-allwinner64-bootloader
            u-boot-imx-bootloader u-boot-rockchip-bootloader

            u-boot-a20-olinuxino-lime-bootloader u-boot-a20-olinuxino-lime2-bootloader
            u-boot-a20-olinuxino-micro-bootloader u-boot-bananapi-m2-ultra-bootloader
            u-boot-cubietruck-bootloader u-boot-orangepi-zero2w-bootloader
            u-boot-pine64-lts-bootloader u-boot-pine64-plus-bootloader
            u-boot-pinebook-bootloader
            u-boot-mx6cuboxi-bootloader u-boot-wandboard-bootloader u-boot-novena-bootloader
            u-boot-firefly-rk3399-bootloader u-boot-rock64-rk3328-bootloader
            u-boot-rockpro64-rk3399-bootloader u-boot-pinebook-pro-rk3399-bootloader
            u-boot-orangepi-r1-plus-lts-rk3328-bootloader u-boot-rock-4c-plus-rk3399-bootloader
            u-boot-nanopi-r4s-rk3399-bootloader u-boot-puma-rk3399-bootloader
            u-boot-beaglebone-black-bootloader u-boot-am335x-evm-bootloader
            u-boot-sifive-unmatched-bootloader u-boot-starfive-visionfive2-bootloader
            u-boot-qemu-riscv64-bootloader u-boot-ts7970-q-2g-1000mhz-c-bootloader))

;; The raw writes of a bootloader record (see above), or '().
(define (u-boot-blobs bootloader)
  (or (bootloader-disk-image-installer bootloader) '()))

;; The abstract U-Boot: extlinux.conf, no package, nothing written raw.
(define u-boot-bootloader
  (bootloader
   (inherit extlinux-bootloader)
   (name 'u-boot)
   (package #f)))

;;; Families: where each SoC's boot ROM looks for the bootloader.

(define (allwinner package)              ;Allwinner: SPL + U-Boot at 8 KiB
  (bootloader
   (inherit u-boot-bootloader)
   (package package)
   (disk-image-installer '(("u-boot-sunxi-with-spl.bin" 8192)))))

(define (allwinner64 package)            ;64-bit Allwinner: SPL at 8 KiB, FIT at 40 KiB
  (bootloader
   (inherit u-boot-bootloader)
   (package package)
   (disk-image-installer '(("u-boot-sunxi-with-spl.bin" 8192)
                           ("u-boot-sunxi-with-spl.fit.itb" 40960)))))

(define (imx package)                    ;i.MX: SPL at 1 KiB, u-boot.img at 69 KiB
  (bootloader
   (inherit u-boot-bootloader)
   (package package)
   (disk-image-installer '(("SPL" 1024)
                           ("u-boot.img" 70656)))))

(define (rockchip package)               ;Rockchip: idbloader at 32 KiB, U-Boot at 8 MiB
  (bootloader
   (inherit u-boot-bootloader)
   (package package)
   (disk-image-installer '(("idbloader.img" 32768)
                           ("u-boot.itb" 8388608)))))

(define u-boot-allwinner-bootloader (allwinner #f))
(define u-boot-allwinner64-bootloader (allwinner64 #f))
(define u-boot-imx-bootloader (imx #f))
(define u-boot-rockchip-bootloader (rockchip #f))

;;; Boards.

(define u-boot-a20-olinuxino-lime-bootloader (allwinner u-boot-a20-olinuxino-lime))
(define u-boot-a20-olinuxino-lime2-bootloader (allwinner u-boot-a20-olinuxino-lime2))
(define u-boot-a20-olinuxino-micro-bootloader (allwinner u-boot-a20-olinuxino-micro))
(define u-boot-bananapi-m2-ultra-bootloader (allwinner u-boot-bananapi-m2-ultra))
(define u-boot-cubietruck-bootloader (allwinner u-boot-cubietruck))
(define u-boot-orangepi-zero2w-bootloader (allwinner u-boot-orangepi-zero2w))
(define u-boot-pine64-lts-bootloader (allwinner u-boot-pine64-lts))
(define u-boot-pine64-plus-bootloader (allwinner64 u-boot-pine64-plus))
(define u-boot-pinebook-bootloader (allwinner64 u-boot-pinebook))

(define u-boot-mx6cuboxi-bootloader (imx u-boot-mx6cuboxi))
(define u-boot-wandboard-bootloader (imx u-boot-wandboard))
(define u-boot-novena-bootloader (imx u-boot-novena))

(define u-boot-firefly-rk3399-bootloader (rockchip u-boot-firefly-rk3399))
(define u-boot-rock64-rk3328-bootloader (rockchip u-boot-rock64-rk3328))
(define u-boot-rockpro64-rk3399-bootloader (rockchip u-boot-rockpro64-rk3399))
(define u-boot-pinebook-pro-rk3399-bootloader (rockchip u-boot-pinebook-pro-rk3399))
(define u-boot-orangepi-r1-plus-lts-rk3328-bootloader (rockchip u-boot-orangepi-r1-plus-lts-rk3328))
(define u-boot-rock-4c-plus-rk3399-bootloader (rockchip u-boot-rock-4c-plus-rk3399))
(define u-boot-nanopi-r4s-rk3399-bootloader (rockchip u-boot-nanopi-r4s-rk3399))

(define u-boot-puma-rk3399-bootloader    ;like Rockchip, but U-Boot at 256 KiB
  (bootloader
   (inherit u-boot-bootloader)
   (package u-boot-puma-rk3399)
   (disk-image-installer '(("idbloader.img" 32768)
                           ("u-boot.itb" 262144)))))

(define u-boot-beaglebone-black-bootloader
  ;; The TI ROM tries MLO at 128 KiB; U-Boot proper follows at 512 KiB.
  (bootloader
   (inherit u-boot-bootloader)
   (package u-boot-am335x-boneblack)
   (disk-image-installer '(("MLO" 131072 131072)
                           ("u-boot.img" 524288 393216)))))

(define u-boot-am335x-evm-bootloader
  ;; MLO twice (the ROM's second try), then U-Boot at 384 KiB.
  (bootloader
   (inherit u-boot-bootloader)
   (package u-boot-am335x-evm)
   (disk-image-installer '(("MLO" 131072 131072)
                           ("MLO" 262144 131072)
                           ("u-boot.img" 393216 3801088)))))

(define (sifive-like package spl)        ;SPL at sector 34, U-Boot at sector 2082 (GPT)
  (bootloader
   (inherit u-boot-bootloader)
   (package package)
   (disk-image-installer (list (list spl 17408)
                               (list "u-boot.itb" 1065984)))))

(define u-boot-sifive-unmatched-bootloader
  (sifive-like u-boot-sifive-unmatched "spl/u-boot-spl.bin"))
(define u-boot-starfive-visionfive2-bootloader
  (sifive-like u-boot-starfive-visionfive2 "spl/u-boot-spl.bin.normal.out"))

;; These two copy U-Boot into /boot instead of writing it raw.
(define u-boot-qemu-riscv64-bootloader
  (bootloader (inherit u-boot-bootloader) (package u-boot-qemu-riscv64)))
(define u-boot-ts7970-q-2g-1000mhz-c-bootloader
  (bootloader (inherit u-boot-bootloader) (package u-boot-ts7970-q-2g-1000mhz-c)))
