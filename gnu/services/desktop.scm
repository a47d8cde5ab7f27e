;;; (gnu services desktop) -- what a graphical desktop system runs.

(define-module (gnu services desktop)
  #:use-module (gnu services)
  #:use-module (gnu services base)
  #:use-module (gnu services networking)
  #:use-module (gnu services dbus)
  #:use-module (gnu services avahi)
  #:use-module (guix gexp)
  #:use-module ((gnu services xorg) #:select (gdm-service-type screen-locker-service-type
                                              screen-locker-configuration))
  #:use-module ((gnu services sound) #:select (pulseaudio-service-type alsa-service-type))
  #:use-module ((gnu services base) #:select (udev-service-type file-system-service-type))
  #:use-module ((gnu system) #:select (%base-packages-artwork))
  #:use-module ((gnu packages suckless) #:select (slock))
  #:use-module ((gnu packages xdisorg) #:select (xlockmore))
  #:use-module ((gnu packages libusb) #:select (libmtp))
  #:use-module ((gnu packages nfs) #:select (nfs-utils))
  #:use-module ((gnu packages linux) #:select (ntfs-3g))
  #:use-module ((gnu packages gnome) #:select (network-manager-applet))
  #:re-export (dbus-root-service-type polkit-service-type  ;older pyguix had them here
               polkit-wheel-service)
  #:export (%desktop-services desktop-services-for-system
            gnome-desktop-service-type xfce-desktop-service-type mate-desktop-service-type
            lxqt-desktop-service-type enlightenment-desktop-service-type
            plasma-desktop-service-type
            elogind-service-type udisks-service-type
            upower-service-type accountsservice-service-type
            colord-service-type geoclue-service-type bluetooth-service-type
            x11-socket-directory-service-type fontconfig-file-system-service
            gdm-file-system-service sane-service-type cups-pk-helper-service-type
            gnome-desktop-configuration xfce-desktop-configuration
            ;; Procedures and values of older Guix, deprecated but still exported there.
            xfce-desktop-service mate-desktop-service
            elogind-service x11-socket-directory-service
            udisks-service geoclue-service bluetooth-service accountsservice-service))

