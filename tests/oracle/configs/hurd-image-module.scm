;; A Hurd image file written as a module, the way Guix's own
;; gnu/system/images/hurd.scm is: the root partition is filled by Guix's Hurd
;; initializer, spelled out as a gexp (initialize-root-partition with the
;; Hurd's device nodes and no SQLite WAL mode).
(define-module (gnu system images hurd)
  #:use-module (gnu)
  #:use-module (gnu image)
  #:use-module (gnu system hurd)
  #:use-module (gnu system image)
  #:use-module (guix gexp)
  #:use-module (guix platforms x86)
  #:export (hurd-disk-image my-hurd-image))

(define my-hurd-os
  (operating-system
    (inherit %hurd-default-operating-system)
    (bootloader (bootloader-configuration
                 (bootloader grub-minimal-bootloader)
                 (targets '("/dev/vda"))))
    (file-systems (cons (file-system
                          (device (file-system-label "hurd-root"))
                          (mount-point "/")
                          (type "ext2"))
                        %base-file-systems))
    (host-name "hurdling")
    (timezone "Europe/Lisbon")))

(define hurd-initialize-root-partition
  #~(lambda* (#:rest args)
      (apply initialize-root-partition
             (append args
                     (list #:make-device-nodes make-hurd-device-nodes
                           #:wal-mode? #f)))))

(define hurd-disk-image
  (image-without-os
   (format 'disk-image)
   (platform i586-gnu)
   (partitions
    (list (partition
           (size 'guess)
           (offset root-offset)
           (label root-label)
           (file-system "ext2")
           (file-system-options '("-o" "hurd" "-O" "ext_attr"))
           (flags '(boot))
           (initializer hurd-initialize-root-partition))))))

(define my-hurd-image
  (image
   (inherit hurd-disk-image)
   (name 'my-hurd.qcow2)
   (format 'compressed-qcow2)
   (operating-system my-hurd-os)))

my-hurd-image
