;;; (gnu system locale) -- locale definitions.

(define-module (gnu system locale)
  #:export (locale-definition locale-definition? locale-definition-name
            locale-definition-source locale-definition-charset
            %default-locale-definitions %default-locale-libcs))

(define-record-type* <locale-definition> locale-definition make-locale-definition
  locale-definition?
  (name    locale-definition-name)                 ;"fr_FR.utf8"
  (source  locale-definition-source)               ;"fr_FR"
  (charset locale-definition-charset (default "UTF-8")))

(define %default-locale-definitions
  (list (locale-definition (name "en_US.utf8") (source "en_US"))))

(define %default-locale-libcs '())
