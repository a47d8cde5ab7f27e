;; (ice-9 match) to turn a compact table into user accounts.
(use-modules (gnu) (ice-9 match))

(define %people
  '(("alice" "Alice Liddell" admin)
    ("bob" "Bob Dobbs")
    ("carol" "Carol Danvers" admin)))

(define (person->account person)
  (match person
    ((name comment 'admin)
     (user-account (name name) (comment comment) (group "users")
                   (supplementary-groups '("wheel"))))
    ((name comment)
     (user-account (name name) (comment comment) (group "users")))
    (_ (error "bad person entry" person))))

(operating-system
  (host-name "matcher")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (users (append (map person->account %people)
                 %base-user-accounts)))
