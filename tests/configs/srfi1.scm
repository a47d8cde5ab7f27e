;; SRFI-1 list procedures to compute the package list.
(use-modules (gnu) (srfi srfi-1))
(use-package-modules admin emacs version-control)

(define %wanted '(("emacs" . #t) ("htop" . #t) ("nano" . #f) ("git" . #t)))

;; Keep the names marked #t.
(define %names
  (filter-map (lambda (entry) (and (cdr entry) (car entry))) %wanted))

;; Sum of the name lengths, just to exercise fold.
(define %total (fold (lambda (name acc) (+ acc (string-length name))) 0 %names))

(operating-system
  (host-name (string-append "srfi-" (number->string %total)))
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (packages (append (map specification->package %names)
                    (delete-duplicates (list emacs git emacs))
                    %base-packages)))
