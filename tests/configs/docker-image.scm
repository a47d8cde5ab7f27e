;; A system to run in a Docker container:
;;   guix system image -t docker docker-image.scm
(use-modules (gnu))
(use-service-modules networking ssh)
(use-package-modules screen)

(operating-system
  (host-name "komputilo")
  (timezone "Europe/Berlin")
  (locale "en_US.utf8")

  ;; A container boots nothing; this is a placeholder.
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("does-not-matter"))))
  (file-systems (list (file-system
                        (device "does-not-matter")
                        (mount-point "/")
                        (type "does-not-matter"))))
  (firmware '())

  (users (cons (user-account
                (name "alice")
                (comment "Bob's sister")
                (group "users")
                (supplementary-groups '("wheel" "audio" "video")))
               %base-user-accounts))

  (packages (cons screen %base-packages))

  (services (list (service dhcpcd-service-type)
                  (service openssh-service-type
                           (openssh-configuration
                            (port-number 2222)
                            (permit-root-login 'prohibit-password))))))
