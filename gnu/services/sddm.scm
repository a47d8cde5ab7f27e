;;; (gnu services sddm) -- the SDDM display and log-in manager.
;;;
;;; Guix defines SDDM in this module; pyguix keeps its definition next to
;;; the other display managers in (gnu services xorg) and forwards it here,
;;; so both imports give the same service type (as `delete' and `memq' on
;;; service kinds need).

(define-module (gnu services sddm)
  #:use-module (gnu services)
  #:use-module (gnu services xorg)
  #:re-export (sddm-service-type sddm-configuration sddm-configuration?
               sddm-configuration-xorg sddm-configuration-theme
               sddm-configuration-auto-login-user)
  #:export (sddm-service))

;; The procedure of Guix versions before service types took defaults.
(define* (sddm-service #:optional (config (sddm-configuration)))
  (service sddm-service-type config))
