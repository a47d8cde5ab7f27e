;; A GNU/Hurd virtual machine: Guix's hurd-barebones-os with SSH and a user.
(use-modules (gnu) (gnu system hurd) (gnu system images hurd))
(use-service-modules ssh)
(use-package-modules ssh)

(operating-system
  (inherit hurd-barebones-os)
  (host-name "gnumach")
  (timezone "Europe/Brussels")
  (users (cons (user-account
                (name "rms")
                (group "users")
                (supplementary-groups '("wheel")))
               %base-user-accounts))
  (packages (cons openssh-sans-x %base-packages/hurd))
  (services (cons (service openssh-service-type
                           (openssh-configuration
                            (openssh openssh-sans-x)
                            (use-pam? #f)
                            (port-number 2222)))
                  (operating-system-user-services hurd-barebones-os))))
