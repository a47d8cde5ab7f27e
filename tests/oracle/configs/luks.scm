;; Full-disk encryption: a LUKS root and a LUKS home opened at boot, both
;; mapped devices, file systems depending on them.
(use-modules (gnu))

(define root-crypt
  (mapped-device
   (source (uuid "90a3b2c1-0d4e-4f5a-8b6c-7d8e9fa0b1c2"))
   (target "cryptroot")
   (type luks-device-mapping)))

(define home-crypt
  (mapped-device
   (source "/dev/sda3")
   (target "crypthome")
   (type luks-device-mapping)))

(operating-system
  (host-name "vault")
  (timezone "Europe/Zurich")
  (bootloader (bootloader-configuration
               (bootloader grub-efi-bootloader)
               (targets '("/boot/efi"))))
  (mapped-devices (list root-crypt home-crypt))
  (file-systems (append
                 (list (file-system
                         (device "/dev/mapper/cryptroot")
                         (mount-point "/")
                         (type "ext4")
                         (dependencies (list root-crypt)))
                       (file-system
                         (device "/dev/mapper/crypthome")
                         (mount-point "/home")
                         (type "ext4")
                         (dependencies (list home-crypt)))
                       (file-system
                         (device (uuid "1A2B-3C4D" 'fat))
                         (mount-point "/boot/efi")
                         (type "vfat")))
                 %base-file-systems)))
