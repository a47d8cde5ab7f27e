;;; (gnu services admin) -- system administration: rotating and cleaning logs.
;;;
;;; Log rotation is the Shepherd's own: Shepherd 1.0 comes with a timed
;;; service, log-rotation-service, that renames and compresses the log
;;; files of its services (and the other files it is given) once a week.
;;; The other service types of this module are known to pyguix by name.

(define-module (gnu services admin)
  #:use-module (srfi srfi-1)
  #:use-module (gnu services)
  #:use-module (gnu services shepherd)
  #:use-module (guix gexp)
  #:export (log-rotation-service-type log-rotation-configuration
            log-rotation-configuration? log-rotation-configuration-provision
            log-rotation-configuration-requirement
            log-rotation-configuration-calendar-event
            log-rotation-configuration-external-log-files
            log-rotation-configuration-compression
            log-rotation-configuration-expiry
            log-rotation-configuration-size-threshold
            log-cleanup-service-type))

(define-record-type* <log-rotation-configuration> log-rotation-configuration
  make-log-rotation-configuration log-rotation-configuration?
  (provision          log-rotation-configuration-provision (default '(log-rotation)))
  (requirement        log-rotation-configuration-requirement (default '(user-processes)))
  ;; When: every Sunday at 22:00.
  (calendar-event     log-rotation-configuration-calendar-event
                      (default #~(calendar-event #:minutes '(0) #:hours '(22)
                                                 #:days-of-week '(sunday))))
  ;; Log files of daemons that write their own (nginx...), besides the
  ;; Shepherd services' logs.
  (external-log-files log-rotation-configuration-external-log-files (default '()))
  (compression        log-rotation-configuration-compression (default 'zstd)) ;'gzip, 'none
  ;; #f: the Shepherd's defaults (six months; 8 KiB).
  (expiry             log-rotation-configuration-expiry (default #f))
  (size-threshold     log-rotation-configuration-size-threshold (default #f)))

(define (log-rotation-shepherd-service config)
  (let ((expiry (log-rotation-configuration-expiry config))
        (threshold (log-rotation-configuration-size-threshold config)))
    (list (shepherd-service
           (documentation "Rotate the log files once a week.")
           (provision (log-rotation-configuration-provision config))
           (requirement (log-rotation-configuration-requirement config))
           (modules '((shepherd service) (shepherd service timer)
                      (shepherd service log-rotation)))
           (free-form
            #~(log-rotation-service
               #$(log-rotation-configuration-calendar-event config)
               #:provision '#$(log-rotation-configuration-provision config)
               #:requirement '#$(log-rotation-configuration-requirement config)
               #:external-log-files '#$(log-rotation-configuration-external-log-files config)
               #:compression '#$(log-rotation-configuration-compression config)
               #$@(if expiry (list #:expiry expiry) '())
               #$@(if threshold (list #:rotation-size-threshold threshold) '())))))))

(define log-rotation-service-type
  (service-type
   (name 'log-rotation)
   (extensions
    (list (service-extension shepherd-root-service-type log-rotation-shepherd-service)
          ;; The compressor the Shepherd runs.
          (service-extension profile-service-type
                             (lambda (config)
                               (case (log-rotation-configuration-compression config)
                                 ((zstd) (list (@ (gnu packages compression) zstd)))
                                 ((gzip) (list (@ (gnu packages compression) gzip)))
                                 (else '()))))))
   ;; Other services extend it with their external log files.
   (compose concatenate)
   (extend (lambda (config files)
             (log-rotation-configuration
              (inherit config)
              (external-log-files
               (append (log-rotation-configuration-external-log-files config) files)))))
   (default-value (log-rotation-configuration))
   (description "Rotate log files periodically.")))

;; No Shepherd service: it deletes the build logs of the Guix daemon
;; (/var/log/guix/drvs), which an image without Guix does not have.
(define log-cleanup-service-type
  (service-type (name 'log-cleanup) (default-value #f)
                (description "Delete old log files.")))
