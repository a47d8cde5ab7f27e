;;; (gnu system uuid) -- file system UUIDs.
;;;
;;; (uuid "1234-ABCD" 'fat) or (uuid "4dab5feb-d176-45de-b287-9b0a6e4c01cb")
;;; gives a <uuid>: a type and the bytes, written back as the same string.

(define-module (gnu system uuid)
  #:use-module (srfi srfi-1)
  #:export (uuid uuid? <uuid> uuid-type uuid-bytevector uuid->string string->uuid))

(define-record-type <uuid>
  (make-uuid type bytevector)
  uuid?
  (type       uuid-type)                 ;'dce, 'fat, 'iso9660, 'ntfs
  (bytevector uuid-bytevector))

;; The textual forms of each UUID type, as regular patterns.
(define %uuid-types
  '((dce . dce) (ext2 . dce) (ext3 . dce) (ext4 . dce) (btrfs . dce) (f2fs . dce)
    (jfs . dce) (xfs . dce) (bcachefs . dce) (luks . dce) (swap . dce)
    (fat . fat) (fat16 . fat) (fat32 . fat) (exfat . fat)
    (iso9660 . iso9660) (ntfs . ntfs)))

(define* (string->uuid str #:optional (type 'dce))
  "Parse STR as a UUID of TYPE; return #f if it is not one."
  (let ((kind (assq-ref %uuid-types type)))
    (and kind
         (let ((bytes (%parse-uuid str kind)))
           (and bytes (make-uuid type bytes))))))

(define* (uuid str #:optional (type 'dce))
  ;; Guix's wording: its uuid macro shows the form it rejects, (uuid STR) as
  ;; (uuid STR (quote dce)).
  (or (string->uuid str type)
      (raise-config-error (format #f "(uuid ~s (quote ~a)): invalid UUID" str type))))

(define (uuid->string uuid)
  (%format-uuid (uuid-bytevector uuid)
                (assq-ref %uuid-types (uuid-type uuid))))
