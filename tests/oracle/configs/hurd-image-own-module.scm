;; The same Hurd image in a module of one's own: Guix's Hurd initializer,
;; spelled out as a gexp, is no longer the one Guix's (gnu system images
;; hurd) defines (Guix shows it as a gexp), but it builds the same image.
(define-module (my hurd image)
  #:use-module (gnu)
  #:use-module (gnu image)
  #:use-module (gnu system hurd)
  #:use-module (gnu system image)
  #:use-module (guix gexp)
  #:use-module (guix platforms x86))

(define hurd-initialize-root-partition
  #~(lambda* (#:rest args)
      (apply initialize-root-partition
             (append args
                     (list #:make-device-nodes make-hurd-device-nodes
                           #:wal-mode? #f)))))

(image
 (name 'hurd-vm.qcow2)
 (format 'compressed-qcow2)
 (platform i586-gnu)
 (operating-system
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
    (host-name "gnu-vm")
    (timezone "Asia/Tokyo")))
 (partitions
  (list (partition
         (offset root-offset)
         (label "hurd-root")
         (file-system "ext2")
         (file-system-options '("-o" "hurd" "-O" "ext_attr"))
         (flags '(boot))
         (initializer hurd-initialize-root-partition)))))
