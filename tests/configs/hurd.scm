;; GNU/Hurd in a virtual machine.
(use-modules (gnu) (gnu system hurd) (gnu system image))
(use-package-modules gdb hurd ssh version-control)
(use-service-modules ssh)

(operating-system
  (inherit %hurd-default-operating-system)
  (bootloader (bootloader-configuration
               (bootloader grub-minimal-bootloader)
               (targets '("/dev/sdX"))))
  (kernel-arguments '("noide"))
  (file-systems (cons (file-system
                        (device (file-system-label "hurd"))
                        (mount-point "/")
                        (type "ext2"))
                      %base-file-systems))
  (host-name "guixygnu")
  (timezone "Europe/Amsterdam")
  (users (cons (user-account
                (name "guix")
                (comment "Guix Hurd")
                (group "users")
                (supplementary-groups '("wheel")))
               %base-user-accounts))
  (packages (cons* gdb-minimal git-minimal %base-packages/hurd))
  (services (cons (service openssh-service-type
                           (openssh-configuration
                            (openssh openssh-sans-x)
                            (use-pam? #f)
                            (port-number 2222)
                            (permit-root-login #t)
                            (allow-empty-passwords? #t)
                            (password-authentication? #t)))
                  %base-services/hurd)))
