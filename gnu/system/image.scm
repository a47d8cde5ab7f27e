;;; (gnu system image) -- the images and image types Guix provides.
;;;
;;; Read this file to learn the image API.  Each image below is a template
;;; made with `image-without-os': a format, a partition table and partitions,
;;; but no operating system yet.  Each image type pairs a name (what
;;; `-t NAME' selects) with a constructor that puts an operating system into
;;; one of those templates, usually with `(cut image-with-os TEMPLATE <>)'.
;;;
;;; Sizes are in bytes.  An offset of 0 means "right after the previous
;;; partition"; a size of 'guess means "the content, plus a 25% margin".

(define-module (gnu system image)
  #:use-module (srfi srfi-1)
  #:use-module (srfi srfi-26)
  #:use-module (gnu image)
  #:use-module (gnu system)
  #:use-module (gnu bootloader grub)
  #:use-module ((gnu services) #:select (service))
  #:use-module ((gnu services base) #:select (%base-services))
  #:use-module ((gnu services networking) #:select (dhcpcd-service-type))
  #:use-module ((gnu services ssh) #:select (openssh-service-type openssh-configuration))
  #:use-module ((gnu packages screen) #:select (screen))
  #:use-module ((gnu packages ssh) #:select (openssh-sans-x))
  #:use-module (guix platform)
  #:use-module ((guix platforms arm) #:select (armv7-linux aarch64-linux))
  #:export (root-offset root-label
            arm32-disk-image arm64-disk-image       ;Guix 1.2's, deprecated
            esp-partition esp32-partition esp-partition/grub esp32-partition/grub
            root-partition

            efi-disk-image efi32-disk-image mbr-disk-image mbr-hybrid-disk-image
            iso9660-image docker-image tarball-image wsl2-image
            raw-with-offset-disk-image

            image-with-os image-without-os image-with-label os+platform->image
            os->image lookup-image-type-by-name

            mbr-raw-image-type mbr-hybrid-raw-image-type efi-raw-image-type
            efi32-raw-image-type qcow2-image-type qcow2-gpt-image-type
            iso-image-type uncompressed-iso-image-type docker-image-type
            tarball-image-type wsl2-image-type raw-with-offset-image-type
            raw-image-type %bare-bones-os))

;;; Building blocks.

;; The root partition starts 1 MiB into the disk: on BIOS machines GRUB's
;; core image lives in the gap between the MBR and the first partition.
(define root-offset (* 512 2048))

;; The label GRUB's EFI stub searches for to find the root partition.
(define root-label "Guix_image")

;; The EFI system partition: 40 MiB of FAT16 holding EFI/BOOT/BOOTX64.EFI.
(define esp-partition/grub
  (partition
   (size (* 40 (expt 2 20)))
   (offset root-offset)
   (label "GNU-ESP")                    ;cosmetic only
   (file-system "vfat")
   (flags '(esp))
   (initializer 'initialize-efi-partition)))

;; The same for machines with 32-bit UEFI firmware (BOOTIA32.EFI).
(define esp32-partition/grub
  (partition
   (inherit esp-partition/grub)
   (initializer 'initialize-efi32-partition)))

(define esp-partition esp-partition/grub)       ;deprecated names
(define esp32-partition esp32-partition/grub)

;; The root file system: the operating system, its store and /boot.
;; U-Boot cannot read ext4 with metadata checksums or 64-bit block numbers.
(define root-partition
  (partition
   (size 'guess)
   (label root-label)
   (file-system "ext4")
   (file-system-options (list "-O" "^metadata_csum,^64bit"))
   (flags '(boot))
   (initializer 'initialize-root-partition)))

;;; Helpers.

;; An image template: an image record without an operating system.
(define-syntax-rule (image-without-os fields ...)
  (image (operating-system #false) fields ...))

;; BASE with OS in it.  A macro, as in Guix, so (cut image-with-os BASE <>)
;; makes an image type constructor.
(define-syntax-rule (image-with-os base os)
  (image (inherit base) (operating-system os)))

;; A copy of IMAGE whose first partition is labelled LABEL (--label).
(define (image-with-label base label)
  (image
   (inherit base)
   (partitions (match (image-partitions base)
                 ((first . rest) (cons (partition (inherit first) (label label)) rest))
                 (() '())))))

;; The image TYPE makes of OS, for PLATFORM (a cross-compilation target).
(define* (os+platform->image os platform #:key type)
  (image
   (inherit (os->image os #:type type))
   (platform platform)))

;;; The disk images.

(define efi-disk-image                  ;UEFI: GPT, ESP, root
  (image-without-os
   (format 'disk-image)
   (partition-table-type 'gpt)
   (partitions (list esp-partition/grub root-partition))))

(define efi32-disk-image
  (image-without-os
   (format 'disk-image)
   (partition-table-type 'gpt)
   (partitions (list esp32-partition/grub root-partition))))

(define mbr-disk-image                  ;BIOS: MBR, root after the GRUB gap
  (image-without-os
   (format 'disk-image)
   (partition-table-type 'mbr)
   (partitions
    (list (partition
           (inherit root-partition)
           (offset root-offset))))))

(define mbr-hybrid-disk-image           ;BIOS and UEFI: MBR, ESP, root
  (image-without-os
   (format 'disk-image)
   (partition-table-type 'mbr)
   (partitions (list esp-partition/grub root-partition))))

(define iso9660-image                   ;a live ISO: one file system
  (image-without-os
   (format 'iso9660)
   (partitions
    (list (partition
           (size 'guess)
           (label "GUIX_IMAGE")
           (flags '(boot)))))))

(define docker-image (image-without-os (format 'docker)))
(define tarball-image (image-without-os (format 'tarball)))
(define wsl2-image (image-without-os (format 'wsl2)))

;; One root partition at OFFSET, on a root that is not volatile: the basis
;; of most ARM board images, whose bootloaders live before OFFSET.
(define* (raw-with-offset-disk-image #:optional (offset root-offset))
  (image-without-os
   (format 'disk-image)
   (partitions
    (list (partition
           (inherit root-partition)
           (offset offset))))
   (volatile-root? #f)))

;; The ARM images of Guix 1.2 (the image API announcement): a root
;; partition at 1 MiB for an armhf or aarch64 machine.  Gone from Guix
;; since 1.4; a configuration naming them gets a warning (see COMPAT in
;; schemeconf/vocabulary.py) and these equivalents.
(define arm32-disk-image
  (image
   (inherit (raw-with-offset-disk-image))
   (platform armv7-linux)))

(define arm64-disk-image
  (image
   (inherit arm32-disk-image)
   (platform aarch64-linux)))

;;; Image types: what `pyguix system image -t NAME' can make.

