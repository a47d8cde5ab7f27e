;;; (gnu services) -- services: what runs on the system, and how it is set up.
;;;
;;; A <service-type> names a kind of service (openssh, dhcpcd, agetty...);
;;; a <service> is a type with a value, usually a configuration record.
;;;
;;; Service types are connected by *extensions*.  A service-extension says:
;;; "a service of my type adds something to the service of type TARGET;
;;; COMPUTE, applied to my value, says what."  The OpenSSH service, say,
;;; extends
;;;   - shepherd-root-service-type with the Shepherd service that runs sshd,
;;;   - account-service-type with the "sshd" user and group,
;;;   - etc-service-type with /etc/ssh/sshd_config,
;;;   - activation-service-type with code that runs at boot (host keys),
;;;   - profile-service-type with the openssh package.
;;;
;;; Building the system *folds* the graph: each service's value is its own
;;; value, extended (EXTEND) with what the services extending it computed,
;;; combined first (COMPOSE).  At the root sit a few "sink" types whose
;;; folded values are the system: the Shepherd services, the accounts, the
;;; /etc files, the boot-time code and the profile's packages.  pyguix folds
;;; in builders/lowering/services.py, exactly this way, and builds the image
;;; from the result.

(define-module (gnu services)
  #:use-module (srfi srfi-1)
  #:export (service-type service-type? <service-type>
            service-type-name service-type-extensions service-type-compose
            service-type-extend service-type-default-value service-type-description
            service-type-location
            service-extension service-extension? service-extension-target
            service-extension-compute

            service service? service-kind service-value service-parameters
            simple-service modify-services service-clause apply-service-modifications
            opaque-service-type

            system-service-type etc-service-type activation-service-type
            profile-service-type boot-service-type provenance-service-type
            special-files-service-type extra-special-file
            setuid-program-service-type privileged-program-service-type))

