;;; (gnu platforms arm) -- the 2022 name of (guix platforms arm).
;;;
;;; Until May 2022 Guix kept its platforms under (gnu platforms …).  Configs
;;; written then still say (use-modules (gnu platforms arm)); this module
;;; passes the same variables on from their current home.

(define-module (gnu platforms arm)
  #:use-module (guix platforms arm)
  #:re-export (armv7-linux aarch64-linux))
