;;; (gnu services networking) -- getting the machine on the network.
;;;
;;; The DHCP clients and the NTP daemons: each service type extends
;;; shepherd-root-service-type with a daemon that the Shepherd keeps in the
;;; foreground, with the configuration file made from its record.  The DHCP
;;; services provide `networking', which the daemons that talk to the
;;; network (sshd, ntpd...) require.

(define-module (gnu services networking)
  #:use-module (srfi srfi-1)
  #:use-module (gnu services)
  #:use-module (gnu services base)
  #:use-module (gnu services shepherd)
  #:use-module (gnu system shadow)
  #:use-module (guix gexp)
  #:re-export (static-networking-service-type static-networking network-address network-route)
  #:export (dhcp-client-service-type dhcp-client-configuration dhcp-client-configuration?
            dhcp-client-configuration-interfaces
            dhcpcd-service-type dhcpcd-configuration dhcpcd-configuration?
            dhcpcd-configuration-interfaces
            network-manager-service-type network-manager-configuration
            ntp-service-type ntp-configuration ntp-configuration? ntp-configuration-servers
            ntp-server ntp-server? %ntp-servers %default-ntp-servers
            openntpd-service-type openntpd-configuration openntpd-configuration?
            %openntpd-servers
            connman-service-type wpa-supplicant-service-type
            modem-manager-service-type usb-modeswitch-service-type))

(define isc-dhcp (@ (gnu packages admin) isc-dhcp))
(define dhcpcd (@ (gnu packages admin) dhcpcd))
(define ntp (@ (gnu packages ntp) ntp))
(define openntpd (@ (gnu packages ntp) openntpd))
(define shadow (@ (gnu packages admin) shadow))

;; Each of these values becomes a line of a configuration file.
(define (validate-lines what)
  (lambda (value)
    (unless (and (list? value)
                 (every (lambda (s) (and (string? s) (not (string-index s #\newline)))) value))
      (raise-config-error (format #f "~a must be a list of one-line strings, not ~s" what value)))
    value))

;;; ISC's DHCP client (older Guix systems use it).

(define-record-type* <dhcp-client-configuration> dhcp-client-configuration
  make-dhcp-client-configuration
  dhcp-client-configuration?
  (package    dhcp-client-configuration-package (default isc-dhcp))
  (shepherd-requirement dhcp-client-configuration-shepherd-requirement (default '()))
  (shepherd-provision dhcp-client-configuration-shepherd-provision (default '(networking)))
  (config-file dhcp-client-configuration-config-file (default #f))
  (interfaces dhcp-client-configuration-interfaces (default 'all)) ;or '("eth0")
  (version    dhcp-client-configuration-version (default "4")))    ;"4", "6" or "4o6"

(define (dhcp-client-shepherd-service config)
  (let ((interfaces (dhcp-client-configuration-interfaces config))
        (config-file (dhcp-client-configuration-config-file config))
        (version (dhcp-client-configuration-version config)))
    (list (shepherd-service
           (documentation "Set up networking with DHCP (ISC's dhclient).")
           (provision (dhcp-client-configuration-shepherd-provision config))
           (requirement (append '(user-processes udev)
                                (dhcp-client-configuration-shepherd-requirement config)))
           ;; -d: stay in the foreground.  With no interface named,
           ;; dhclient takes every interface that can broadcast.
           (start #~(make-forkexec-constructor
                     (list #$(file-append (dhcp-client-configuration-package config)
                                          "/sbin/dhclient")
                           "-d" #$(string-append "-" version)
                           "-pf" "/var/run/dhclient.pid"
                           #$@(if config-file (list "-cf" config-file) '())
                           #$@(if (list? interfaces) interfaces '()))))
           (stop #~(make-kill-destructor))))))

(define dhcp-client-service-type
  (service-type
   (name 'dhcp-client)
   (extensions
    (list (service-extension shepherd-root-service-type dhcp-client-shepherd-service)))
   (default-value (dhcp-client-configuration))
   (description "Configure network interfaces with DHCP (ISC client).")))

;;; dhcpcd, the DHCP client of current Guix.

(define-record-type* <dhcpcd-configuration> dhcpcd-configuration
  make-dhcpcd-configuration
  dhcpcd-configuration?
  ;; An older pyguix field (Guix has none): the dhcpcd package.
  (dhcpcd     dhcpcd-configuration-dhcpcd (default dhcpcd))
  (interfaces dhcpcd-configuration-interfaces (default '())) ;'() = all
  (command-arguments dhcpcd-configuration-command-arguments (default '("-q" "-q")))
  ;; The host name sent to the server; "" sends the system's.
  (host-name  dhcpcd-configuration-host-name (default ""))
  (duid       dhcpcd-configuration-duid (default ""))
  (persistent? dhcpcd-configuration-persistent? (default #t))
  (option     dhcpcd-configuration-option
              (default '("rapid_commit" "domain_name_servers" "domain_name"
                         "domain_search" "host_name" "classless_static_routes"
                         "interface_mtu"))
              (sanitize (validate-lines "option")))
  (require    dhcpcd-configuration-require (default '("dhcp_server_identifier"))
              (sanitize (validate-lines "require")))
  (slaac      dhcpcd-configuration-slaac (default "private"))
  (no-option  dhcpcd-configuration-no-option (default '()) (sanitize (validate-lines "no-option")))
  (no-hook    dhcpcd-configuration-no-hook (default '()) (sanitize (validate-lines "no-hook")))
  (static     dhcpcd-configuration-static (default '()) (sanitize (validate-lines "static")))
  (vendor-class-id dhcpcd-configuration-vendor-class-id (default #f))
  (client-id  dhcpcd-configuration-client-id (default #f))
  (extra-content dhcpcd-configuration-extra-content (default #f))
  (shepherd-provision dhcpcd-configuration-shepherd-provision (default '(networking)))
  (shepherd-requirement dhcpcd-configuration-shepherd-requirement (default '())))

;; dhcpcd.conf(5), from the record.
(define (dhcpcd-config-file config)
  (define (line keyword value)
    (cond ((not value) "")
          ((string-index value #\newline)
           (raise-config-error (format #f "dhcpcd: ~a ~s spans several lines" keyword value)))
          ((string-null? value) (string-append keyword "\n"))
          (else (string-append keyword " " value "\n"))))
  (define (lines keyword values)
    (map (lambda (value) (line keyword value)) values))
  (let ((host-name (dhcpcd-configuration-host-name config))
        (duid (dhcpcd-configuration-duid config))
        (extra (dhcpcd-configuration-extra-content config)))
    (plain-file
     "dhcpcd.conf"
     (apply string-append
            "# Generated from the dhcpcd-configuration.\n"
            (line "hostname" host-name)
            (if (and (string? duid) (string-null? duid)) "duid\n" (line "duid" duid))
            (if (dhcpcd-configuration-persistent? config) "persistent\n" "")
            (line "vendorclassid" (dhcpcd-configuration-vendor-class-id config))
            (line "clientid" (dhcpcd-configuration-client-id config))
            (line "slaac" (dhcpcd-configuration-slaac config))
            (append (lines "option" (dhcpcd-configuration-option config))
                    (lines "require" (dhcpcd-configuration-require config))
                    (lines "nooption" (dhcpcd-configuration-no-option config))
                    (lines "nohook" (dhcpcd-configuration-no-hook config))
                    (lines "static" (dhcpcd-configuration-static config))
                    (list (if (string? extra) (string-append extra "\n") "")))))))

(define (dhcpcd-shepherd-service config)
  (let ((config-file (dhcpcd-config-file config)))
    (list (shepherd-service
           (documentation "dhcpcd daemon.")
           (provision (dhcpcd-configuration-shepherd-provision config))
           (requirement (append '(user-processes udev)
                                (dhcpcd-configuration-shepherd-requirement config)))
           ;; -B: stay in the foreground.
           (start #~(make-forkexec-constructor
                     (list #$(file-append (dhcpcd-configuration-dhcpcd config) "/sbin/dhcpcd")
                           #$@(dhcpcd-configuration-command-arguments config)
                           "-B" "-f" #$config-file
                           #$@(dhcpcd-configuration-interfaces config))))
           (stop #~(make-kill-destructor))
           (actions (list (shepherd-configuration-action config-file)))))))

;; dhcpcd drops its privileges to this user.
(define %dhcpcd-accounts
  (list (user-group (name "dhcpcd") (system? #t))
        (user-account
         (name "dhcpcd")
         (group "dhcpcd")
         (system? #t)
         (comment "dhcpcd daemon user")
         (home-directory "/var/empty")
         (create-home-directory? #f)
         (shell (file-append shadow "/sbin/nologin")))))

(define dhcpcd-service-type
  (service-type
   (name 'dhcpcd)
   (extensions
    (list (service-extension shepherd-root-service-type dhcpcd-shepherd-service)
          (service-extension account-service-type (const %dhcpcd-accounts))))
   (default-value (dhcpcd-configuration))
   (description "Configure network interfaces with dhcpcd.")))

;;; NetworkManager and friends.

(define-record-type* <network-manager-configuration> network-manager-configuration
  make-network-manager-configuration
  network-manager-configuration?
  (network-manager network-manager-configuration-network-manager (default #f))
  (shepherd-requirement network-manager-configuration-shepherd-requirement (default '()))
  (dns             network-manager-configuration-dns (default "default"))
  (vpn-plugins     network-manager-configuration-vpn-plugins (default '()))
  (iwd?            network-manager-configuration-iwd? (default #f))
  (extra-configuration-files network-manager-configuration-extra-configuration-files (default '())))

;; No Shepherd service: NetworkManager, ConnMan, wpa_supplicant and
;; ModemManager talk to the rest of the system over D-Bus, which pyguix
;; does not run yet.
(define network-manager-service-type
  (service-type
   (name 'network-manager)
   (default-value (network-manager-configuration))
   (description "Run NetworkManager.")))

(define (simple name description)
  (service-type (name name) (default-value #f) (description description)))

(define connman-service-type (simple 'connman "Run ConnMan."))
(define wpa-supplicant-service-type (simple 'wpa-supplicant "Run wpa_supplicant."))
(define modem-manager-service-type (simple 'modem-manager "Run ModemManager."))
;; No Shepherd service: usb_modeswitch is run by udev rules, not as a daemon.
(define usb-modeswitch-service-type (simple 'usb-modeswitch "Switch USB modems' modes."))

;;; NTP: keeping the clock on time.
;;;
;;; Debian's ntpsec is the NTP daemon of `ntp-service-type' (classic ntp is
;;; gone from Debian 13); its configuration file has the same syntax.

