;;; (gnu services sysctl) -- kernel parameters set at boot (/etc/sysctl.conf).
;;;
;;; Every Guix system has this service (see %base-services).  pyguix writes
;;; SETTINGS, a list of ("key" . "value") pairs, to /etc/sysctl.conf and
;;; applies it at boot.

(define-module (gnu services sysctl)
  #:use-module (gnu services)
  #:use-module (guix gexp)
  #:use-module ((gnu packages linux) #:select (procps))
  #:export (sysctl-service-type sysctl-configuration sysctl-configuration?
            sysctl-configuration-sysctl sysctl-configuration-settings
            %default-sysctl-settings))

;; What Guix sets on every system: no hard or symbolic links through
;; world-writable sticky directories to files of other users.
(define %default-sysctl-settings
  '(("fs.protected_hardlinks" . "1")
    ("fs.protected_symlinks" . "1")))

(define-record-type* <sysctl-configuration> sysctl-configuration make-sysctl-configuration
  sysctl-configuration?
  (sysctl   sysctl-configuration-sysctl (default (file-append procps "/sbin/sysctl")))
  (settings sysctl-configuration-settings (default %default-sysctl-settings)))

(define sysctl-service-type
  (service-type (name 'sysctl)
                (default-value (sysctl-configuration))
                (description "Set kernel parameters at boot.")))
