;;; (gnu services containers) -- OCI containers (Docker or Podman) run as services.
;;;
;;; Service types and configurations of this module are known by name
;;; (see schemeconf/vocabulary.py); declared here is the record other
;;; services or the configuration use to add containers to oci-service-type:
;;;   (simple-service 'my-containers oci-service-type
;;;                   (oci-extension (containers (list (oci-container-configuration ...)))))

(define-module (gnu services containers)
  #:use-module (gnu services)
  #:export (oci-extension oci-extension? oci-extension-containers
            oci-extension-networks oci-extension-volumes))

(define-record-type* <oci-extension> oci-extension make-oci-extension
  oci-extension?
  (containers oci-extension-containers (default '()))  ;oci-container-configuration records
  (networks   oci-extension-networks (default '()))    ;oci-network-configuration records
  (volumes    oci-extension-volumes (default '())))    ;oci-volume-configuration records