(define-record-type* <ntp-server> ntp-server make-ntp-server
  ntp-server?
  (type    ntp-server-type (default 'server))     ;'pool, 'server, 'peer...
  (address ntp-server-address)                    ;"0.pool.ntp.org"
  (options ntp-server-options (default '())))     ;(iburst (version 3) prefer)

(define %ntp-servers
  (list (ntp-server (type 'pool) (address "2.guix.pool.ntp.org") (options '("iburst")))))

;; What older Guix had: the pool's names, as strings.
(define %default-ntp-servers
  '("0.guix.pool.ntp.org" "1.guix.pool.ntp.org" "2.guix.pool.ntp.org" "3.guix.pool.ntp.org"))

(define-record-type* <ntp-configuration> ntp-configuration make-ntp-configuration
  ntp-configuration?
  (ntp          ntp-configuration-ntp (default ntp))
  (servers      ntp-configuration-servers (default %ntp-servers)) ;ntp-server records or strings
  (allow-large-adjustment? ntp-configuration-allow-large-adjustment? (default #t)))

;; One line of ntp.conf(5) for SERVER.
(define (ntp-server-line server)
  (define (option->string option)
    (cond ((symbol? option) (symbol->string option))
          ((string? option) option)
          ((pair? option)
           (string-join (map (lambda (x)
                               (cond ((symbol? x) (symbol->string x))
                                     ((number? x) (number->string x))
                                     (else x)))
                             option)
                        " "))
          (else (format #f "~a" option))))
  (let ((text (if (string? server)
                  (string-append "server " server " iburst")
                  (string-join (cons* (symbol->string (ntp-server-type server))
                                      (ntp-server-address server)
                                      (map option->string (ntp-server-options server)))
                               " "))))
    (when (string-index text #\newline)
      (raise-config-error (format #f "ntp: the server line ~s spans several lines" text)))
    (string-append text "\n")))

(define (ntp.conf config)
  (plain-file
   "ntp.conf"
   (apply string-append
          "# Generated from the ntp-configuration.\n"
          "driftfile /var/run/ntpd/ntp.drift\n"
          (append
           (map ntp-server-line (ntp-configuration-servers config))
           (list
            ;; Tell the time; change nothing; tell nothing more.
            "restrict default kod nomodify notrap nopeer noquery limited\n"
            "restrict -6 default kod nomodify notrap nopeer noquery limited\n"
            "restrict 127.0.0.1\n"
            "restrict -6 ::1\n"
            "restrict source notrap nomodify noquery\n")))))

(define (ntp-shepherd-service config)
  (list (shepherd-service
         (documentation "Run the Network Time Protocol (NTP) daemon.")
         (provision '(ntpd))
         (requirement '(user-processes networking))
         ;; -n: stay in the foreground; -g: allow a first large jump.
         (start #~(make-forkexec-constructor
                   (list #$(file-append (ntp-configuration-ntp config) "/bin/ntpd")
                         "-n" "-c" #$(ntp.conf config) "-u" "ntpd"
                         #$@(if (ntp-configuration-allow-large-adjustment? config)
                                '("-g")
                                '()))))
         (stop #~(make-kill-destructor)))))

(define %ntp-accounts
  (list (user-account
         (name "ntpd")
         (group "nogroup")
         (system? #t)
         (comment "NTP daemon user")
         (home-directory "/var/empty")
         (create-home-directory? #f)
         (shell (file-append shadow "/sbin/nologin")))))

;; The drift file's directory, writable by the daemon's user.
(define %ntp-activation
  #~(let ((user (getpwnam "ntpd")))
      (unless (file-exists? "/var/run/ntpd")
        (mkdir "/var/run/ntpd" #o755))
      (chown "/var/run/ntpd" (passwd:uid user) (passwd:gid user))))

(define ntp-service-type
  (service-type
   (name 'ntp)
   (extensions
    (list (service-extension shepherd-root-service-type ntp-shepherd-service)
          (service-extension account-service-type (const %ntp-accounts))
          (service-extension activation-service-type (const %ntp-activation))
          (service-extension profile-service-type
                             (lambda (config) (list (ntp-configuration-ntp config))))))
   (default-value (ntp-configuration))
   (description "Keep the clock on time with NTP.")))

;;; OpenNTPD.

(define %openntpd-servers
  (map ntp-server-address %ntp-servers))

(define-record-type* <openntpd-configuration> openntpd-configuration
  make-openntpd-configuration openntpd-configuration?
  (openntpd         openntpd-configuration-openntpd (default openntpd))
  (listen-on        openntpd-configuration-listen-on (default '("127.0.0.1" "::1"))
                    (sanitize (validate-lines "listen-on")))
  (query-from       openntpd-configuration-query-from (default '())
                    (sanitize (validate-lines "query-from")))
  (sensor           openntpd-configuration-sensor (default '())
                    (sanitize (validate-lines "sensor")))
  (server           openntpd-configuration-server (default '())
                    (sanitize (validate-lines "server")))
  (servers          openntpd-configuration-servers (default %openntpd-servers)
                    (sanitize (validate-lines "servers")))
  (constraint-from  openntpd-configuration-constraint-from (default '())
                    (sanitize (validate-lines "constraint-from")))
  (constraints-from openntpd-configuration-constraints-from (default '())
                    (sanitize (validate-lines "constraints-from"))))

;; ntpd.conf(5) of OpenNTPD.
(define (openntpd.conf config)
  (define (lines keyword values)
    (map (lambda (value) (string-append keyword " " value "\n")) values))
  (define (quoted-lines keyword values)
    (map (lambda (value) (string-append keyword " \"" value "\"\n")) values))
  (plain-file
   "ntpd.conf"
   (apply string-append
          "# Generated from the openntpd-configuration.\n"
          (append (lines "listen on" (openntpd-configuration-listen-on config))
                  (lines "query from" (openntpd-configuration-query-from config))
                  (lines "sensor" (openntpd-configuration-sensor config))
                  (lines "server" (openntpd-configuration-server config))
                  (lines "servers" (openntpd-configuration-servers config))
                  (quoted-lines "constraint from" (openntpd-configuration-constraint-from config))
                  (quoted-lines "constraints from"
                                (openntpd-configuration-constraints-from config))))))

(define (openntpd-shepherd-service config)
  (list (shepherd-service
         (documentation "Run the Network Time Protocol (NTP) daemon of OpenNTPD.")
         (provision '(ntpd))
         (requirement '(user-processes networking))
         ;; -d: stay in the foreground.
         (start #~(make-forkexec-constructor
                   (list #$(file-append (openntpd-configuration-openntpd config) "/sbin/ntpd")
                         "-d" "-f" #$(openntpd.conf config))))
         (stop #~(make-kill-destructor)))))

(define openntpd-service-type
  (service-type
   (name 'openntpd)
   (extensions
    (list (service-extension shepherd-root-service-type openntpd-shepherd-service)
          (service-extension account-service-type (const %ntp-accounts))
          (service-extension profile-service-type
                             (lambda (config) (list (openntpd-configuration-openntpd config))))))
   (default-value (openntpd-configuration))
   (description "Run OpenNTPD.")))
