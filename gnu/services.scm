;;; (gnu services) -- services: what runs on the system, and how it is set up.
;;;
;;; A <service-type> names a kind of service (openssh, dhcpcd, agetty...);
;;; a <service> is a type with a value, usually a configuration record.
;;; pyguix keeps services as declared; the image builder realizes the ones
;;; it knows (getty, DHCP, ...) and lists the others.

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
            extra-special-file setuid-program-service-type
            privileged-program-service-type))

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

(define system-service-type (opaque-service-type 'system))
(define boot-service-type (opaque-service-type 'boot))
(define activation-service-type (opaque-service-type 'activate))
(define profile-service-type (opaque-service-type 'profile))
(define provenance-service-type (opaque-service-type 'provenance))
(define setuid-program-service-type (opaque-service-type 'setuid-program))
(define privileged-program-service-type (opaque-service-type 'privileged-program))

;; Files under /etc: a list of (FILE-NAME FILE-LIKE) entries.
(define etc-service-type
  (service-type
   (name 'etc)
   (default-value '())
   (description "Populate the /etc directory.")))

(define (extra-special-file file target)
  (simple-service 'special-file (opaque-service-type 'special-files) (list file target)))
