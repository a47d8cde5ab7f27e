;; An image type of our own: a raw disk whose root starts at 4 MiB, leaving
;; room for a bootloader before it (as many ARM boards need).
;;   pyguix system image -L DIR -t big-gap-raw my-os.scm   (when in a module)
;;   pyguix system image samples/my-image-type.scm         (shown with a bare-bones OS)
(use-modules (gnu image) (gnu system image) (srfi srfi-26))

(define big-gap-image-type
  (image-type
   (name 'big-gap-raw)
   (constructor (cut image-with-os
                     (raw-with-offset-disk-image (* 4 1024 1024))
                     <>))))

big-gap-image-type
