;;; (gnu services shepherd) -- services of the Shepherd, PID 1 of Guix System.
;;;
;;; A configuration adds its own daemons as <shepherd-service> records
;;; extending shepherd-root-service-type, e.g.
;;;   (simple-service 'my-daemon shepherd-root-service-type
;;;                   (list (shepherd-service (provision '(my-daemon))
;;;                                           (start #~(make-forkexec-constructor ...)))))
;;; pyguix keeps the records (their start and stop code is not run).

(define-module (gnu services shepherd)
  #:use-module (gnu services)
  #:use-module (guix gexp)
  #:export (shepherd-root-service-type shepherd-configuration shepherd-configuration?
            shepherd-service shepherd-service? <shepherd-service>
            shepherd-service-documentation shepherd-service-provision
            shepherd-service-canonical-name shepherd-service-requirement
            shepherd-service-one-shot? shepherd-service-transient?
            shepherd-service-respawn? shepherd-service-respawn-limit
            shepherd-service-respawn-delay shepherd-service-start
            shepherd-service-stop shepherd-service-actions
            shepherd-service-auto-start? shepherd-service-modules
            shepherd-service-free-form
            shepherd-action shepherd-action? shepherd-action-name
            shepherd-action-documentation shepherd-action-procedure
            shepherd-configuration-action %default-modules
            user-processes-service-type))

(define-record-type* <shepherd-configuration> shepherd-configuration
  make-shepherd-configuration shepherd-configuration?
  (shepherd  shepherd-configuration-shepherd (default #f))  ;the shepherd package
  (services  shepherd-configuration-services (default '())))

(define shepherd-root-service-type
  (service-type (name 'shepherd-root)
                (default-value (shepherd-configuration))
                (description "Run the GNU Shepherd as PID 1 with the services it is extended with.")))

(define user-processes-service-type
  (service-type (name 'user-processes) (default-value #f)
                (description "Stop user processes at shutdown.")))

;; The Guile modules the start and stop code may use.
(define %default-modules
  '((guix build utils) (guix build syscalls)))

(define-record-type* <shepherd-service> shepherd-service make-shepherd-service
  shepherd-service?
  (documentation shepherd-service-documentation (default "[No documentation.]"))
  (provision     shepherd-service-provision)              ;list of symbols, the first is its name
  (requirement   shepherd-service-requirement (default '()))
  (one-shot?     shepherd-service-one-shot? (default #f))
  (transient?    shepherd-service-transient? (default #f))
  (respawn?      shepherd-service-respawn? (default #t))
  (respawn-limit shepherd-service-respawn-limit (default #f))
  (respawn-delay shepherd-service-respawn-delay (default #f))
  (start         shepherd-service-start)                  ;a gexp
  (stop          shepherd-service-stop (default #~(const #f)))
  (actions       shepherd-service-actions (default '()))  ;list of <shepherd-action>
  (auto-start?   shepherd-service-auto-start? (default #t))
  (modules       shepherd-service-modules (default %default-modules))
  (free-form     shepherd-service-free-form (default #f)))

(define (shepherd-service-canonical-name service)
  (car (shepherd-service-provision service)))

;; An extra action of a service: `herd NAME SERVICE'.
(define-record-type* <shepherd-action> shepherd-action make-shepherd-action
  shepherd-action?
  (name          shepherd-action-name)                    ;a symbol
  (documentation shepherd-action-documentation)           ;a string
  (procedure     shepherd-action-procedure))              ;a gexp

;; The `configuration' action, which shows the service's configuration FILE.
(define (shepherd-configuration-action file)
  (shepherd-action
   (name 'configuration)
   (documentation "Display the name of this service's configuration file.")
   (procedure #~(lambda (_) #$file))))
