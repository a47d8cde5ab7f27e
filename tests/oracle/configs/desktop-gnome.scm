;; A GNOME workstation on UEFI: %desktop-services with a tweak, a user in
;; the usual desktop groups, an ESP mounted at /boot/efi.
(use-modules (gnu) (gnu system nss))
(use-service-modules desktop networking ssh xorg)
(use-package-modules certs gnome)

(operating-system
  (host-name "ganymede")
  (timezone "Europe/Oslo")
  (locale "nb_NO.utf8")
  (keyboard-layout (keyboard-layout "no"))
  (bootloader (bootloader-configuration
               (bootloader grub-efi-bootloader)
               (targets '("/boot/efi"))
               (keyboard-layout keyboard-layout)))
  (file-systems (append
                 (list (file-system
                         (device (file-system-label "guix-root"))
                         (mount-point "/")
                         (type "ext4"))
                       (file-system
                         (device (uuid "ABCD-1234" 'fat))
                         (mount-point "/boot/efi")
                         (type "vfat")))
                 %base-file-systems))
  (users (cons (user-account
                (name "ingrid")
                (comment "Ingrid")
                (group "users")
                (home-directory "/home/ingrid")
                (supplementary-groups '("wheel" "netdev" "audio" "video")))
               %base-user-accounts))
  (packages (append (list (specification->package "nss-certs"))
                    %base-packages))
  (services
   (append (list (service gnome-desktop-service-type)
                 (service openssh-service-type)
                 (set-xorg-configuration
                  (xorg-configuration
                   (keyboard-layout keyboard-layout))))
           %desktop-services))
  (name-service-switch %mdns-host-lookup-nss))
