;; my-pine-os.scm for QEMU's "virt" board: the same Pine64 system, but its
;; getty and kernel console are on QEMU virt's PL011 UART (ttyAMA0), where
;; the board has its 8250 UART (ttyS0).  Built with -t pine64-raw it has the
;; Pine64-LTS layout (U-Boot at 8 KiB, root at 1 MiB) and boots with
;;   qemu-system-aarch64 -M virt -cpu cortex-a53 -m 1024 -nographic \
;;     -bios /usr/lib/u-boot/qemu_arm64/u-boot.bin \
;;     -drive if=none,file=IMG,format=raw,id=hd0 -device virtio-blk-device,drive=hd0
;; (QEMU's U-Boot reads the image's /boot/extlinux/extlinux.conf as the board's would.)
(use-modules (gnu)
             (gnu bootloader u-boot)
             (gnu system images pine64))
(use-package-modules linux)
(use-service-modules networking)

(operating-system
  (host-name "vignemale")
  (timezone "Europe/Paris")
  (locale "en_US.utf8")
  (bootloader (bootloader-configuration
               (bootloader u-boot-pine64-lts-bootloader)
               (targets '("/dev/vda"))))
  (initrd-modules '())
  (kernel linux-libre-arm64-generic)
  (kernel-arguments '("console=ttyAMA0"))
  (file-systems (cons (file-system
                        (device (file-system-label "my-root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (services (cons (service agetty-service-type
                           (agetty-configuration
                            (extra-options '("-L")) ; no carrier detect
                            (baud-rate "115200")
                            (term "vt100")
                            (tty "ttyAMA0")))
                  %base-services)))
