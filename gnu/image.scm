;;; (gnu image) -- the records of the image API.
;;;
;;; An <image> says how to lay an operating system on a disk: which format
;;; to write (a raw disk, a qcow2, an ISO, a tarball...), which partition
;;; table, and which partitions.  A <partition> describes one file system on
;;; that disk.  An <image-type> gives a name, such as `pine64-raw', to a
;;; procedure turning an operating-system into an image: that name is what
;;; `pyguix system image -t NAME' looks up.
;;;
;;; Field names and defaults follow Guix's (gnu image).

(define-module (gnu image)
  #:use-module (srfi srfi-1)
  #:use-module ((guix platform) #:select (lookup-platform-by-target))
  #:export (partition partition? <partition>
            partition-device partition-size partition-offset
            partition-file-system partition-file-system-options
            partition-label partition-uuid partition-flags partition-initializer

            image image? <image>
            image-name image-format image-platform image-size image-max-layers
            image-operating-system image-partition-table-type image-partitions
            image-compression? image-volatile-root? image-shared-store?
            image-shared-network? image-substitutable?

            image-type image-type? <image-type>
            image-type-name image-type-constructor

            os->image))

;;; Partitions.

(define (validate-partition-size size)
  ;; 'guess means "computed from the content, with a margin".
  (unless (or (eq? size 'guess) (and (integer? size) (exact? size) (>= size 0)))
    (raise-config-error
     (format #f "size (~s) can only be 'guess or a numeric expression" size)))
  size)

(define (validate-partition-offset offset)
  (unless (and (integer? offset) (exact? offset))
    (raise-config-error
     (format #f "the partition offset (~s) can only be a numeric expression" offset)))
  (when (< offset 0)
    (raise-config-error (format #f "the partition offset (~s) cannot be negative" offset)))
  offset)

(define %supported-file-systems
  '("ext2" "ext3" "ext4" "vfat" "fat16" "fat32" "unformatted" "btrfs" "f2fs" "swap"))

(define (validate-partition-file-system fs)
  (unless (string? fs)
    (raise-config-error (format #f "file-system (~s) must be a string such as \"ext4\"" fs)))
  (unless (member fs %supported-file-systems)
    (raise-config-error
     (format #f "unsupported file system ~s; supported: ~a"
             fs (string-join %supported-file-systems ", "))))
  fs)

(define (validate-partition-label label)
  (unless (string? label)
    (raise-config-error (format #f "label (~s) must be a string" label)))
  label)

(define (validate-partition-flags flags)
  (unless (and (list? flags)
               (every (lambda (flag) (memq flag '(boot esp))) flags))
    (raise-config-error
     (format #f "unsupported partition flag(s): ~s; only 'boot and 'esp are allowed" flags)))
  flags)

(define-record-type* <partition> partition make-partition
  partition?
  (device      partition-device (default #f))          ;unused, kept for old configs
  (size        partition-size                          ;bytes, or 'guess
               (default 'guess)
               (sanitize validate-partition-size))
  (offset      partition-offset                        ;bytes; 0 = after the previous one
               (default 0)
               (sanitize validate-partition-offset))
  (file-system partition-file-system
               (default "ext4")
               (sanitize validate-partition-file-system))
  (file-system-options partition-file-system-options   ;extra mkfs arguments
                       (default '()))
  (label       partition-label                         ;mandatory: fs label and name
               (sanitize validate-partition-label))
  (uuid        partition-uuid (default #f))            ;a (uuid ...) or #f
  (flags       partition-flags                         ;'boot: the root; 'esp: EFI system
               (default '())
               (sanitize validate-partition-flags))
  (initializer partition-initializer (default #f)))    ;fills the partition's tree

;;; Images.

(define %image-formats
  '(disk-image compressed-qcow2 docker iso9660 tarball wsl2))

(define (validate-image-format fmt)
  (unless (memq fmt %image-formats)
    (raise-config-error
     (format #f "~s: invalid 'format' value; expected one of ~a"
             fmt (string-join (map symbol->string %image-formats) ", "))))
  fmt)

(define (validate-partition-table-type type)
  (unless (memq type '(mbr gpt))
    (raise-config-error
     (format #f "~s: invalid 'partition-table-type' value; expected 'mbr or 'gpt" type)))
  type)

(define (validate-image-size size)
  (unless (or (eq? size 'guess) (and (integer? size) (exact? size) (> size 0)))
    (raise-config-error
     (format #f "size (~s) can only be 'guess or a numeric expression" size)))
  size)

(define (validate-partitions partitions)
  (unless (and (list? partitions) (every partition? partitions))
    (raise-config-error "partitions must be a list of (partition ...) records"))
  partitions)

(define-record-type* <image> %image make-image
  image?
  (name               image-name (default #f))          ;symbol: output file name
  (format             image-format                      ;mandatory
                      (sanitize validate-image-format))
  (platform           image-platform (default #f))      ;a <platform>, or #f: this machine
  (size               image-size                        ;root partition size when it is 'guess
                      (default 'guess)
                      (sanitize validate-image-size))
  (max-layers         image-max-layers (default #f))    ;docker only
  (operating-system   image-operating-system)           ;mandatory (#f for templates)
  (partition-table-type image-partition-table-type
                        (default 'mbr)
                        (sanitize validate-partition-table-type))
  (partitions         image-partitions                  ;in disk order
                      (default '())
                      (sanitize validate-partitions))
  (compression?       image-compression? (default #t))  ;iso9660: zisofs
  (volatile-root?     image-volatile-root? (default #t))
  (shared-store?      image-shared-store? (default #f))
  (shared-network?    image-shared-network? (default #f))
  (substitutable?     image-substitutable? (default #t)))

;; Guix 1.2 (the image API announcement) had `(target "aarch64-linux-gnu")',
;; a GNU triplet, where Guix 1.5 has `(platform aarch64-linux)'.  The image
;; constructor accepts the old field, warns, and turns the triplet into the
;; platform of that triplet.
(define (target->platform target)
  (or (and (string? target) (lookup-platform-by-target target))
      (raise-config-error
       (format #f "~s: no platform for this GNU triplet; use (platform ...) from (guix platforms ...)"
               target))))

(define-field-warnings image %image
  (target platform target->platform
          "the 'target' field of 'image' is gone since Guix 1.4, please use 'platform' instead, e.g. (platform aarch64-linux) from (guix platforms arm)"
          (operating-system #f)))               ;Guix 1.2's default

;;; Image types: a name for a way of turning an operating system into an image.

(define-record-type* <image-type> image-type make-image-type
  image-type?
  (name        image-type-name)                         ;symbol, e.g. 'pine64-raw
  (constructor image-type-constructor))                 ;<operating-system> -> <image>

(define* (os->image os #:key type)
  "Return the image that TYPE makes of the operating system OS."
  ((image-type-constructor type) os))
