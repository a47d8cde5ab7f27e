;; A headless box: kernel arguments, extra initrd modules, firmware, a GRUB
;; on serial and console with a timeout, and a tmpfs /tmp.
(use-modules (gnu))
(use-package-modules firmware)

(operating-system
  (host-name "headless")
  (timezone "Etc/UTC")
  (kernel-arguments (list "console=ttyS0,115200n8" "quiet" "mitigations=auto"))
  (initrd-modules (cons* "nvme" "raid1" %base-initrd-modules))
  (firmware (list ath9k-htc-ar9271-firmware))
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))
               (timeout 10)
               (terminal-outputs '(serial console))
               (terminal-inputs '(serial console))
               (serial-unit 1)
               (serial-speed 57600)))
  (file-systems (append
                 (list (file-system
                         (device (file-system-label "root"))
                         (mount-point "/")
                         (type "xfs"))
                       (file-system
                         (device "tmpfs")
                         (mount-point "/tmp")
                         (type "tmpfs")
                         (flags '(no-suid no-dev))
                         (options "size=2G")
                         (check? #f)))
                 %base-file-systems)))
