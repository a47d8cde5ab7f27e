;;; (guix platform) -- what a target machine is.
;;;
;;; A platform names a target by its GNU triplet (used when cross-compiling)
;;; and by its Nix-style system string (used for native builds).  Images
;;; carry a platform so that `pyguix system image -t pine64-raw' knows the
;;; image is for an aarch64 machine even when built on x86_64.

(define-module (guix platform)
  #:use-module (srfi srfi-1)
  #:export (platform platform? <platform>
            platform-target platform-system platform-linux-architecture
            platform-rust-target platform-glibc-dynamic-linker
            %platforms lookup-platform-by-system lookup-platform-by-target))

(define-record-type* <platform> platform make-platform
  platform?
  (target platform-target)                       ;GNU triplet: "aarch64-linux-gnu"
  (system platform-system)                       ;Nix system: "aarch64-linux", or #f
  (linux-architecture platform-linux-architecture (default #f))
  (rust-target platform-rust-target (default #f))
  (glibc-dynamic-linker platform-glibc-dynamic-linker (default #f)))

;; Every platform defined in (guix platforms ...), filled in by those modules.
(define %platforms '())

(define (lookup-platform-by-system system)
  (find (lambda (p) (equal? (platform-system p) system)) (%all-platforms)))

(define (lookup-platform-by-target target)
  (find (lambda (p) (equal? (platform-target p) target)) (%all-platforms)))

(define (%all-platforms)
  (append (@ (guix platforms x86) %x86-platforms)
          (@ (guix platforms arm) %arm-platforms)
          (@ (guix platforms riscv) %riscv-platforms)))
