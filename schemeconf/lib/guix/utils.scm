;;; (guix utils) -- the few helpers configurations use.

(define-module (guix utils)
  #:export (%current-system %current-target-system target-hurd? target-linux?
            target-x86-64? target-aarch64? target-arm? gnu-triplet->nix-system
            version-major+minor version-prefix string-replace-substring))

;; The system we build for (Nix style) and the cross-compilation target,
;; as parameters: call them with no argument to read them.
(define %current-system (make-parameter "x86_64-linux"))
(define %current-target-system (make-parameter #f))

(define* (target-hurd? #:optional (target (or (%current-target-system) (%current-system))))
  (or (string-suffix? "-gnu" target) (string-contains target "-pc-gnu")))
(define* (target-linux? #:optional (target (or (%current-target-system) (%current-system))))
  (and (string-contains target "linux") #t))
(define* (target-x86-64? #:optional (target (or (%current-target-system) (%current-system))))
  (string-prefix? "x86_64-" target))
(define* (target-aarch64? #:optional (target (or (%current-target-system) (%current-system))))
  (string-prefix? "aarch64-" target))
(define* (target-arm? #:optional (target (or (%current-target-system) (%current-system))))
  (or (string-prefix? "arm" target) (string-prefix? "aarch64" target)))

;; "aarch64-linux-gnu" -> "aarch64-linux"; "i586-pc-gnu" -> "i586-gnu".
(define (gnu-triplet->nix-system triplet)
  (let* ((parts (string-split triplet #\-))
         (arch (car parts)))
    (cond ((string-contains triplet "linux")
           (string-append (if (string-prefix? "arm" arch) "armhf" arch) "-linux"))
          ((string-suffix? "-gnu" triplet) (string-append arch "-gnu"))
          (else triplet))))

(define (version-prefix version n)
  (string-join (list-head (string-split version #\.) n) "."))

(define (version-major+minor version)
  (version-prefix version 2))

(define (string-replace-substring str old new)
  (let loop ((s str) (acc ""))
    (let ((i (string-contains s old)))
      (if i
          (loop (substring s (+ i (string-length old)))
                (string-append acc (substring s 0 i) new))
          (string-append acc s)))))
