;;; gen_vocabulary.scm -- run by scripts/gen_vocabulary.py inside a Guix
;;; chroot (Guile 3.0 for Guix 1.5, Guile 2.2 for Guix 1.2).
;;;
;;; Prints, one per line and tab-separated, what the modules a Guix config
;;; can import export:
;;;   M <module>                      a module that loaded
;;;   X <module> <name> <kind> <field>...   one exported binding
;;;   D <file> <name> <replacement>   a deprecated alias (from the sources)
;;;   E <module> <message>            a module that failed to load
;;; KIND is package (name version outputs), service-type (name), bootloader
;;; (name), platform (target system), image, image-type (name), record-type,
;;; syntax, procedure or value.  Written for pyguix; it only *reads* Guix.

(use-modules (ice-9 match) (ice-9 ftw) (srfi srfi-1)
             (guix packages) (gnu services))

(define args (cdr (command-line)))
(define root (car args))                 ;Guix's source tree (site dir)
(define module-names (map (lambda (s) (with-input-from-string s read))
                          (cdr args)))

(define (clean s)
  ;; No tabs or newlines in a field.
  (string-map (lambda (c) (if (memv c '(#\tab #\newline)) #\space c)) s))

(define (->string x)
  (clean (if (string? x) x (object->string x))))

(define (safe thunk default)
  (catch #t thunk (lambda _ default)))

(define (optional-ref module name)
  ;; The value of NAME in MODULE, or #f when the module is not there.
  (safe (lambda () (module-ref (resolve-interface module) name)) #f))

(define bootloader? (optional-ref '(gnu bootloader) 'bootloader?))
(define bootloader-name (optional-ref '(gnu bootloader) 'bootloader-name))
(define platform? (or (optional-ref '(guix platform) 'platform?)
                      (lambda (x) #f)))
(define platform-target (optional-ref '(guix platform) 'platform-target))
(define platform-system (optional-ref '(guix platform) 'platform-system))
(define image? (or (optional-ref '(gnu image) 'image?) (lambda (x) #f)))
(define image-type? (or (optional-ref '(gnu image) 'image-type?)
                        (lambda (x) #f)))
(define image-type-name (optional-ref '(gnu image) 'image-type-name))

(define (describe value)
  ;; The kind of VALUE and its fields, as a list of strings.
  (cond ((package? value)
         (list "package" (package-name value) (package-version value)
               (string-join (package-outputs value) ",")
               (let ((new (assq-ref (package-properties value) 'superseded)))
                 (if (package? new) (package-name new) ""))))
        ((service-type? value)
         (list "service-type" (->string (service-type-name value))))
        ((and bootloader? (bootloader? value))
         (list "bootloader" (->string (bootloader-name value))))
        ((platform? value)
         (list "platform" (platform-target value)
               (->string (platform-system value))))
        ((image-type? value)
         (list "image-type" (->string (image-type-name value))))
        ((image? value) (list "image"))
        ((record-type? value) (list "record-type"))
        ((macro? value) (list "syntax"))
        ((procedure? value) (list "procedure"))
        (else (list "value"))))

(define (interface-names iface)
  ;; Every name IFACE makes visible, following the interfaces it uses (this
  ;; is how (gnu) re-exports its 15 modules).
  (let loop ((todo (list iface)) (seen '()) (names '()))
    (match todo
      (() (delete-duplicates names eq?))
      ((m rest ...)
       (if (memq m seen)
           (loop rest seen names)
           (loop (append rest (module-uses m)) (cons m seen)
                 (append (module-map (lambda (name var) name) m) names)))))))

(define (emit . fields)
  (display (string-join (map ->string fields) "\t"))
  (newline))

(define (dump-module name)
  (catch #t
    (lambda ()
      (let* ((iface (if (equal? name '(guile))
                        the-root-module
                        (resolve-interface name)))
             (names (sort (interface-names iface)
                          (lambda (a b) (string<? (symbol->string a)
                                                  (symbol->string b))))))
        (emit "M" name)
        (for-each
         (lambda (n)
           (let ((v (module-variable iface n)))
             (apply emit "X" name n
                    (if (and v (variable-bound? v))
                        (safe (lambda () (describe (variable-ref v)))
                              (list "value"))
                        (list "syntax")))))
         names)))
    (lambda (key . rest)
      (emit "E" name (->string (cons key rest))))))

(define deprecating-forms
  '(define-deprecated define-deprecated/public define-deprecated/alias
    define-deprecated/public-alias define-deprecated-package))

(define (scan-deprecations file)
  ;; Top-level (define-deprecated OLD NEW ...) forms of FILE.
  (safe
   (lambda ()
     (call-with-input-file file
       (lambda (port)
         (let loop ()
           (let ((form (read port)))
             (unless (eof-object? form)
               (match form
                 (((? (lambda (h) (memq h deprecating-forms))) old new . _)
                  (let ((old (if (pair? old) (car old) old)))
                    (when (and (symbol? old) (symbol? new))
                      (emit "D" file old new))))
                 (_ #f))
               (loop)))))))
   #f))

(for-each dump-module module-names)
(for-each (lambda (file) (scan-deprecations (string-append root "/" file)))
          (filter (lambda (f) (string-suffix? ".scm" f))
                  (map (lambda (m) (string-append
                                    (string-join (map symbol->string m) "/")
                                    ".scm"))
                       module-names)))
