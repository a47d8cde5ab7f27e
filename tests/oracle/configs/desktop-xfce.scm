;; An Xfce laptop on BIOS GRUB: %desktop-services edited with modify-services
;; (substitute servers, no GDM auto-suspend, no NTP), a second user.
(use-modules (gnu))
(use-service-modules desktop xorg networking)
(use-package-modules xfce wm)

(operating-system
  (host-name "io")
  (timezone "America/Sao_Paulo")
  (locale "pt_BR.utf8")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets (list "/dev/sda"))
               (timeout 2)))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (users (append (list (user-account
                        (name "rafael")
                        (group "users")
                        (supplementary-groups '("wheel" "audio" "video")))
                       (user-account
                        (name "bia")
                        (group "users")
                        (supplementary-groups '("audio" "video"))))
                 %base-user-accounts))
  (packages (cons* xfce4-terminal %base-packages))
  (services
   (append (list (service xfce-desktop-service-type))
           (modify-services %desktop-services
             (guix-service-type config =>
                                (guix-configuration
                                 (inherit config)
                                 (substitute-urls
                                  (append (list "https://substitutes.nonguix.org")
                                          %default-substitute-urls))))
             (delete ntp-service-type)))))
