;; A Pine64 board of one's own, built on the board module's barebones OS:
;;   guix system image pine64-user.scm
(use-modules (gnu) (gnu image) (gnu system image)
             (gnu system images pine64) (guix platforms arm))
(use-package-modules admin)

(define my-pine-os
  (operating-system
    (inherit pine64-barebones-os)
    (host-name "pinoccio")
    (packages (cons htop %base-packages))))

(image
 (inherit (os+platform->image my-pine-os aarch64-linux
                              #:type pine64-image-type))
 (name 'my-pine-image))
