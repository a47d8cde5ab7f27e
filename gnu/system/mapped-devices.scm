;;; (gnu system mapped-devices) -- encrypted and other device-mapper devices.

(define-module (gnu system mapped-devices)
  #:export (mapped-device mapped-device? <mapped-device>
            mapped-device-source mapped-device-target mapped-device-targets
            mapped-device-type mapped-device-kind mapped-device-kind?
            luks-device-mapping luks-device-mapping-with-options
            raid-device-mapping lvm-device-mapping))

(define-record-type* <mapped-device-type> mapped-device-kind make-mapped-device-kind
  mapped-device-kind?
  (name  mapped-device-kind-name))

(define-record-type* <mapped-device> mapped-device make-mapped-device
  mapped-device?
  (source  mapped-device-source)             ;a device, a (uuid ...), or a list
  (target  mapped-device-target (default #f)) ;"my-root": /dev/mapper/my-root
  (targets mapped-device-targets (default #f))
  (type    mapped-device-type))               ;luks-device-mapping, ...

(define luks-device-mapping (mapped-device-kind (name 'luks)))
(define raid-device-mapping (mapped-device-kind (name 'raid)))
(define lvm-device-mapping (mapped-device-kind (name 'lvm)))

(define* (luks-device-mapping-with-options #:key key-file allow-discards?)
  luks-device-mapping)
