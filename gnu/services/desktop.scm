;;; (gnu services desktop) -- what a graphical desktop system runs.

(define-module (gnu services desktop)
  #:use-module (gnu services)
  #:use-module (gnu services base)
  #:use-module (gnu services networking)
  #:export (%desktop-services desktop-services-for-system
            gnome-desktop-service-type xfce-desktop-service-type mate-desktop-service-type
            lxqt-desktop-service-type enlightenment-desktop-service-type
            elogind-service-type dbus-root-service-type udisks-service-type
            upower-service-type accountsservice-service-type polkit-service-type
            colord-service-type geoclue-service-type bluetooth-service-type
            x11-socket-directory-service-type fontconfig-file-system-service
            gnome-desktop-configuration xfce-desktop-configuration))

(define (simple name description)
  (service-type (name name) (default-value #f) (description description)))

(define gnome-desktop-service-type (simple 'gnome-desktop "The GNOME desktop."))
(define xfce-desktop-service-type (simple 'xfce-desktop "The Xfce desktop."))
(define mate-desktop-service-type (simple 'mate-desktop "The MATE desktop."))
(define lxqt-desktop-service-type (simple 'lxqt-desktop "The LXQt desktop."))
(define enlightenment-desktop-service-type (simple 'enlightenment-desktop "Enlightenment."))
(define elogind-service-type (simple 'elogind "Login and seat management."))
(define dbus-root-service-type (simple 'dbus-system "The system D-Bus."))
(define udisks-service-type (simple 'udisks "Disk management."))
(define upower-service-type (simple 'upower "Power management."))
(define accountsservice-service-type (simple 'accountsservice "User accounts over D-Bus."))
(define polkit-service-type (simple 'polkit "Authorization manager."))
(define colord-service-type (simple 'colord "Color management."))
(define geoclue-service-type (simple 'geoclue "Geolocation."))
(define bluetooth-service-type (simple 'bluetooth "Bluetooth."))
(define x11-socket-directory-service-type (simple 'x11-socket-directory "/tmp/.X11-unix."))
(define fontconfig-file-system-service (service (simple 'fontconfig "Font cache.") #f))

(define-record-type* <gnome-desktop-configuration> gnome-desktop-configuration
  make-gnome-desktop-configuration gnome-desktop-configuration?
  (gnome gnome-desktop-configuration-gnome (default #f)))
(define-record-type* <xfce-desktop-configuration> xfce-desktop-configuration
  make-xfce-desktop-configuration xfce-desktop-configuration?
  (xfce xfce-desktop-configuration-xfce (default #f)))

(define* (desktop-services-for-system #:optional system)
  ;; The base services, plus what a desktop session needs.
  (append
   (list (service (simple 'gdm "The GNOME display manager."))
         (service x11-socket-directory-service-type)
         (service network-manager-service-type)
         (service wpa-supplicant-service-type)
         (service modem-manager-service-type)
         (service usb-modeswitch-service-type)
         (service (simple 'avahi "mDNS/DNS-SD."))
         (service udisks-service-type)
         (service upower-service-type)
         (service accountsservice-service-type)
         (service colord-service-type)
         (service geoclue-service-type)
         (service polkit-service-type)
         (service elogind-service-type)
         (service dbus-root-service-type)
         (service ntp-service-type))
   %base-services))

(define %desktop-services (desktop-services-for-system))
