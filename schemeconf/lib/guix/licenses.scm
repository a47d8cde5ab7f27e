;;; (guix licenses) -- license values, as package definitions mention them.

(define-module (guix licenses)
  #:export (license? license-name license-uri
            gpl2 gpl2+ gpl3 gpl3+ lgpl2.1 lgpl2.1+ lgpl3 lgpl3+ agpl3 agpl3+
            expat bsd-2 bsd-3 asl2.0 mpl2.0 isc public-domain fsdg-compatible))

(define-record-type <license>
  (license name uri)
  license?
  (name license-name)
  (uri license-uri))

(define gpl2 (license "GPL 2" "https://www.gnu.org/licenses/old-licenses/gpl-2.0.html"))
(define gpl2+ (license "GPL 2+" "https://www.gnu.org/licenses/old-licenses/gpl-2.0.html"))
(define gpl3 (license "GPL 3" "https://www.gnu.org/licenses/gpl.html"))
(define gpl3+ (license "GPL 3+" "https://www.gnu.org/licenses/gpl.html"))
(define lgpl2.1 (license "LGPL 2.1" "https://www.gnu.org/licenses/lgpl-2.1.html"))
(define lgpl2.1+ (license "LGPL 2.1+" "https://www.gnu.org/licenses/lgpl-2.1.html"))
(define lgpl3 (license "LGPL 3" "https://www.gnu.org/licenses/lgpl.html"))
(define lgpl3+ (license "LGPL 3+" "https://www.gnu.org/licenses/lgpl.html"))
(define agpl3 (license "AGPL 3" "https://gnu.org/licenses/agpl.html"))
(define agpl3+ (license "AGPL 3+" "https://gnu.org/licenses/agpl.html"))
(define expat (license "Expat" "http://directory.fsf.org/wiki/License:Expat"))
(define bsd-2 (license "FreeBSD" "http://directory.fsf.org/wiki/License:FreeBSD"))
(define bsd-3 (license "Modified BSD" "http://directory.fsf.org/wiki/License:BSD_3Clause"))
(define asl2.0 (license "ASL 2.0" "http://directory.fsf.org/wiki/License:Apache2.0"))
(define mpl2.0 (license "MPL 2.0" "http://directory.fsf.org/wiki/License:MPLv2.0"))
(define isc (license "ISC" "http://directory.fsf.org/wiki/License:ISC"))
(define public-domain (license "Public Domain" "http://directory.fsf.org/wiki/License:PublicDomain"))

(define* (fsdg-compatible uri #:optional (comment ""))
  (license "FSDG-compatible" uri))
