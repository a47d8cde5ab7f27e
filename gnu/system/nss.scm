;;; (gnu system nss) -- the name service switch.

(define-module (gnu system nss)
  #:export (name-service-switch name-service %default-nss %mdns-host-lookup-nss))

(define-record-type* <name-service-switch> name-service-switch make-name-service-switch
  name-service-switch?
  (hosts    name-service-switch-hosts (default '()))
  (networks name-service-switch-networks (default '()))
  (passwd   name-service-switch-passwd (default '()))
  (group    name-service-switch-group (default '())))

(define-record-type* <name-service> name-service make-name-service
  name-service?
  (name     name-service-name)
  (reaction name-service-reaction (default '())))

(define %default-nss (name-service-switch))
(define %mdns-host-lookup-nss (name-service-switch))
