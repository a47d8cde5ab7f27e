;;; (gnu services xorg) -- the X window system and display managers.

(define-module (gnu services xorg)
  #:use-module (gnu services)
  #:export (xorg-configuration xorg-configuration? set-xorg-configuration
            xorg-configuration-keyboard-layout %default-xorg-modules
            gdm-service-type gdm-configuration slim-service-type slim-configuration
            sddm-service-type sddm-configuration lightdm-service-type
            screen-locker-service-type screen-locker-service))

(define %default-xorg-modules '())

(define-record-type* <xorg-configuration> xorg-configuration make-xorg-configuration
  xorg-configuration?
  (modules         xorg-configuration-modules (default %default-xorg-modules))
  (fonts           xorg-configuration-fonts (default '()))
  (drivers         xorg-configuration-drivers (default '()))
  (resolutions     xorg-configuration-resolutions (default '()))
  (keyboard-layout xorg-configuration-keyboard-layout (default #f))
  (extra-config    xorg-configuration-extra-config (default '()))
  (server          xorg-configuration-server (default #f))
  (server-arguments xorg-configuration-server-arguments (default '())))

(define (simple name description)
  (service-type (name name) (default-value #f) (description description)))

(define gdm-service-type (simple 'gdm "The GNOME display manager."))
(define slim-service-type (simple 'slim "The SLiM display manager."))
(define sddm-service-type (simple 'sddm "The SDDM display manager."))
(define lightdm-service-type (simple 'lightdm "The LightDM display manager."))
(define screen-locker-service-type (simple 'screen-locker "A setuid screen locker."))

(define* (screen-locker-service package #:optional program)
  (service screen-locker-service-type (list package program)))

(define-record-type* <gdm-configuration> gdm-configuration make-gdm-configuration
  gdm-configuration?
  (xorg-configuration gdm-configuration-xorg (default (xorg-configuration)))
  (auto-login? gdm-configuration-auto-login? (default #f))
  (default-user gdm-configuration-default-user (default #f))
  (wayland? gdm-configuration-wayland? (default #t)))

(define-record-type* <slim-configuration> slim-configuration make-slim-configuration
  slim-configuration?
  (xorg-configuration slim-configuration-xorg (default (xorg-configuration)))
  (auto-login? slim-configuration-auto-login? (default #f))
  (default-user slim-configuration-default-user (default "")))

(define-record-type* <sddm-configuration> sddm-configuration make-sddm-configuration
  sddm-configuration?
  (xorg-configuration sddm-configuration-xorg (default (xorg-configuration)))
  (auto-login-user sddm-configuration-auto-login-user (default "")))

;; Set the Xorg configuration of the display manager in SERVICES.
(define* (set-xorg-configuration config #:optional (login-manager-service-type gdm-service-type))
  (simple-service 'set-xorg-configuration login-manager-service-type config))
