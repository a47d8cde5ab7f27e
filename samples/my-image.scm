;; An image record of our own: a GPT disk with an ESP, a 1 GiB root and a
;; data partition, with a UEFI GRUB.  (A partition without an initializer gets
;; the system too, as in Guix: the data partition is sized for it.)
;;   pyguix system image samples/my-image.scm
(use-modules (gnu) (gnu image) (gnu system image))

(image
 (name 'my-server-disk)
 (format 'disk-image)
 (partition-table-type 'gpt)
 (operating-system
   (operating-system
     (host-name "data-box")
     (bootloader (bootloader-configuration
                  (bootloader grub-efi-bootloader)
                  (targets '("/boot/efi"))))
     (file-systems (cons (file-system
                           (device (file-system-label "my-root"))
                           (mount-point "/")
                           (type "ext4"))
                         %base-file-systems))))
 (partitions
  (list esp-partition
        (partition
         (inherit root-partition)
         (size (* 1024 1024 1024)))
        (partition
         (label "data")
         (file-system "ext4")
         (size (* 512 1024 1024))))))
