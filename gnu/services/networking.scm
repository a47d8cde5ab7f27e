;;; (gnu services networking) -- getting the machine on the network.

(define-module (gnu services networking)
  #:use-module (gnu services)
  #:use-module (gnu services base)
  #:export (dhcp-client-service-type dhcp-client-configuration dhcp-client-configuration?
            dhcp-client-configuration-interfaces
            dhcpcd-service-type dhcpcd-configuration dhcpcd-configuration?
            dhcpcd-configuration-interfaces
            network-manager-service-type network-manager-configuration
            ntp-service-type ntp-configuration ntp-configuration? ntp-configuration-servers
            openntpd-service-type connman-service-type wpa-supplicant-service-type
            modem-manager-service-type usb-modeswitch-service-type
            static-networking-service-type static-networking network-address network-route
            %default-ntp-servers))

(define-record-type* <dhcp-client-configuration> dhcp-client-configuration
  make-dhcp-client-configuration
  dhcp-client-configuration?
  (package    dhcp-client-configuration-package (default #f))
  (shepherd-requirement dhcp-client-configuration-shepherd-requirement (default '()))
  (shepherd-provision dhcp-client-configuration-shepherd-provision (default '(networking)))
  (config-file dhcp-client-configuration-config-file (default #f))
  (interfaces dhcp-client-configuration-interfaces (default 'all)))

(define dhcp-client-service-type
  (service-type
   (name 'dhcp-client)
   (default-value (dhcp-client-configuration))
   (description "Configure network interfaces with DHCP (ISC client).")))

(define-record-type* <dhcpcd-configuration> dhcpcd-configuration
  make-dhcpcd-configuration
  dhcpcd-configuration?
  (dhcpcd     dhcpcd-configuration-dhcpcd (default #f))
  (interfaces dhcpcd-configuration-interfaces (default '()))  ;'() = all
  (command-arguments dhcpcd-configuration-command-arguments (default '()))
  (host-name  dhcpcd-configuration-host-name (default ""))
  (client-id  dhcpcd-configuration-client-id (default "")))

(define dhcpcd-service-type
  (service-type
   (name 'dhcpcd)
   (default-value (dhcpcd-configuration))
   (description "Configure network interfaces with dhcpcd.")))

(define-record-type* <network-manager-configuration> network-manager-configuration
  make-network-manager-configuration
  network-manager-configuration?
  (network-manager network-manager-configuration-network-manager (default #f))
  (shepherd-requirement network-manager-configuration-shepherd-requirement (default '()))
  (dns             network-manager-configuration-dns (default "default"))
  (vpn-plugins     network-manager-configuration-vpn-plugins (default '()))
  (iwd?            network-manager-configuration-iwd? (default #f))
  (extra-configuration-files network-manager-configuration-extra-configuration-files (default '())))

(define network-manager-service-type
  (service-type
   (name 'network-manager)
   (default-value (network-manager-configuration))
   (description "Run NetworkManager.")))

(define %default-ntp-servers
  '("0.guix.pool.ntp.org" "1.guix.pool.ntp.org" "2.guix.pool.ntp.org" "3.guix.pool.ntp.org"))

(define-record-type* <ntp-configuration> ntp-configuration make-ntp-configuration
  ntp-configuration?
  (ntp          ntp-configuration-ntp (default #f))
  (servers      ntp-configuration-servers (default %default-ntp-servers))
  (allow-large-adjustment? ntp-configuration-allow-large-adjustment? (default #t)))

(define ntp-service-type
  (service-type
   (name 'ntp)
   (default-value (ntp-configuration))
   (description "Keep the clock on time with NTP.")))

(define (simple name description)
  (service-type (name name) (default-value #f) (description description)))

(define openntpd-service-type (simple 'openntpd "Run OpenNTPD."))
(define connman-service-type (simple 'connman "Run ConnMan."))
(define wpa-supplicant-service-type (simple 'wpa-supplicant "Run wpa_supplicant."))
(define modem-manager-service-type (simple 'modem-manager "Run ModemManager."))
(define usb-modeswitch-service-type (simple 'usb-modeswitch "Switch USB modems' modes."))

(define-record-type* <static-networking> static-networking make-static-networking
  static-networking?
  (addresses static-networking-addresses (default '()))
  (links     static-networking-links (default '()))
  (routes    static-networking-routes (default '()))
  (provision static-networking-provision (default '(networking)))
  (requirement static-networking-requirement (default '()))
  (name-servers static-networking-name-servers (default '())))

(define-record-type* <network-address> network-address make-network-address
  network-address?
  (device network-address-device)
  (value  network-address-value)
  (ipv6?  network-address-ipv6? (default #f)))

(define-record-type* <network-route> network-route make-network-route
  network-route?
  (destination network-route-destination)
  (source      network-route-source (default #f))
  (device      network-route-device (default #f))
  (ipv6?       network-route-ipv6? (default #f))
  (gateway     network-route-gateway (default #f)))
