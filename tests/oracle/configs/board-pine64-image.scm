;; An image file for a Pine64 board: Guix's pine64 image with an OS of ours
;; (build it with `guix system image board-pine64-image.scm').
(use-modules (gnu)
             (gnu image)
             (gnu system image)
             (gnu system images pine64))

(define my-os
  (operating-system
    (inherit pine64-barebones-os)
    (host-name "pine-image")))

(image
 (inherit (os->image my-os #:type pine64-image-type))
 (name 'my-pine64-image))
