;; A laptop with an encrypted root, Xfce, and a tweaked guix daemon.
(use-modules (gnu) (gnu system nss))
(use-service-modules desktop networking xorg)
(use-package-modules certs gnome)

(operating-system
  (host-name "antelope")
  (timezone "Europe/Paris")
  (locale "en_US.utf8")

  ;; One layout for the console, GRUB and X.
  (keyboard-layout (keyboard-layout "us" "altgr-intl"))

  (bootloader (bootloader-configuration
               (bootloader grub-efi-bootloader)
               (targets '("/boot/efi"))
               (keyboard-layout keyboard-layout)))

  (mapped-devices
   (list (mapped-device
          (source (uuid "12345678-1234-1234-1234-123456789abc"))
          (target "my-root")
          (type luks-device-mapping))))

  (file-systems (append
                 (list (file-system
                         (device (file-system-label "my-root"))
                         (mount-point "/")
                         (type "ext4")
                         (dependencies mapped-devices))
                       (file-system
                         (device (uuid "1234-ABCD" 'fat))
                         (mount-point "/boot/efi")
                         (type "vfat")))
                 %base-file-systems))

  (users (cons (user-account
                (name "bob")
                (comment "Alice's brother")
                (group "students")
                (supplementary-groups '("wheel" "netdev" "audio" "video")))
               %base-user-accounts))

  (groups (cons (user-group (name "students"))
                %base-groups))

  (packages (append (list gvfs) %base-packages))

  (services
   (append (list (service xfce-desktop-service-type)
                 (set-xorg-configuration
                  (xorg-configuration
                   (keyboard-layout keyboard-layout))))
           (modify-services %desktop-services
             (guix-service-type config =>
                                (guix-configuration
                                 (inherit config)
                                 (substitute-urls
                                  (list "https://bordeaux.guix.gnu.org"))))
             (delete ntp-service-type))))

  (name-service-switch %mdns-host-lookup-nss))
