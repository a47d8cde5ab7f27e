;; A 2022-era image file: the platform comes from (gnu platforms arm).
(use-modules (gnu) (gnu image) (gnu system image) (gnu platforms arm))

(image
 (inherit (raw-with-offset-disk-image))
 (platform armv7-linux)
 (operating-system
  (operating-system
    (host-name "armistice")
    (bootloader (bootloader-configuration
                 (bootloader grub-bootloader)
                 (targets '("/dev/mmcblk0"))))
    (file-systems (cons (file-system
                          (device (file-system-label "root"))
                          (mount-point "/")
                          (type "ext4"))
                        %base-file-systems)))))
