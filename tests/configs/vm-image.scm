;; A virtual machine to try Guix System in QEMU: auto-login, no passwords.
(use-modules (gnu) (guix) (srfi srfi-1))
(use-service-modules desktop networking spice ssh xorg)
(use-package-modules bootloaders fonts package-management xdisorg xorg)

(define vm-image-motd (plain-file "motd" "
\x1b[1;37mThis is the GNU system.  Welcome!\x1b[0m

This instance of Guix is a template for virtualized environments.
You can reconfigure the whole system by adjusting /etc/config.scm
and running:

  guix system reconfigure /etc/config.scm

Run '\x1b[1;37minfo guix\x1b[0m' to browse documentation.
"))

(operating-system
  (host-name "gnu")
  (timezone "Etc/UTC")
  (locale "en_US.utf8")
  (keyboard-layout (keyboard-layout "us" "altgr-intl"))

  ;; Label for the GRUB boot menu.
  (label (string-append "GNU Guix "
                        (or (getenv "GUIX_DISPLAYED_VERSION") "1.5.0")))

  (firmware '())

  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/vda"))
               (terminal-outputs '(console))))
  (file-systems (cons (file-system
                        (mount-point "/")
                        (device "/dev/vda1")
                        (type "ext4"))
                      %base-file-systems))

  (users (cons (user-account
                (name "guest")
                (comment "GNU Guix Live")
                (password "")                     ;no password
                (group "users")
                (supplementary-groups '("wheel" "netdev" "audio" "video")))
               %base-user-accounts))

  ;; Our /etc/sudoers file.  Since 'guest' initially has an empty password,
  ;; allow for password-less sudo.
  (sudoers-file (plain-file "sudoers" "\
root ALL=(ALL) ALL
%wheel ALL=NOPASSWD: ALL\n"))

  (packages (cons* font-bitstream-vera
                   xterm
                   %base-packages))

  (services
   (cons* (service xfce-desktop-service-type)

          (simple-service 'cow-store-motd etc-service-type
                          `(("motd" ,vm-image-motd)))

          ;; Use the DHCP client, not NetworkManager, and no wpa_supplicant.
          (service dhcpcd-service-type)
          (service spice-vdagent-service-type)

          (remove (lambda (service)
                    (memq (service-kind service)
                          (list network-manager-service-type
                                wpa-supplicant-service-type
                                modem-manager-service-type
                                usb-modeswitch-service-type)))
                  (modify-services %desktop-services
                    (login-service-type config =>
                                        (login-configuration
                                         (inherit config)
                                         (motd vm-image-motd))))))))
