;;; (gnu packages linux) -- Linux-Libre, its tools and firmware.
;;;
;;; The packages come from the index of Guix 1.5 (with their names and
;;; versions); the procedures below are those configurations call.

(define-module (gnu packages linux)
  #:use-module (gnu packages)
  #:export (customize-linux))

;; A kernel built from LINUX with another configuration: the same package
;; for pyguix, which takes kernels from substitutes (NAME renames it).
(define* (customize-linux #:key name linux source defconfig (configs '())
                          extra-version)
  (cond (name (specification->package name))
        (linux linux)
        (else (specification->package "linux-libre"))))
