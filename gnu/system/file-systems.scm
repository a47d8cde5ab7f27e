;;; (gnu system file-systems) -- the file systems an operating system mounts.
;;;
;;; A <file-system> names a device (by path, label or UUID), a mount point
;;; and a type.  Images replace the declared root file system with the
;;; image's own root partition (see gnu/system/image.scm).

(define-module (gnu system file-systems)
  #:use-module (srfi srfi-1)
  #:use-module (gnu system uuid)
  #:re-export (uuid uuid? uuid->string)
  #:export (file-system file-system? <file-system>
            file-system-device file-system-mount-point file-system-type
            file-system-flags file-system-options file-system-mount?
            file-system-mount-may-fail? file-system-needed-for-boot?
            file-system-check? file-system-skip-check-if-clean?
            file-system-repair file-system-create-mount-point?
            file-system-dependencies file-system-shepherd-requirements
            file-system-location file-system-mount-point-predicate

            file-system-label file-system-label? file-system-label->string

            swap-space swap-space? swap-space-target swap-space-dependencies
            swap-space-priority swap-space-discard?

            %pseudo-terminal-file-system %debug-file-system
            %shared-memory-file-system %efivars-file-system %immutable-store
            %control-groups %elogind-file-systems %base-file-systems
            %container-file-systems %tty-gid))

;;; Labels: (file-system-label "my-root").

(define-record-type <file-system-label>
  (file-system-label label)
  file-system-label?
  (label file-system-label->string))

(define %file-system-flags
  '(read-only bind-mount no-suid no-dev no-exec no-atime no-diratime
    strict-atime lazy-time remount shared))

(define (validate-file-system-flags flags)
  (unless (and (list? flags) (every (lambda (f) (memq f %file-system-flags)) flags))
    (raise-config-error
     (format #f "invalid file system flags: ~s; known flags: ~a"
             flags (string-join (map symbol->string %file-system-flags) " "))))
  flags)

(define (validate-device device)
  (unless (or (string? device) (uuid? device) (file-system-label? device))
    (raise-config-error
     (format #f "device (~s) must be a string, a (uuid ...) or a (file-system-label ...)" device)))
  device)

(define (validate-string-field name)
  (lambda (value)
    (unless (string? value)
      (raise-config-error (format #f "~a (~s) must be a string" name value)))
    value))

(define-record-type* <file-system> file-system make-file-system
  file-system?
  (device          file-system-device (sanitize validate-device))
  (mount-point     file-system-mount-point (sanitize (validate-string-field "mount-point")))
  (type            file-system-type (sanitize (validate-string-field "type")))
  (flags           file-system-flags (default '()) (sanitize validate-file-system-flags))
  (options         file-system-options (default #f))   ;string such as "gid=5,mode=620"
  (mount?          file-system-mount? (default #t))
  (mount-may-fail? file-system-mount-may-fail? (default #f))
  (needed-for-boot? %file-system-needed-for-boot? (default #f))
  (check?          file-system-check? (default #t))
  (skip-check-if-clean? file-system-skip-check-if-clean? (default #t))
  (repair          file-system-repair (default 'preen))
  (create-mount-point? file-system-create-mount-point? (default #f))
  (dependencies    file-system-dependencies (default '()))
  (shepherd-requirements file-system-shepherd-requirements (default '()))
  (location        file-system-location (default #f) (innate)))

(define-record-type* <swap-space> swap-space make-swap-space
  swap-space?
  (target       swap-space-target)                      ;"/swapfile", a label or a uuid
  (dependencies swap-space-dependencies (default '()))
  (priority     swap-space-priority (default #f))
  (discard?     swap-space-discard? (default #f)))

;; As in Guix: a file system is needed for boot if it says so, or if it holds
;; the store (the root file system, say), unless it is a bind mount.
(define (%file-prefix? prefix file)
  (let loop ((a (filter (lambda (s) (not (string-null? s))) (string-split prefix #\/)))
             (b (filter (lambda (s) (not (string-null? s))) (string-split file #\/))))
    (cond ((null? a) #t)
          ((null? b) #f)
          ((string=? (car a) (car b)) (loop (cdr a) (cdr b)))
          (else #f))))

(define (file-system-needed-for-boot? fs)
  (or (%file-system-needed-for-boot? fs)
      (and (%file-prefix? (file-system-mount-point fs) "/gnu/store")
           (not (memq 'bind-mount (file-system-flags fs))))))

(define (file-system-mount-point-predicate mount-point)
  (lambda (fs)
    (string=? (file-system-mount-point fs) mount-point)))

;;; The file systems every Guix system mounts.

(define %tty-gid 996)

(define %pseudo-terminal-file-system
  (file-system
    (device "none")
    (mount-point "/dev/pts")
    (type "devpts")
    (check? #f)
    (needed-for-boot? #f)
    (create-mount-point? #t)
    (options (string-append "gid=" (number->string %tty-gid) ",mode=620"))))

(define %debug-file-system
  (file-system
    (device "none")
    (mount-point "/sys/kernel/debug")
    (type "debugfs")
    (check? #f)
    (create-mount-point? #t)))

(define %shared-memory-file-system
  (file-system
    (device "tmpfs")
    (mount-point "/dev/shm")
    (type "tmpfs")
    (check? #f)
    (flags '(no-suid no-dev))
    (options "size=50%")
    (create-mount-point? #t)))

(define %efivars-file-system
  (file-system
    (device "efivarfs")
    (mount-point "/sys/firmware/efi/efivars")
    (type "efivarfs")
    (mount-may-fail? #t)
    (check? #f)))

(define %immutable-store
  ;; The store, read-only: only the daemon writes to it.
  (file-system
    (device "/gnu/store")
    (mount-point "/gnu/store")
    (type "none")
    (check? #f)
    (flags '(read-only bind-mount no-atime))))

(define %control-groups
  (list (file-system
          (device "cgroup")
          (mount-point "/sys/fs/cgroup")
          (type "cgroup2")
          (check? #f)
          (create-mount-point? #f))))

(define %elogind-file-systems '())

(define %base-file-systems
  (list %pseudo-terminal-file-system
        %debug-file-system
        %shared-memory-file-system
        %efivars-file-system
        %immutable-store))

(define %container-file-systems
  (list %pseudo-terminal-file-system %shared-memory-file-system))
