;; The shape of many personal laptop configurations: the nonguix channel's
;; kernel, firmware and microcode initrd, the channel declared for the Guix
;; daemon, SDDM instead of GDM, and a udev rule for a keyboard remapper.
(use-modules (gnu)
             (guix channels)
             (gnu packages package-management)
             (nongnu packages linux)
             (nongnu system linux-initrd))
(use-service-modules desktop sddm xorg)

(define my-channels
  (cons (channel
         (name 'nonguix)
         (url "https://example.org/nonguix.git")
         (introduction
          (make-channel-introduction
           "0123456789abcdef0123456789abcdef01234567"
           (openpgp-fingerprint "AAAA BBBB CCCC DDDD EEEE  FFFF 0000 1111 2222 3333"))))
        %default-channels))

(define remap-rule
  (udev-rule "90-remap.rules" "KERNEL==\"uinput\", GROUP=\"input\"\n"))

(operating-system
  (kernel linux)
  (initrd microcode-initrd)
  (firmware (list linux-firmware iwlwifi-firmware))
  (host-name "lapto")
  (timezone "Europe/Vienna")
  (bootloader (bootloader-configuration
               (bootloader grub-efi-bootloader)
               (targets '("/boot/efi"))))
  (file-systems (cons* (file-system
                         (device (file-system-label "lapto-root"))
                         (mount-point "/")
                         (type "ext4"))
                       (file-system
                         (device (uuid "ABCD-0123" 'fat32))
                         (mount-point "/boot/efi")
                         (type "vfat"))
                       %base-file-systems))
  (users (cons (user-account
                (name "dana")
                (group "users")
                (supplementary-groups '("wheel" "input")))
               %base-user-accounts))
  (packages (append (specifications->packages '("sway" "git:send-email"))
                    %base-packages))
  (services
   (cons* (service sddm-service-type
                   (sddm-configuration (theme "breeze") (auto-login-user "dana")))
          (udev-rules-service 'remap remap-rule #:groups '("input"))
          (modify-services %desktop-services
            (delete gdm-service-type)
            (udev-service-type config =>
                               (udev-configuration
                                (inherit config)
                                (rules (cons remap-rule (udev-configuration-rules config)))))
            (guix-service-type config =>
                               (guix-configuration
                                (inherit config)
                                (channels my-channels)
                                (guix (guix-for-channels my-channels))))))))
