;;; (gnu packages base) -- the GNU core packages that (use-modules (gnu)) brings.
;;;
;;; Packages are values that keep their names; pyguix realizes them from
;;; substitutes.  Other (gnu packages ...) modules answer any package name.

;; The packages Guix's (gnu packages base) exports come from the index of
;; Guix 1.5 (with their names and versions); the bindings below are pyguix's
;; shortcuts for its own Scheme (%base-packages...), taken from the Guix
;; module that defines each one, so that they carry Guix's package names
;; (iproute is "iproute2", util-linux+udev "util-linux-with-udev",
;; guile-3.0-latest "guile").  Configurations do not see them here: they see
;; what Guix's (gnu packages base) exports.
(define-module (gnu packages base)
  #:use-module (gnu packages))

(define-public make (specification->package "make"))
(define-public gawk (@ (gnu packages gawk) gawk))
(define-public bash (@ (gnu packages bash) bash))
(define-public bash-minimal (@ (gnu packages bash) bash-minimal))
(define-public gzip (@ (gnu packages compression) gzip))
(define-public bzip2 (@ (gnu packages compression) bzip2))
(define-public xz (@ (gnu packages compression) xz))
(define-public lzip (@ (gnu packages compression) lzip))
(define-public zstd (@ (gnu packages compression) zstd))
(define-public less (@ (gnu packages less) less))
(define-public mg (@ (gnu packages text-editors) mg))
(define-public nano (@ (gnu packages text-editors) nano))
(define-public nvi (@ (gnu packages nvi) nvi))
(define-public man-db (@ (gnu packages man) man-db))
(define-public info-reader (@ (gnu packages texinfo) info-reader))
(define-public kbd (@ (gnu packages linux) kbd))
(define-public sudo (@ (gnu packages admin) sudo))
(define-public guile-readline (@ (gnu packages guile) guile-readline))
(define-public guile-colorized (@ (gnu packages guile-xyz) guile-colorized))
(define-public pciutils (@ (gnu packages pciutils) pciutils))
(define-public usbutils (@ (gnu packages linux) usbutils))
(define-public util-linux (@ (gnu packages linux) util-linux))
(define-public util-linux+udev (@ (gnu packages linux) util-linux+udev))
(define-public kmod (@ (gnu packages linux) kmod))
(define-public eudev (@ (gnu packages linux) eudev))
(define-public inetutils (@ (gnu packages admin) inetutils))
(define-public isc-dhcp (@ (gnu packages admin) isc-dhcp))
(define-public iproute (@ (gnu packages linux) iproute))
(define-public wget (@ (gnu packages wget) wget))
(define-public nss-certs (@ (gnu packages nss) nss-certs))
(define-public iw (@ (gnu packages linux) iw))
(define-public wireless-tools (@ (gnu packages linux) wireless-tools))
(define-public procps (@ (gnu packages linux) procps))
(define-public psmisc (@ (gnu packages linux) psmisc))
(define-public shadow (@ (gnu packages admin) shadow))
(define-public e2fsprogs (@ (gnu packages linux) e2fsprogs))
(define-public guile-3.0 (@ (gnu packages guile) guile-3.0))
(define-public guile-3.0-latest (@ (gnu packages guile) guile-3.0-latest))
(define-public file (@ (gnu packages file) file))
(define-public net-base (@ (gnu packages admin) net-base))
(define-public ath9k-htc-ar7010-firmware (@ (gnu packages firmware) ath9k-htc-ar7010-firmware))
(define-public ath9k-htc-ar9271-firmware (@ (gnu packages firmware) ath9k-htc-ar9271-firmware))
(define-public openfwwf-firmware (@ (gnu packages firmware) openfwwf-firmware))
