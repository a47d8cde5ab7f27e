;;; (gnu services xorg) -- the X window system and display managers.

(define-module (gnu services xorg)
  #:use-module (gnu services)
  #:use-module (guix gexp)
  #:use-module ((gnu packages admin) #:select (shepherd))
  #:use-module ((gnu packages admin) #:select (shadow))
  #:use-module ((gnu packages display-managers) #:select (sddm))
  #:use-module ((gnu packages xorg) #:select (xauth xorg-server))
  #:export (xorg-configuration xorg-configuration? set-xorg-configuration
            xorg-configuration-keyboard-layout %default-xorg-modules
            gdm-service-type gdm-configuration slim-service-type slim-configuration
            sddm-service-type sddm-configuration sddm-configuration? sddm-configuration-xorg
            sddm-configuration-theme sddm-configuration-auto-login-user
            lightdm-service-type
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

;; No Shepherd service: pyguix does not run a graphical session yet (the
;; display managers need X or Wayland, D-Bus and elogind, which it does not
;; set up); these types keep their configurations for the image's record.
(define gdm-service-type (simple 'gdm "The GNOME display manager."))
(define slim-service-type (simple 'slim "The SLiM display manager."))
(define sddm-service-type
  (service-type (name 'sddm) (default-value #f)
                (description "Run SDDM, a display and log-in manager for X11 and Wayland.")))
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

;; SDDM is (gnu services sddm) in Guix, which forwards these.  The record has
;; Guix's fields and defaults so any sddm-configuration keeps its values;
;; pyguix itself reads only the Xorg configuration and the log-in user.
(define-record-type* <sddm-configuration> sddm-configuration make-sddm-configuration
  sddm-configuration?
  (sddm                   sddm-configuration-sddm (default sddm))
  ;; [General]: "x11" or "wayland"; NumLock "on", "off" or "none".
  (display-server         sddm-configuration-display-server (default "x11"))
  (numlock                sddm-configuration-numlock (default "on"))
  (halt-command           sddm-configuration-halt-command
                          (default (file-append shepherd "/sbin/halt")))
  (reboot-command         sddm-configuration-reboot-command
                          (default (file-append shepherd "/sbin/reboot")))
  ;; [Theme]: a theme name among the installed ones ("breeze" comes with Plasma).
  (theme                  sddm-configuration-theme (default "maldives"))
  (themes-directory       sddm-configuration-themes-directory
                          (default "/run/current-system/profile/share/sddm/themes"))
  (faces-directory        sddm-configuration-faces-directory
                          (default "/run/current-system/profile/share/sddm/faces"))
  ;; [Users]: who is listed on the greeter.
  (default-path           sddm-configuration-default-path
                          (default "/run/current-system/profile/bin"))
  (minimum-uid            sddm-configuration-minimum-uid (default 1000))
  (maximum-uid            sddm-configuration-maximum-uid (default 2000))
  (remember-last-user?    sddm-configuration-remember-last-user? (default #t))
  (remember-last-session? sddm-configuration-remember-last-session? (default #t))
  (hide-users             sddm-configuration-hide-users (default ""))
  (hide-shells            sddm-configuration-hide-shells
                          (default (file-append shadow "/sbin/nologin")))
  ;; [Wayland]
  (session-command        sddm-configuration-session-command
                          (default (file-append sddm "/share/sddm/scripts/wayland-session")))
  (sessions-directory     sddm-configuration-sessions-directory
                          (default "/run/current-system/profile/share/wayland-sessions"))
  ;; [X11]
  (xorg-configuration     sddm-configuration-xorg (default (xorg-configuration)))
  (xauth-path             sddm-configuration-xauth-path
                          (default (file-append xauth "/bin/xauth")))
  (xephyr-path            sddm-configuration-xephyr-path
                          (default (file-append xorg-server "/bin/Xephyr")))
  (xdisplay-start         sddm-configuration-xdisplay-start
                          (default (file-append sddm "/share/sddm/scripts/Xsetup")))
  (xdisplay-stop          sddm-configuration-xdisplay-stop
                          (default (file-append sddm "/share/sddm/scripts/Xstop")))
  (xsession-command       sddm-configuration-xsession-command (default #f)) ;Guix: its xinitrc
  (xsessions-directory    sddm-configuration-xsessions-directory
                          (default "/run/current-system/profile/share/xsessions"))
  (minimum-vt             sddm-configuration-minimum-vt (default 7))
  ;; [Autologin]: a user name and a session such as "xfce.desktop".
  (auto-login-user        sddm-configuration-auto-login-user (default ""))
  (auto-login-session     sddm-configuration-auto-login-session (default ""))
  (relogin?               sddm-configuration-relogin? (default #f)))

;; Set the Xorg configuration of the display manager in SERVICES.
(define* (set-xorg-configuration config #:optional (login-manager-service-type gdm-service-type))
  (simple-service 'set-xorg-configuration login-manager-service-type config))
