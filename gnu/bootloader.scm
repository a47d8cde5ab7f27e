;;; (gnu bootloader) -- bootloaders and how an operating system configures one.
;;;
;;; A <bootloader> is a program (GRUB, U-Boot...) with the name of its
;;; configuration file; how it is installed on a disk image is pyguix's job
;;; (builders/bootloaders), chosen by the bootloader's NAME.
;;; A <bootloader-configuration> is what the operating-system declares.

(define-module (gnu bootloader)
  #:use-module (srfi srfi-1)
  #:use-module ((guix packages) #:select (package? package-name package-version))
  #:export (bootloader bootloader? <bootloader>
            bootloader-name bootloader-package bootloader-installer
            bootloader-disk-image-installer bootloader-configuration-file
            bootloader-configuration-file-generator efi-bootloader-chain

            bootloader-configuration bootloader-configuration? <bootloader-configuration>
            bootloader-configuration-bootloader bootloader-configuration-targets
            bootloader-configuration-target bootloader-configuration-menu-entries
            bootloader-configuration-default-entry bootloader-configuration-timeout
            bootloader-configuration-keyboard-layout bootloader-configuration-theme
            bootloader-configuration-terminal-outputs bootloader-configuration-terminal-inputs
            bootloader-configuration-serial-unit bootloader-configuration-serial-speed
            bootloader-configuration-device-tree-support?
            bootloader-configuration-extra-initrd

            menu-entry menu-entry? <menu-entry>
            menu-entry-label menu-entry-device menu-entry-device-mount-point
            menu-entry-linux menu-entry-linux-arguments menu-entry-initrd
            menu-entry-multiboot-kernel menu-entry-multiboot-arguments
            menu-entry-multiboot-modules menu-entry-chain-loader))

(define-record-type* <bootloader> bootloader make-bootloader
  bootloader?
  (name                 bootloader-name)                 ;symbol: 'grub, 'grub-efi, 'u-boot...
  (package              bootloader-package)              ;package, or #f
  (installer            bootloader-installer (default #f))
  (disk-image-installer bootloader-disk-image-installer (default #f))
  (configuration-file   bootloader-configuration-file)   ;where its config lives
  (configuration-file-generator bootloader-configuration-file-generator (default #f)))

(define (validate-bootloader value)
  (unless (bootloader? value)
    (raise-config-error
     (format #f "bootloader (~s) must be a bootloader such as grub-bootloader" value)))
  value)

(define (validate-targets value)
  ;; Guix itself does not check the targets (images ignore them), so any
  ;; list is accepted; a single string is the common mistake worth a message.
  (when (string? value)
    (raise-config-error
     (format #f "targets (~s) must be a list, such as '(\"/dev/sda\")" value)))
  value)

(define-record-type* <bootloader-configuration> %bootloader-configuration
  make-bootloader-configuration
  bootloader-configuration?
  (bootloader       bootloader-configuration-bootloader (sanitize validate-bootloader))
  (targets          bootloader-configuration-targets    ;list of devices or ESP mount points
                    (default #f) (sanitize validate-targets))
  (target           bootloader-configuration-target (default #f)) ;deprecated: one string
  (menu-entries     bootloader-configuration-menu-entries (default '()))
  (default-entry    bootloader-configuration-default-entry (default 0))
  (timeout          bootloader-configuration-timeout (default 5))
  (keyboard-layout  bootloader-configuration-keyboard-layout (default #f))
  (theme            bootloader-configuration-theme (default #f))
  (terminal-outputs bootloader-configuration-terminal-outputs (default '(gfxterm)))
  (terminal-inputs  bootloader-configuration-terminal-inputs (default '()))
  (serial-unit      bootloader-configuration-serial-unit (default #f))
  (serial-speed     bootloader-configuration-serial-speed (default #f))
  (device-tree-support? bootloader-configuration-device-tree-support? (default #t))
  (extra-initrd     bootloader-configuration-extra-initrd (default #f)))

;; The constructor configurations use: as above, but `(target "/dev/sda")'
;; (Guix 1.2's single device) gets Guix's deprecation warning, at the value.
(define-field-warnings bootloader-configuration %bootloader-configuration
  (target #f #f "the 'target' field is deprecated, please use 'targets' instead"))

(define-record-type* <menu-entry> menu-entry make-menu-entry
  menu-entry?
  (label              menu-entry-label)
  (device             menu-entry-device (default #f))
  (device-mount-point menu-entry-device-mount-point (default #f))
  (linux              menu-entry-linux (default #f))
  (linux-arguments    menu-entry-linux-arguments (default '()))
  (initrd             menu-entry-initrd (default #f))
  (multiboot-kernel   menu-entry-multiboot-kernel (default #f))
  (multiboot-arguments menu-entry-multiboot-arguments (default '()))
  (multiboot-modules  menu-entry-multiboot-modules (default '()))
  (chain-loader       menu-entry-chain-loader (default #f)))

;;; efi-bootloader-chain: a bootloader whose package is a profile of the final
;;; bootloader's package and other packages and files (firmware, U-Boot...),
;;; as Guix has it.  The profile is described, not built.

(define-record-type <manifest-entry>
  (%manifest-entry name version output item)
  manifest-entry?
  (name manifest-entry-name)
  (version manifest-entry-version)
  (output manifest-entry-output)
  (item manifest-entry-item))

(define-record-type <manifest>
  (%manifest entries)
  manifest?
  (entries manifest-entries))

(define-record-type <profile>
  (%profile name content hooks)
  profile?
  (name profile-name)
  (content profile-content)
  (hooks profile-hooks))

(define (efi-bootloader-profile packages files hooks)
  (%profile "efi-bootloader-profile"
            (%manifest (map (lambda (p)
                              (if (package? p)
                                  (%manifest-entry (package-name p) (package-version p) "out" p)
                                  (%manifest-entry "file" "0" "out" p)))
                            (append packages files)))
            hooks))

(define* (efi-bootloader-chain final-bootloader
                               #:key (packages '()) (files '()) (hooks '())
                               installer disk-image-installer)
  (bootloader
   (inherit final-bootloader)
   (name 'efi-bootloader-chain)
   (package (efi-bootloader-profile (cons (bootloader-package final-bootloader) packages)
                                    files
                                    (if (list? hooks) hooks (list hooks))))
   (installer (or installer (bootloader-installer final-bootloader)))
   (disk-image-installer (or disk-image-installer
                             (bootloader-disk-image-installer final-bootloader)))))
