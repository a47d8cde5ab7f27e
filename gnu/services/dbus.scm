;;; (gnu services dbus) -- the system message bus and the polkit authority.
;;;
;;; Both run on every desktop system (see %desktop-services); the service
;;; types are known by name, their configurations keep what they are given.

(define-module (gnu services dbus)
  #:use-module (gnu services)
  #:export (dbus-root-service-type dbus-configuration dbus-configuration?
            dbus-service polkit-service-type polkit-configuration
            polkit-configuration? polkit-wheel-service))

(define-record-type* <dbus-configuration> dbus-configuration make-dbus-configuration
  dbus-configuration?
  (dbus       dbus-configuration-dbus (default #f))          ;the dbus package
  (services   dbus-configuration-services (default '()))     ;packages with D-Bus services
  (verbose?   dbus-configuration-verbose? (default #f)))

;; No Shepherd service: pyguix does not run D-Bus yet (Debian's dbus-daemon
;; --system --nofork would do); the services that need it, elogind, polkit
;; and NetworkManager, are not run either.
(define dbus-root-service-type
  (service-type (name 'dbus)
                (default-value (dbus-configuration))
                (description "Run the system-wide D-Bus message bus.")))

;; Guix's old procedure (deprecated there, still exported).
(define* (dbus-service #:key (dbus #f) (services '()) (verbose? #f))
  (service dbus-root-service-type
           (dbus-configuration (dbus dbus) (services services) (verbose? verbose?))))

(define-record-type* <polkit-configuration> polkit-configuration make-polkit-configuration
  polkit-configuration?
  (polkit   polkit-configuration-polkit (default #f))
  (actions  polkit-configuration-actions (default '())))

;; No Shepherd service: polkit answers over D-Bus (above).
(define polkit-service-type
  (service-type (name 'polkit)
                (default-value (polkit-configuration))
                (description "Run the polkit authorization manager.")))

;; A service letting members of "wheel" act as administrators in polkit.
(define polkit-wheel-service
  (simple-service 'polkit-wheel polkit-service-type '()))
