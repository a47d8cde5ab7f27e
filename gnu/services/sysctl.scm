;;; (gnu services sysctl) -- kernel parameters set at boot.
;;;
;;; Every Guix system has this service (see %base-services).  SETTINGS, a
;;; list of ("key" . "value") pairs, become a sysctl.conf file that a
;;; one-shot Shepherd service loads with `sysctl --load' at boot.  Other
;;; services may extend it with settings of their own.

(define-module (gnu services sysctl)
  #:use-module (srfi srfi-1)
  #:use-module (gnu services)
  #:use-module (gnu services shepherd)
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

;; A setting is one line of sysctl.conf: a key or value spanning lines
;; would be two settings.
(define (validate-sysctl-settings settings)
  (for-each (lambda (setting)
              (unless (and (pair? setting) (string? (car setting)) (string? (cdr setting))
                           (not (string-index (car setting) #\newline))
                           (not (string-index (cdr setting) #\newline))
                           (not (string-index (car setting) #\=)))
                (raise-config-error
                 (format #f "invalid sysctl setting ~s: expected (\"key\" . \"value\") on one line"
                         setting))))
            settings)
  settings)

(define-record-type* <sysctl-configuration> sysctl-configuration make-sysctl-configuration
  sysctl-configuration?
  (sysctl   sysctl-configuration-sysctl (default (file-append procps "/sbin/sysctl")))
  (settings sysctl-configuration-settings (default %default-sysctl-settings)
            (sanitize validate-sysctl-settings)))

(define (sysctl.conf settings)
  (plain-file "sysctl.conf"
              (apply string-append
                     (map (lambda (setting)
                            (string-append (car setting) " = " (cdr setting) "\n"))
                          settings))))

(define (sysctl-shepherd-service config)
  (list (shepherd-service
         (documentation "Set the kernel parameters at boot.")
         (provision '(sysctl))
         (one-shot? #t)
         (start #~(lambda _
                    (zero? (system* #$(sysctl-configuration-sysctl config) "--load"
                                    #$(sysctl.conf (sysctl-configuration-settings config)))))))))

(define sysctl-service-type
  (service-type (name 'sysctl)
                (extensions
                 (list (service-extension shepherd-root-service-type sysctl-shepherd-service)))
                (compose concatenate)
                (extend (lambda (config settings)
                          (sysctl-configuration
                           (inherit config)
                           (settings (append (sysctl-configuration-settings config) settings)))))
                (default-value (sysctl-configuration))
                (description "Set kernel parameters at boot.")))
