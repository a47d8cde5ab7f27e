;;; (gnu system images visionfive2) -- images for the StarFive VisionFive 2.
;;;
;;; The VisionFive 2 is a RISC-V (riscv64) board with a StarFive JH7110.
;;; Like the HiFive Unmatched (see unmatched.scm) it finds its loaders in
;;; GPT partitions recognized by their type GUIDs:
;;;
;;;   sector 34     "spl"   (1 MiB)  spl/u-boot-spl.bin.normal.out
;;;   sector 2082   "uboot" (4 MiB)  u-boot.itb
;;;   then          the ext4 root partition
;;;
;;;   pyguix system image -t visionfive2-raw my-os.scm

(define-module (gnu system images visionfive2)
  #:use-module (gnu bootloader)
  #:use-module (gnu bootloader u-boot)
  #:use-module (gnu image)
  #:use-module (guix platforms riscv)
  #:use-module (gnu services)
  #:use-module (gnu services base)
  #:use-module (gnu services networking)
  #:use-module (gnu services ssh)
  #:use-module (gnu system)
  #:use-module (gnu system file-systems)
  #:use-module (gnu system image)
  #:use-module (gnu system uuid)
  #:export (visionfive2-barebones-os
            visionfive2-disk-image
            visionfive2-image-type
            visionfive2-barebones-raw-image))

;; This board runs the default kernel (no `kernel' field), which needs a
;; few modules in the initrd to reach the SD card and NVMe drive.
(define visionfive2-barebones-os
  (operating-system
    (host-name "visionfive2")
    (timezone "Etc/UTC")
    (locale "en_US.utf8")
    (bootloader (bootloader-configuration
                 (bootloader u-boot-starfive-visionfive2-bootloader)
                 (targets '("/dev/vda"))))
    (initrd-modules '("dw_mmc-starfive" "nvme"))
    (kernel-arguments '("earlycon" "clk_ignore_unused"))
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
                                      (tty "ttyS0")))
                            (service openssh-service-type)
                            (service dhcpcd-service-type))
                      %base-services))))

;; The uuid of an unformatted GPT partition is its type GUID (upper or
;; lower case hexadecimal digits are both fine).
(define visionfive2-disk-image
  (image-without-os
   (format 'disk-image)
   (partition-table-type 'gpt)
   (partitions
    (list (partition
           (size (expt 2 20))
           (label "spl")
           (offset (* 34 512))
           (file-system "unformatted")
           (uuid (uuid "2E54B353-1271-4842-806F-E436D6AF6985")))
          (partition
           (size (* 4 (expt 2 20)))
           (label "uboot")
           (offset (* 2082 512))
           (file-system "unformatted")
           (uuid (uuid "BC13C2FF-59E6-4262-A352-B275FD6F7172")))
          root-partition))))

(define visionfive2-image-type
  (image-type
   (name 'visionfive2-raw)
   (constructor (lambda (os)
                  (image
                   (inherit visionfive2-disk-image)
                   (platform riscv64-linux)
                   (operating-system os))))))

(define visionfive2-barebones-raw-image
  (image
   (inherit (os+platform->image visionfive2-barebones-os riscv64-linux
                                #:type visionfive2-image-type))
   (name 'visionfive2-barebones-raw-image)))

;; The module's value: what `pyguix system image FILE' builds for this file.
visionfive2-barebones-raw-image
