;;; (gnu system pam) -- PAM services.

(define-module (gnu system pam)
  #:export (base-pam-services pam-service pam-entry pam-limits-entry))

(define* (base-pam-services #:key allow-empty-passwords?)
  (list (list 'pam-services allow-empty-passwords?)))

(define-record-type* <pam-service> pam-service make-pam-service
  pam-service?
  (name pam-service-name)
  (account pam-service-account (default '()))
  (auth pam-service-auth (default '()))
  (password pam-service-password (default '()))
  (session pam-service-session (default '())))

(define-record-type* <pam-entry> pam-entry make-pam-entry
  pam-entry?
  (control pam-entry-control)
  (module pam-entry-module)
  (arguments pam-entry-arguments (default '())))

(define (pam-limits-entry domain type item value)
  (list domain type item value))
