;; The Pine64 system of the image API announcement: build its SD card image
;; with `pyguix system image -t pine64-raw samples/my-pine-os.scm'.
(use-modules (gnu)
             (gnu bootloader u-boot)
             (gnu system images pine64))
(use-package-modules linux)
(use-service-modules networking)

(operating-system
  (host-name "vignemale")
  (timezone "Europe/Paris")
  (locale "en_US.utf8")
  (bootloader (bootloader-configuration
               (bootloader u-boot-pine64-lts-bootloader)
               (targets '("/dev/vda"))))
  (initrd-modules '())
  (kernel linux-libre-arm64-generic)
  (file-systems (cons (file-system
                        (device (file-system-label "my-root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (services (cons (service agetty-service-type
                           (agetty-configuration
                            (extra-options '("-L")) ; no carrier detect
                            (baud-rate "115200")
                            (term "vt100")
                            (tty "ttyS0")))
                  %base-services)))
