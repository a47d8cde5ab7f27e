;; An image type of one's own: a qcow2 image with the root partition at
;; 8 MiB.  `guix system image' wants an image, so the file ends by applying
;; the type to an operating system.
(use-modules (gnu) (gnu image) (gnu system image) (srfi srfi-26))

(define big-gap-image
  (image
   (inherit (raw-with-offset-disk-image (* 8 (expt 2 20))))
   (format 'compressed-qcow2)
   (name 'big-gap.qcow2)))

(define big-gap-image-type
  (image-type
   (name 'big-gap-qcow2)
   (constructor (cut image-with-os big-gap-image <>))))

(os->image (operating-system
             (host-name "gap")
             (bootloader (bootloader-configuration
                          (bootloader grub-bootloader)
                          (targets '("/dev/vda"))))
             (file-systems (cons (file-system
                                   (device (file-system-label "root"))
                                   (mount-point "/")
                                   (type "ext4"))
                                 %base-file-systems)))
           #:type big-gap-image-type)
