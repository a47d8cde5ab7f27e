;;; (gnu system images unmatched) -- images for the SiFive HiFive Unmatched.
;;;
;;; The HiFive Unmatched is a RISC-V (riscv64) mini-ITX board.  Its boot ROM
;;; looks for the loaders in GPT partitions identified by their *type*
;;; GUIDs, so this image uses a GPT table with two unformatted partitions
;;; in front of the root file system:
;;;
;;;   sector 34     "spl"   (1 MiB)  U-Boot's SPL: spl/u-boot-spl.bin
;;;   sector 2082   "uboot" (4 MiB)  U-Boot proper: u-boot.itb
;;;   then          the ext4 root partition, right after "uboot"
;;;
;;; U-Boot's disk-image installer writes the two files at exactly those
;;; offsets (see gnu/bootloader/u-boot.scm).
;;;
;;;   pyguix system image -t unmatched-raw my-os.scm

(define-module (gnu system images unmatched)
  #:use-module (gnu bootloader)
  #:use-module (gnu bootloader u-boot)
  #:use-module (gnu image)
  #:use-module (gnu packages linux)
  #:use-module (guix platforms riscv)
  #:use-module (gnu services)
  #:use-module (gnu services base)
  #:use-module (gnu services networking)
  #:use-module (gnu system)
  #:use-module (gnu system file-systems)
  #:use-module (gnu system image)
  #:use-module (gnu system uuid)
  #:export (unmatched-barebones-os
            unmatched-disk-image
            unmatched-image-type
            unmatched-barebones-raw-image))

(define unmatched-barebones-os
  (operating-system
    (host-name "unmatched")
    (timezone "Asia/Jerusalem")
    (locale "en_US.utf8")
    (bootloader (bootloader-configuration
                 (bootloader u-boot-sifive-unmatched-bootloader)
                 (targets '("/dev/vda"))))
    (initrd-modules '())
    (kernel linux-libre-riscv64-generic)
    (file-systems (cons (file-system
                          (device (file-system-label "my-root"))
                          (mount-point "/")
                          (type "ext4"))
                        %base-file-systems))
    (services (append (list (service agetty-service-type
                                     (agetty-configuration
                                      (extra-options '("-L"))
                                      (baud-rate "115200")
                                      (term "vt100")
                                      (tty "ttySIF0")))  ;SiFive's serial port
                            (service dhcpcd-service-type))
                      %base-services))))

;; For an "unformatted" partition on a GPT disk, the uuid field is the
;; partition's type GUID: this is how the boot ROM recognizes it.
(define unmatched-disk-image
  (image-without-os
   (format 'disk-image)
   (partition-table-type 'gpt)
   (partitions
    (list (partition
           (size (expt 2 20))                  ;1 MiB
           (label "spl")
           (offset (* 34 512))                 ;17408: right after the GPT
           (file-system "unformatted")
           (uuid (uuid "5b193300-fc78-40cd-8002-e86c45580b47")))  ;HiFive FSBL
          (partition
           (size (* 4 (expt 2 20)))            ;4 MiB
           (label "uboot")
           (offset (* 2082 512))               ;1065984
           (file-system "unformatted")
           (uuid (uuid "2e54b353-1271-4842-806f-e436d6af6985")))  ;HiFive BBL
          root-partition))))                   ;offset 0: right after uboot

(define unmatched-image-type
  (image-type
   (name 'unmatched-raw)
   (constructor (lambda (os)
                  (image
                   (inherit unmatched-disk-image)
                   (platform riscv64-linux)
                   (operating-system os))))))

(define unmatched-barebones-raw-image
  (image
   (inherit (os+platform->image unmatched-barebones-os riscv64-linux
                                #:type unmatched-image-type))
   (name 'unmatched-barebones-raw-image)))

;; The module's value: what `pyguix system image FILE' builds for this file.
unmatched-barebones-raw-image