(define (simple name description)
  (service-type (name name) (default-value #f) (description description)))

;; No Shepherd service: the desktops and their helpers (elogind, udisks,
;; upower, colord, geoclue, bluetoothd...) are D-Bus services of a graphical
;; session, which pyguix does not set up yet.
(define gnome-desktop-service-type (simple 'gnome-desktop "The GNOME desktop."))
(define xfce-desktop-service-type (simple 'xfce-desktop "The Xfce desktop."))
(define mate-desktop-service-type (simple 'mate-desktop "The MATE desktop."))
(define lxqt-desktop-service-type (simple 'lxqt-desktop "The LXQt desktop."))
(define enlightenment-desktop-service-type (simple 'enlightenment-desktop "Enlightenment."))
(define plasma-desktop-service-type (simple 'plasma-desktop "The KDE Plasma desktop."))
(define elogind-service-type (simple 'elogind "Login and seat management."))
(define udisks-service-type (simple 'udisks "Disk management."))
(define upower-service-type (simple 'upower "Power management."))
(define accountsservice-service-type (simple 'accountsservice "User accounts over D-Bus."))
(define colord-service-type (simple 'colord "Color management."))
(define geoclue-service-type (simple 'geoclue "Geolocation."))
(define bluetooth-service-type (simple 'bluetooth "Bluetooth."))
(define x11-socket-directory-service-type
  (simple 'x11-socket-directory-service "/tmp/.X11-unix."))
(define sane-service-type (simple 'sane "Scanner support."))
(define cups-pk-helper-service-type (simple 'cups-pk-helper "CUPS PolicyKit helper."))
(define fontconfig-file-system-service
  (simple-service 'fontconfig-file-system file-system-service-type '()))
(define gdm-file-system-service
  (simple-service 'gdm-file-system file-system-service-type '()))

(define-record-type* <gnome-desktop-configuration> gnome-desktop-configuration
  make-gnome-desktop-configuration gnome-desktop-configuration?
  (gnome gnome-desktop-configuration-gnome (default #f))     ;older Guix: the one GNOME package
  ;; Current Guix: the parts of GNOME to install, as lists of packages.
  (core-services gnome-desktop-configuration-core-services (default '()))
  (shell gnome-desktop-configuration-shell (default '()))
  (utilities gnome-desktop-configuration-utilities (default '()))
  (extra-packages gnome-desktop-configuration-extra-packages (default '()))
  (polkit-ignorelist gnome-desktop-configuration-polkit-ignorelist (default '()))
  (udev-ignorelist gnome-desktop-configuration-udev-ignorelist (default '()))
  (keyring gnome-desktop-configuration-keyring (default #f)))
(define-record-type* <xfce-desktop-configuration> xfce-desktop-configuration
  make-xfce-desktop-configuration xfce-desktop-configuration?
  (xfce xfce-desktop-configuration-xfce (default #f)))

;; The procedures Guix had before service types took default values; Guix
;; still exports them (deprecated), and configurations written then use them.
;; (Guix 1.5 still exports gnome-desktop-service but no longer defines it:
;; using it is an unbound variable, see schemeconf/vocabulary.py.)
(define* (xfce-desktop-service #:key (config (xfce-desktop-configuration)))
  (service xfce-desktop-service-type config))
(define* (mate-desktop-service #:key (config #f))
  (service mate-desktop-service-type config))
(define* (elogind-service #:key (config #f))
  (service elogind-service-type config))
(define* (udisks-service #:key (udisks #f))
  (service udisks-service-type udisks))
(define* (geoclue-service #:key #:allow-other-keys)
  (service geoclue-service-type))
(define* (bluetooth-service #:key (bluez #f) (auto-enable? #f))
  (service bluetooth-service-type))
(define* (accountsservice-service #:key (accountsservice #f))
  (service accountsservice-service-type accountsservice))
(define x11-socket-directory-service (service x11-socket-directory-service-type))

(define* (desktop-services-for-system #:optional system)
  ;; Guix 1.5's list, in its order: the base services, plus what a desktop
  ;; session needs.  The display manager and Avahi are the very types (gnu
  ;; services xorg) and (gnu services avahi) export, so that `(delete
  ;; gdm-service-type)' in modify-services finds them.
  (cons* (service gdm-service-type)
         (service screen-locker-service-type
                  (screen-locker-configuration
                   (name "slock")
                   (program (file-append slock "/bin/slock"))))
         (service screen-locker-service-type
                  (screen-locker-configuration
                   (name "xlock")
                   (program (file-append xlockmore "/bin/xlock"))))
         (simple-service 'mtp udev-service-type (list libmtp))
         (service sane-service-type)
         polkit-wheel-service
         (simple-service 'mount-setuid-helpers privileged-program-service-type
                         (list (file-append nfs-utils "/sbin/mount.nfs")
                               (file-append ntfs-3g "/sbin/mount.ntfs-3g")))
         (simple-service 'guix-artwork profile-service-type %base-packages-artwork)
         gdm-file-system-service
         (service vte-integration-service-type)
         fontconfig-file-system-service
         (service network-manager-service-type)
         (service wpa-supplicant-service-type)
         (simple-service 'network-manager-applet profile-service-type
                         (list network-manager-applet))
         (service modem-manager-service-type)
         (service usb-modeswitch-service-type)
         (service avahi-service-type)
         (service udisks-service-type)
         (service upower-service-type)
         (service accountsservice-service-type)
         (service cups-pk-helper-service-type)
         (service colord-service-type)
         (service geoclue-service-type)
         (service polkit-service-type)
         (service elogind-service-type)
         (service dbus-root-service-type)
         (service ntp-service-type)
         (service x11-socket-directory-service-type)
         (service pulseaudio-service-type)
         (service alsa-service-type)
         %base-services))

(define %desktop-services (desktop-services-for-system))
