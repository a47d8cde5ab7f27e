;;; (gnu system images hurd) -- images of GNU/Hurd, for QEMU and PCs.
;;;
;;; The Hurd is GNU's own kernel: servers running on the GNU Mach
;;; microkernel.  GRUB loads GNU Mach with a multiboot entry, and the Hurd's
;;; first servers as boot modules.  The root file system is ext2, written
;;; with the Hurd's options: "-o hurd" (the creator OS is GNU/Hurd, which
;;; allows translator records) and "-O ext_attr" (extended attributes).
;;;
;;;   pyguix system image -t hurd-qcow2 my-hurd-os.scm    ;32-bit, for QEMU
;;;   pyguix system image -t hurd64-raw my-hurd-os.scm    ;64-bit, raw disk

(define-module (gnu system images hurd)
  #:use-module (gnu bootloader)
  #:use-module (gnu bootloader grub)
  #:use-module (gnu image)
  #:use-module (gnu packages hurd)
  #:use-module (gnu packages version-control)
  #:use-module (gnu packages ssh)
  #:use-module (gnu services)
  #:use-module (gnu services ssh)
  #:use-module (gnu system)
  #:use-module (gnu system file-systems)
  #:use-module (gnu system hurd)
  #:use-module (gnu system image)
  #:use-module (guix platforms x86)
  #:use-module (srfi srfi-26)
  #:export (hurd-barebones-os
            hurd64-barebones-os
            hurd-disk-image
            hurd64-disk-image
            hurd-image-type
            hurd-qcow2-image-type
            hurd64-image-type
            hurd64-qcow2-image-type
            hurd-barebones-disk-image
            hurd-barebones-qcow2-image))

(define hurd-barebones-os
  (operating-system
    (inherit %hurd-default-operating-system)
    (bootloader (bootloader-configuration
                 (bootloader grub-minimal-bootloader)
                 (targets '("/dev/sdX"))))
    (kernel-arguments '())              ;as Guix 1.5 has it
    (file-systems (cons (file-system
                          (device (file-system-label "my-root"))
                          (mount-point "/")
                          (type "ext2"))
                        %base-file-systems))
    (host-name "guixygnu")
    (timezone "Europe/Amsterdam")
    (packages (cons openssh-sans-x %base-packages/hurd))
    (services (cons (service openssh-service-type
                             (openssh-configuration
                              (openssh openssh-sans-x)
                              (use-pam? #f)
                              (port-number 2222)
                              (permit-root-login #t)
                              (allow-empty-passwords? #t)
                              (password-authentication? #t)))
                    %base-services+qemu-networking/hurd))))

(define hurd64-barebones-os
  ;; As in Guix 1.5: the same system, from %hurd64-default-operating-system.
  (operating-system
    (inherit hurd-barebones-os)
    (kernel %hurd64-default-operating-system-kernel)))

;; One ext2 partition at 1 MiB, with the Hurd's file system options and
;; device nodes (the Hurd keeps translators such as /dev/null on disk).
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
           (initializer 'initialize-hurd-root-partition))))))

(define hurd64-disk-image
  (image
   (inherit hurd-disk-image)
   (platform x86_64-gnu)))

(define hurd-image-type
  (image-type
   (name 'hurd-raw)
   (constructor (cut image-with-os hurd-disk-image <>))))

(define hurd-qcow2-image-type
  (image-type
   (name 'hurd-qcow2)
   (constructor (lambda (os)
                  (image
                   (inherit hurd-disk-image)
                   (format 'compressed-qcow2)
                   (operating-system os))))))

(define hurd64-image-type
  (image-type
   (name 'hurd64-raw)
   (constructor (cut image-with-os hurd64-disk-image <>))))

(define hurd64-qcow2-image-type
  (image-type
   (name 'hurd64-qcow2)
   (constructor (lambda (os)
                  (image
                   (inherit hurd64-disk-image)
                   (format 'compressed-qcow2)
                   (operating-system os))))))

(define hurd-barebones-disk-image
  (image
   (inherit (os->image hurd-barebones-os #:type hurd-image-type))
   (name 'hurd-barebones-disk-image)))

(define hurd-barebones-qcow2-image
  (image
   (inherit (os->image hurd-barebones-os #:type hurd-qcow2-image-type))
   (name 'hurd-barebones.qcow2)))

;; The module's value: `pyguix system image gnu/system/images/hurd.scm'.
hurd-barebones-qcow2-image
