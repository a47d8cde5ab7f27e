;; A small x86_64 server: BIOS GRUB, ext4 root by label, SSH and DHCP.
;;   pyguix system image -t qcow2 samples/server.scm
;; alice logs in with the password "alice" on the console, and over SSH only
;; with the key in alice.pub (put your own public key there).
(use-modules (gnu))
(use-service-modules networking ssh)
(use-package-modules screen ssh)

(operating-system
  (host-name "komputilo")
  (timezone "Europe/Berlin")
  (locale "en_US.utf8")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))
               (terminal-outputs '(console serial))
               (serial-unit 0)
               (serial-speed 115200)))
  (kernel-arguments (list "console=ttyS0,115200"))
  (file-systems (cons (file-system
                        (device (file-system-label "my-root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (users (cons (user-account
                (name "alice")
                (comment "Alice")
                (group "users")
                (password (crypt "alice" "$6$pyguix"))
                (supplementary-groups '("wheel" "netdev" "audio" "video")))
               %base-user-accounts))
  (packages (cons* screen openssh %base-packages))
  (services (append (list (service dhcpcd-service-type)
                          (service openssh-service-type
                                   (openssh-configuration
                                    (port-number 2222)
                                    (permit-root-login 'prohibit-password)
                                    (password-authentication? #f)
                                    (authorized-keys
                                     `(("alice" ,(local-file "alice.pub")))))))
                    %base-services)))
