;;; (guix) -- the composite module configurations import with (use-modules (guix)).

(define-module (guix)
  #:re-export-module (guix gexp)
  #:re-export-module (guix packages)
  #:re-export-module (guix utils)
  #:re-export-module (guix platform))
