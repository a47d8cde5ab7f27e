;; Services shared by several machines; `include'd by include-main.scm.
;; Standing alone, this file's value is the list itself.
(use-modules (gnu services) (gnu services networking) (gnu services ssh))

(define %common-services
  (list (service openssh-service-type
                 (openssh-configuration
                  (password-authentication? #f)))
        (service ntp-service-type)))

%common-services
