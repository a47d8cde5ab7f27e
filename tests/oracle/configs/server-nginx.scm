;; A web server: OpenSSH and nginx on %base-services, the guix daemon and
;; the console gettys modified with modify-services.
(use-modules (gnu))
(use-service-modules networking ssh web)
(use-package-modules certs)

(operating-system
  (host-name "www")
  (timezone "Etc/UTC")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/vda"))
               (terminal-outputs '(console serial))
               (serial-unit 0)
               (serial-speed 115200)))
  (kernel-arguments (cons "console=ttyS0,115200" %default-kernel-arguments))
  (file-systems (cons (file-system
                        (device "/dev/vda1")
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (users (cons (user-account
                (name "deploy")
                (group "users")
                (supplementary-groups '("wheel")))
               %base-user-accounts))
  (services
   (append (list (service dhcpcd-service-type)
                 (service openssh-service-type
                          (openssh-configuration
                           (port-number 22)
                           (password-authentication? #f)
                           (permit-root-login 'prohibit-password)))
                 (service nginx-service-type
                          (nginx-configuration
                           (server-blocks
                            (list (nginx-server-configuration
                                   (server-name '("www.example.org"))
                                   (listen '("80"))
                                   (root "/srv/http")))))))
           (modify-services %base-services
             (guix-service-type config =>
                                (guix-configuration
                                 (inherit config)
                                 (extra-options '("--max-jobs=2"))))
             (delete console-font-service-type)))))