(define mbr-raw-image-type
  (image-type
   (name 'mbr-raw)
   (constructor (cut image-with-os mbr-disk-image <>))))

(define mbr-hybrid-raw-image-type       ;the default type
  (image-type
   (name 'mbr-hybrid-raw)
   (constructor (cut image-with-os mbr-hybrid-disk-image <>))))

(define efi-raw-image-type
  (image-type
   (name 'efi-raw)
   (constructor (cut image-with-os efi-disk-image <>))))

(define efi32-raw-image-type
  (image-type
   (name 'efi32-raw)
   (constructor (cut image-with-os efi32-disk-image <>))))

(define qcow2-image-type                ;for QEMU: the hybrid disk, compressed
  (image-type
   (name 'qcow2)
   (constructor (lambda (os)
                  (image
                   (inherit mbr-hybrid-disk-image)
                   (name 'image.qcow2)
                   (format 'compressed-qcow2)
                   (operating-system os))))))

(define qcow2-gpt-image-type
  (image-type
   (name 'qcow2-gpt)
   (constructor (lambda (os)
                  (image
                   (inherit efi-disk-image)
                   (name 'image.qcow2)
                   (format 'compressed-qcow2)
                   (operating-system os))))))

(define iso-image-type
  (image-type
   (name 'iso9660)
   (constructor (cut image-with-os iso9660-image <>))))

(define uncompressed-iso-image-type
  (image-type
   (name 'uncompressed-iso9660)
   (constructor (cut image-with-os
                     (image (inherit iso9660-image) (compression? #f))
                     <>))))

(define docker-image-type
  (image-type
   (name 'docker)
   (constructor (cut image-with-os docker-image <>))))

(define tarball-image-type
  (image-type
   (name 'tarball)
   (constructor (cut image-with-os tarball-image <>))))

(define wsl2-image-type
  (image-type
   (name 'wsl2)
   (constructor (cut image-with-os wsl2-image <>))))

(define raw-with-offset-image-type
  (image-type
   (name 'raw-with-offset)
   (constructor (cut image-with-os (raw-with-offset-disk-image) <>))))

;; `raw', the name of Guix's image API announcement, is the default type.
(define raw-image-type
  (image-type
   (name 'raw)
   (constructor (cut image-with-os mbr-hybrid-disk-image <>))))

;;; Looking image types up by name.

;; Every image type: those above, then those of each module under
;; gnu/system/images/ on the load path (found by pyguix).
(define (all-image-types)
  (%discover-image-types))

(define (lookup-image-type-by-name name)
  (or (find (lambda (type) (eq? (image-type-name type) name))
            (all-image-types))
      (raise-config-error (format #f "~a: no such image type" name))))

;; The operating system an image-type file is shown with (pyguix system image
;; TYPE-FILE): Guix's own gnu/system/examples/bare-bones.tmpl (Guix 1.5), the
;; system Guix's manual applies image types to.
(define %bare-bones-os
  (operating-system
    (host-name "komputilo")
    (timezone "Europe/Berlin")
    (locale "en_US.utf8")
    (bootloader (bootloader-configuration
                 (bootloader grub-bootloader)
                 (targets '("/dev/sdX"))))
    (kernel-arguments (list "console=ttyS0,115200"))
    (file-systems (cons (file-system
                          (device (file-system-label "my-root"))
                          (mount-point "/")
                          (type "ext4"))
                        %base-file-systems))
    (users (cons (user-account
                  (name "alice")
                  (comment "Bob's sister")
                  (group "users")
                  (supplementary-groups '("wheel" "audio" "video")))
                 %base-user-accounts))
    (packages (cons screen %base-packages))
    (services (append (list (service dhcpcd-service-type)
                            (service openssh-service-type
                                     (openssh-configuration
                                      (openssh openssh-sans-x)
                                      (port-number 2222))))
                      %base-services))))