(define-record-type* <service-type> service-type make-service-type
  service-type?
  (name          service-type-name)                      ;symbol
  (extensions    service-type-extensions (default '()))  ;list of <service-extension>
  (compose       service-type-compose (default #f))
  (extend        service-type-extend (default #f))
  (default-value service-type-default-value (default %no-default-value))
  (description   service-type-description (default ""))
  (location      service-type-location (default #f) (innate)))

;; A unique marker: "this service type has no default value".
(define %no-default-value (list 'no-default-value))

(define-record-type* <service-extension> %service-extension make-service-extension
  service-extension?
  (target  service-extension-target)
  (compute service-extension-compute))

(define (service-extension target compute)
  (make-service-extension target compute))

;; A service type pyguix only knows by name, for the many service modules it
;; does not model field by field: (service cups-service-type) still works.
(define (opaque-service-type name)
  (service-type
   (name name)
   (default-value #f)
   (description "A service type known to pyguix by name only.")))

;;; Services.

(define-record-type <service>
  (make-service kind value)
  service?
  (kind  service-kind)
  (value service-value))

(define service-parameters service-value)          ;the old name

(define* (service type #:optional (value %no-default-value))
  "Return a service of TYPE with VALUE, or with the type's default value."
  (unless (service-type? type)
    (raise-config-error (format #f "~s is not a service type" type)))
  (let ((value (if (eq? value %no-default-value)
                   (service-type-default-value type)
                   value)))
    (when (eq? value %no-default-value)
      (raise-config-error
       (format #f "no value specified for service of type '~a'" (service-type-name type))))
    (make-service type value)))

;; A one-off service type that only extends TARGET with VALUE.
(define* (simple-service name target value)
  (service (service-type (name name)
                         (extensions (list (service-extension target identity)))
                         (description "A simple service."))
           value))

;;; modify-services: change or delete services in a list.
;;;
;;;   (modify-services %base-services
;;;     (guix-service-type config => (guix-configuration (inherit config) ...))
;;;     (delete console-font-service-type))

(define-syntax service-clause
  (syntax-rules (=> delete)
    ((_ (delete kind))
     (list 'delete kind #f))
    ((_ (kind param => exp ...))
     (list 'modify kind (lambda (param) exp ...)))))

(define-syntax modify-services
  (syntax-rules ()
    ((_ services clause ...)
     (apply-service-modifications services (list (service-clause clause) ...)))))

;; Apply each clause in turn to the whole list (as current Guix does):
;; a clause naming a type absent from the list is an error.
(define (apply-service-modifications services clauses)
  (fold (lambda (clause services)
          (let ((action (first clause))
                (kind (second clause))
                (proc (third clause)))
            (unless (any (lambda (s) (eq? (service-kind s) kind)) services)
              (raise-config-error
               (format #f "modify-services: service '~a' not found in service list"
                       (service-type-name kind))))
            (if (eq? action 'delete)
                (remove (lambda (s) (eq? (service-kind s) kind)) services)
                (map (lambda (s)
                       (if (eq? (service-kind s) kind)
                           (make-service kind (proc (service-value s)))
                           s))
                     services))))
        services
        clauses))

;;; The service types every system has.
;;;
;;; These are the sinks of the graph: other services extend them, and the
;;; image is built from their folded values.  Each takes lists and appends
;;; what it is extended with.

;; No Shepherd service: the system itself, its boot script and provenance
;; are Guix's store objects; pyguix writes the image directly.
(define system-service-type (opaque-service-type 'system))
(define boot-service-type (opaque-service-type 'boot))
(define provenance-service-type (opaque-service-type 'provenance))

;; Code to run at every boot, before the Shepherd services start: each
;; extension is one gexp (mkdir /run/sshd, make host keys, ...).
;; No Shepherd service: a root of the graph; the image's boot runs the code.
(define activation-service-type
  (service-type
   (name 'activate)
   (compose identity)                     ;the list of gexps, as given
   (extend append)
   (default-value '())
   (description "Run code at boot, before the services start.")))

;; The system profile: packages that /run/current-system/profile holds.
;; No Shepherd service: a root of the graph; the image builder installs them.
(define profile-service-type
  (service-type
   (name 'profile)
   (compose concatenate)
   (extend append)
   (default-value '())
   (description "Put packages in the system profile.")))

;; Files under /etc: a list of (FILE-NAME FILE-LIKE) entries; FILE-NAME is
;; relative to /etc, as in ("ssh/sshd_config" ,(plain-file ...)).
;; No Shepherd service: a root of the graph; the image builder writes them.
(define etc-service-type
  (service-type
   (name 'etc)
   (compose concatenate)
   (extend append)
   (default-value '())
   (description "Populate the /etc directory.")))

;; Programs that run with their owner's rights (sudo, passwd, ...).
;; No Shepherd service: the image builder sets the bits.
(define setuid-program-service-type
  (service-type (name 'setuid-program) (compose concatenate) (extend append)
                (default-value '())
                (description "Make programs setuid-root.")))
(define privileged-program-service-type
  (service-type (name 'privileged-program) (compose concatenate) (extend append)
                (default-value '())
                (description "Make programs privileged (setuid or with capabilities).")))

;; Symbolic links such as /bin/sh: a list of (FILE TARGET) entries, made
;; at boot by the activation code below.  No Shepherd service: it extends
;; activation-service-type.
(define (special-files-activation files)
  #~(for-each
     (lambda (entry)
       (let ((file (car entry))
             (target (cadr entry)))
         ;; Make the link only where it would change something: on a
         ;; usr-merged Debian, /usr/bin/env is already itself.
         (unless (and (file-exists? file) (file-exists? target)
                      (equal? (stat:ino (stat file)) (stat:ino (stat target)))
                      (equal? (stat:dev (stat file)) (stat:dev (stat target))))
           (false-if-exception (delete-file file))
           ;; Make the folders it lives in, as Guix's mkdir-p does.
           (let make-parents ((dir (dirname file)))
             (unless (file-exists? dir)
               (make-parents (dirname dir))
               (mkdir dir)))
           (symlink target file))))
     '#$files))

;; No Shepherd service: special files are made by activation code.
(define special-files-service-type
  (service-type
   (name 'special-files)
   (extensions
    (list (service-extension activation-service-type special-files-activation)))
   (compose concatenate)
   (extend append)
   (description "Create special files such as /bin/sh.")))

;; One more special file: (extra-special-file "/usr/bin/env" (file-append coreutils "/bin/env")).
(define (extra-special-file file target)
  (simple-service 'special-file special-files-service-type
                  (list (list file target))))
