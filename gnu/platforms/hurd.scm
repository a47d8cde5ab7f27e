;;; (gnu platforms hurd) -- the 2022 module for the 32-bit GNU/Hurd platform.
;;;
;;; In 2022 the Hurd platform was a variable named `hurd'; it now lives in
;;; (guix platforms x86) as `i586-gnu'.  Both names denote the same value.

(define-module (gnu platforms hurd)
  #:use-module (guix platforms x86)
  #:export (hurd))

(define hurd i586-gnu)
