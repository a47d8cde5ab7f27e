;; A WSL 2 image of a small system, named (Guix names the tarball
;; image.tar.gz whatever the image's name).
(use-modules (gnu) (gnu image) (gnu system image))

(define my-wsl-os
  (operating-system
    (host-name "wsl-box")
    (timezone "Africa/Nairobi")
    (bootloader (bootloader-configuration
                 (bootloader grub-bootloader)
                 (targets '("/dev/sdX"))))
    (file-systems %base-file-systems)
    (users (cons (user-account
                  (name "amina")
                  (group "users")
                  (supplementary-groups '("wheel")))
                 %base-user-accounts))))

(image
 (inherit (os->image my-wsl-os #:type wsl2-image-type))
 (name 'my-wsl-image))
