;;; gen_vocabulary.scm -- run by scripts/gen_vocabulary.py inside a Guix
;;; chroot (Guile 3.0 for Guix 1.5, Guile 2.2 for Guix 1.2).
;;;
;;; Prints, one per line and tab-separated, what the modules a Guix config
;;; can import export:
;;;   M <module>                      a module that loaded
;;;   X <module> <name> <kind> <field>...   one exported binding
;;;   D <file> <name> <replacement>   a deprecated alias (from the sources)
;;;   E <module> <message>            a module that failed to load
;;; With --inputs first, it prints the packages' inputs instead:
;;;   P <id> <name> <version> <outputs>       a package (outputs comma-separated)
;;;   V <module> <name> <id>                  an exported package variable
;;;   I <id> <field> <label> <id or -> <output>   one input of package <id>
;;; FIELD is native-inputs, inputs or propagated-inputs (in that order, as
;;; package-direct-inputs appends them); an input that is not a package (an
;;; origin, a file) has - for id.
;;; KIND is package (name version outputs), service-type (name), bootloader
;;; (name), platform (target system), image, image-type (name), record-type,
;;; syntax, procedure or value.  Written for pyguix; it only *reads* Guix.

(use-modules (ice-9 match) (ice-9 ftw) (srfi srfi-1)
             (guix packages) (gnu services))

(define inputs-mode? (equal? (cadr (command-line)) "--inputs"))
(define args (if inputs-mode? (cddr (command-line)) (cdr (command-line))))
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

;;; Package inputs (--inputs).

(define package-ids (make-hash-table))  ;package -> id (eq?)
(define next-id 0)
(define pending '())                    ;packages whose inputs are not printed yet

(define (package-id p)
  (or (hashq-ref package-ids p)
      (let ((id next-id))
        (set! next-id (+ 1 next-id))
        (hashq-set! package-ids p id)
        (emit "P" id (package-name p) (package-version p)
              (string-join (package-outputs p) ","))
        (set! pending (cons p pending))
        id)))

(define (dump-inputs p)
  (let ((id (package-id p)))
    (for-each
     (lambda (field accessor)
       (for-each
        (lambda (input)
          (match input
            ((label (? package? q) . rest)
             (emit "I" id field label (package-id q)
                   (match rest ((output) output) (_ ""))))
            ((label other . _)
             (emit "I" id field label "-" ""))
            (_ #f)))
        (safe (lambda () (accessor p)) '())))
     '("native-inputs" "inputs" "propagated-inputs")
     (list package-native-inputs package-inputs package-propagated-inputs))))

(define (dump-module-packages name)
  (safe
   (lambda ()
     (let ((iface (resolve-interface name)))
       (module-for-each
        (lambda (n var)
          (when (variable-bound? var)
            (let ((v (variable-ref var)))
              (when (package? v)
                (emit "V" name n (package-id v))))))
        iface)))
   #f))

(define (drain)
  ;; Print the inputs of every package met so far (inputs bring new ones).
  (unless (null? pending)
    (let ((todo pending))
      (set! pending '())
      (for-each dump-inputs todo)
      (drain))))

(when inputs-mode?
  (for-each dump-module-packages
            (filter (lambda (m) (and (pair? m) (memq (car m) '(gnu guix))))
                    module-names))
  (drain)
  (exit 0))

(for-each dump-module module-names)
(for-each (lambda (file) (scan-deprecations (string-append root "/" file)))
          (filter (lambda (f) (string-suffix? ".scm" f))
                  (map (lambda (m) (string-append
                                    (string-join (map symbol->string m) "/")
                                    ".scm"))
                       module-names)))
