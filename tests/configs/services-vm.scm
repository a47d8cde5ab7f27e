;; A VM running more of Guix's common services, for tests/test_shepherd_boot.py:
;; static networking (QEMU's user network, no DHCP), nginx serving a page,
;; NTP, the system log, a sysctl setting, a time zone, a udev rule.
(use-modules (gnu))
(use-service-modules networking web sysctl)
(use-package-modules web)

(operating-system
  (host-name "servo")
  (timezone "Europe/Paris")
  (locale "en_US.utf8")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/vda"))
               (terminal-outputs '(console serial))))
  (kernel-arguments (list "console=ttyS0,115200"))
  (file-systems (cons (file-system
                        (device (file-system-label "servo-root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (services
   (append (list (service static-networking-service-type
                          (list (static-networking
                                 (addresses (list (network-address
                                                   (device "ens3")
                                                   (value "10.0.2.15/24"))))
                                 (routes (list (network-route
                                                (destination "default")
                                                (gateway "10.0.2.2"))))
                                 (name-servers '("10.0.2.3")))))
                 (service nginx-service-type
                          (nginx-configuration
                           (server-blocks
                            (list (nginx-server-configuration
                                   (listen '("8080"))
                                   (root "/srv/www"))))))
                 (service ntp-service-type)
                 (extra-special-file "/srv/www/index.html"
                                     (plain-file "index.html" "served by servo\n"))
                 (simple-service 'forwarding sysctl-service-type
                                 '(("net.ipv4.ip_forward" . "1")))
                 ;; A rule of our own for udev: a second name for /dev/null.
                 (udev-rules-service 'null-alias
                                     (udev-rule "90-null-alias.rules"
                                                "KERNEL==\"null\", SYMLINK+=\"null-alias\"\n")))
           %base-services)))
