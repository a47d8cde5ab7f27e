;; Procedures from before service types had default values, which older
;; configurations call: Guix 1.5 still exports gnome-desktop-service but no
;; longer defines it, so the services field fails (as it does in Guix).
(use-modules (gnu) (gnu packages package-management))
(use-service-modules desktop dbus xorg)

(operating-system
  (host-name "oldtimer")
  (timezone "Europe/Madrid")
  (bootloader (grub-configuration (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (services (append (list (gnome-desktop-service)
                          (elogind-service)
                          (dbus-service)
                          x11-socket-directory-service
                          fontconfig-file-system-service)
                    (modify-services %base-services
                      (guix-service-type config =>
                                         (guix-configuration
                                          (inherit config)
                                          (guix (current-guix))))))))
