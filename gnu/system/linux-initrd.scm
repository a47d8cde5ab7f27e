;;; (gnu system linux-initrd) -- the initial RAM disk.
;;;
;;; The kernel modules listed here are loaded by the initrd before the root
;;; file system is mounted.

(define-module (gnu system linux-initrd)
  #:export (base-initrd raw-initrd expression->initrd %base-initrd-modules))

(define %base-initrd-modules
  ;; Disk and file system drivers for common PCs and virtual machines, in
  ;; Guix 1.5's order.
  '("ahci" "usb-storage" "uas" "usbhid" "hid-generic" "hid-apple" "mmc_block"
    "dm-crypt" "xts" "serpent_generic" "wp512" "nls_iso8859-1"
    "pata_acpi" "pata_atiixp" "isci"
    "virtio_pci" "virtio_balloon" "virtio_blk" "virtio_net" "virtio_console"
    "virtio-rng" "virtio_mmio" "virtio_scsi"))

;; Procedures in Guix; here they stand for "the default initrd".
(define* (base-initrd file-systems #:key (linux #f) (linux-modules '())
                      (mapped-devices '()) keyboard-layout
                      (qemu-networking? #f) (volatile-root? #f) #:allow-other-keys)
  'base-initrd)

(define* (raw-initrd file-systems #:key #:allow-other-keys)
  'raw-initrd)

(define* (expression->initrd exp #:key #:allow-other-keys)
  'custom-initrd)
