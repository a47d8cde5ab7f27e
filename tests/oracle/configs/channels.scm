;; The guix daemon configured with channels (as `guix pull' would use) and
;; authorized keys, through modify-services.
(use-modules (gnu) (guix channels))
(use-service-modules networking)

(define %my-channels
  (cons (channel
         (name 'my-channel)
         (url "https://example.org/my-channel.git")
         (branch "main")
         (introduction
          (make-channel-introduction
           "0123456789abcdef0123456789abcdef01234567"
           (openpgp-fingerprint
            "AAAA BBBB CCCC DDDD EEEE  FFFF 0000 1111 2222 3333"))))
        %default-channels))

(operating-system
  (host-name "pully")
  (timezone "Europe/Berlin")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (services (cons (service dhcpcd-service-type)
                  (modify-services %base-services
                    (guix-service-type config =>
                                       (guix-configuration
                                        (inherit config)
                                        (channels %my-channels)))))))
