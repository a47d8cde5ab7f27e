;; A whole image in one file: a GPT disk with an ESP and a bigger root
;; partition, built from the predefined pieces.
;;   guix system image image-record.scm
(use-modules (gnu) (gnu image) (gnu system image))

(define my-os
  (operating-system
    (host-name "imagine")
    (bootloader (bootloader-configuration
                 (bootloader grub-efi-bootloader)
                 (targets '("/boot/efi"))))
    (file-systems (cons (file-system
                          (device (file-system-label "my-root"))
                          (mount-point "/")
                          (type "ext4"))
                        %base-file-systems))))

(image
 (format 'disk-image)
 (operating-system my-os)
 (partition-table-type 'gpt)
 (partitions
  (list (partition
         (inherit esp-partition)
         (label "MY-ESP"))
        (partition
         (inherit root-partition)
         (size (* 4 (expt 2 30)))
         (label "my-root"))
        (partition
         (size (* 512 (expt 2 20)))
         (label "data")
         (file-system "ext4")))))
