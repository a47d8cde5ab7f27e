;;; (gnu services security) -- fail2ban.
;;;
;;; The configuration records come from the index of Guix 1.5 (inert
;;; NAME-configuration records); fail2ban-jail-service is Guix's procedure.

(define-module (gnu services security)
  #:use-module (gnu services)
  #:export (fail2ban-service-type fail2ban-jail-service))

;; No Shepherd service: fail2ban (Debian's fail2ban) is not realized by pyguix yet.
(define fail2ban-service-type (opaque-service-type 'fail2ban))

;; As in Guix: SVC-TYPE, extended with a fail2ban jail (JAIL, a
;; fail2ban-jail-configuration); the same service type otherwise.
(define (fail2ban-jail-service svc-type jail)
  (service-type
   (inherit svc-type)
   (extensions
    (append (service-type-extensions svc-type)
            (list (service-extension fail2ban-service-type
                                     (lambda _ (list jail))))))))
