;;; (gnu services shepherd) -- services of the Shepherd, PID 1 of Guix System.
;;;
;;; The Shepherd starts and stops the system's daemons.  Each daemon is a
;;; <shepherd-service>: the names it provides, the names it requires, and
;;; how to start and stop it, as G-expressions -- Guile code that runs in
;;; PID 1 on the booted machine, not here.
;;;
;;; Service types add their daemons by extending shepherd-root-service-type
;;; with a procedure returning a list of <shepherd-service>:
;;;
;;;   (service-type
;;;    (name 'my-daemon)
;;;    (extensions
;;;     (list (service-extension shepherd-root-service-type
;;;                              (lambda (config)
;;;                                (list (shepherd-service
;;;                                       (provision '(my-daemon))
;;;                                       (start #~(make-forkexec-constructor
;;;                                                 (list #$(file-append my-package "/bin/my-daemon"))))
;;;                                       (stop #~(make-kill-destructor)))))))))
;;;
;;; and a configuration can add one directly:
;;;   (simple-service 'my-daemon shepherd-root-service-type (list (shepherd-service ...)))
;;;
;;; pyguix folds every service of the system into these records
;;; (builders/lowering/services.py) and writes /etc/shepherd.scm from them:
;;; each #$PACKAGE in the code becomes the place where Debian installs it
;;; ("/usr"), so #$(file-append openssh "/sbin/sshd") is "/usr/sbin/sshd".

(define-module (gnu services shepherd)
  #:use-module (srfi srfi-1)
  #:use-module (gnu services)
  #:use-module (guix gexp)
  #:export (shepherd-root-service-type shepherd-configuration shepherd-configuration?
            shepherd-configuration-shepherd shepherd-configuration-services
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
            user-processes-service-type
            shepherd-system-log-service-type system-log-configuration
            system-log-configuration? shepherd-timer-service-type
            shepherd-transient-service-type))

(define-record-type* <shepherd-configuration> shepherd-configuration
  make-shepherd-configuration shepherd-configuration?
  (shepherd  shepherd-configuration-shepherd (default #f))  ;the shepherd package
  (services  shepherd-configuration-services (default '())))

;; The root of the service graph: every daemon ends up here.  Its value
;; collects the <shepherd-service> records the other services extend it with.
(define shepherd-root-service-type
  (service-type (name 'shepherd-root)
                (compose concatenate)
                (extend (lambda (config services)
                          (shepherd-configuration
                           (inherit config)
                           (services (append (shepherd-configuration-services config)
                                             services)))))
                (default-value (shepherd-configuration))
                (description "Run the GNU Shepherd as PID 1 with the services it is extended with.")))

;; The Guile modules the start and stop code may use.  Guix's default adds
;; (guix build utils) and (guix build syscalls), Guix's own modules; the
;; Debian-based system has Guile's and the Shepherd's modules only.
(define %default-modules
  '((shepherd service) (srfi srfi-1) (ice-9 match)))

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
  (start         shepherd-service-start (default #~(const #t))) ;a gexp
  (stop          shepherd-service-stop (default #~(const #f)))
  (actions       shepherd-service-actions (default '()))  ;list of <shepherd-action>
  (auto-start?   shepherd-service-auto-start? (default #t))
  (modules       shepherd-service-modules (default %default-modules))
  ;; A gexp that evaluates to the whole service, for the Shepherd's own
  ;; services (system-log-service, timer-service...): then START and STOP
  ;; are not used.
  (free-form     shepherd-service-free-form (default #f)))

(define (shepherd-service-canonical-name service)
  (car (shepherd-service-provision service)))

;; An extra action of a service: `herd NAME SERVICE'.
(define-record-type* <shepherd-action> shepherd-action make-shepherd-action
  shepherd-action?
  (name          shepherd-action-name)                    ;a symbol
  (documentation shepherd-action-documentation)           ;a string
  (procedure     shepherd-action-procedure))              ;a gexp

;; The `configuration' action: `herd configuration sshd' prints the name of
;; the service's configuration FILE.
(define (shepherd-configuration-action file)
  (shepherd-action
   (name 'configuration)
   (documentation "Display the name of this service's configuration file.")
   (procedure #~(lambda (_) (format #t "~a~%" #$file) #$file))))

;;; user-processes: the service every daemon requires.
;;;
;;; It does nothing when started.  When it is stopped -- at `halt' and
;;; `reboot', after the daemons that require it -- it sends every process
;;; left the TERM signal, then KILL, so that the file systems can be
;;; unmounted.  Its value is the list of what it requires: the file systems
;;; and the random seed extend it with their names.

(define (user-processes-shepherd-service requirements)
  (list (shepherd-service
         (documentation "When stopped, terminate all user processes.")
         (provision '(user-processes))
         (requirement (cons 'root-file-system requirements))
         (respawn? #f)
         (start #~(const #t))
         (stop #~(lambda _
                   (define (signal-all signal)
                     (false-if-exception (kill -1 signal)))
                   (display "sending all processes the TERM signal\n")
                   (signal-all SIGTERM)
                   (sleep 2)
                   (signal-all SIGKILL)
                   #f)))))

(define user-processes-service-type
  (service-type
   (name 'user-processes)
   (extensions
    (list (service-extension shepherd-root-service-type
                             user-processes-shepherd-service)))
   (compose concatenate)
   (extend append)
   (default-value '())
   (description "Stop user processes at shutdown.")))

;;; The Shepherd's own services: Shepherd 1.0 comes with a system log, a
;;; timer service and a transient-service launcher, each a Guile procedure
;;; that returns a whole service.  The <shepherd-service> records carry
;;; them as `free-form' code.

(define-record-type* <system-log-configuration> system-log-configuration
  make-system-log-configuration system-log-configuration?
  (provision       system-log-configuration-provision (default '(system-log syslogd)))
  (requirement     system-log-configuration-requirement (default '(root-file-system)))
  ;; The other fields are code (gexps) handed to system-log-service; #f
  ;; leaves the Shepherd's own default (Guix writes those defaults out).
  (kernel-log-file system-log-configuration-kernel-log-file (default #f))
  (message-destination system-log-configuration-message-destination (default #f))
  (date-format     system-log-configuration-date-format (default #f))
  (history-size    system-log-configuration-history-size (default #f))
  (max-silent-time system-log-configuration-max-silent-time (default #f)))

;; The system log: it listens on /dev/log and writes /var/log/messages,
;; /var/log/secure and /var/log/debug, as syslogd does.
(define (system-log-shepherd-service config)
  (define (option keyword value)                ;keyword and value, if one is given
    (if value (list keyword value) '()))

  (let ((provision (system-log-configuration-provision config))
        (requirement (system-log-configuration-requirement config)))
    (list (shepherd-service
           (documentation "The system log (syslogd) of the Shepherd.")
           (provision provision)
           (requirement requirement)
           (modules '((shepherd service) (shepherd service system-log)))
           (free-form
            #~(system-log-service
               #:provision '#$provision
               #:requirement '#$requirement
               #$@(append
                   (option #:kernel-log-file (system-log-configuration-kernel-log-file config))
                   (option #:message-destination
                           (system-log-configuration-message-destination config))
                   (option #:date-format (system-log-configuration-date-format config))
                   (option #:history-size (system-log-configuration-history-size config))
                   (option #:max-silent-time
                           (system-log-configuration-max-silent-time config)))))))))

(define shepherd-system-log-service-type
  (service-type
   (name 'shepherd-system-log)
   (extensions
    (list (service-extension shepherd-root-service-type system-log-shepherd-service)))
   (default-value (system-log-configuration))
   (description "The Shepherd's system log.")))

;; `herd schedule timer at 10:00 -- CMD': run a command at a given time.
(define shepherd-timer-service-type
  (service-type
   (name 'shepherd-timer)
   (extensions
    (list (service-extension
           shepherd-root-service-type
           (lambda (requirement)
             (list (shepherd-service
                    (provision '(timer))
                    (requirement requirement)
                    (modules '((shepherd service) (shepherd service timer)))
                    (free-form #~(timer-service '(timer)
                                                #:requirement '#$requirement))))))))
   (default-value '(user-processes))
   (description "The Shepherd's timer service, to run commands at given times.")))

;; `herd spawn transient -- CMD': run a command as a service of its own.
(define shepherd-transient-service-type
  (service-type
   (name 'shepherd-transient)
   (extensions
    (list (service-extension
           shepherd-root-service-type
           (lambda (requirement)
             (list (shepherd-service
                    (provision '(transient))
                    (requirement requirement)
                    (modules '((shepherd service) (shepherd service transient)))
                    (free-form #~(transient-service '(transient)
                                                    #:requirement '#$requirement))))))))
   (default-value '(user-processes))
   (description "The Shepherd's service for transient services.")))
