;;; (gnu system shadow) -- user accounts and groups.

(define-module (gnu system shadow)
  #:use-module (srfi srfi-1)
  #:use-module (guix gexp)
  #:use-module ((gnu packages bash) #:select (bash))
  #:use-module ((gnu packages admin) #:select (shadow))
  #:export (user-account user-account? <user-account>
            user-account-name user-account-password user-account-uid
            user-account-group user-account-supplementary-groups
            user-account-comment user-account-home-directory
            user-account-create-home-directory? user-account-shell
            user-account-system?

            user-group user-group? <user-group>
            user-group-name user-group-password user-group-id user-group-system?

            default-shell default-skeletons skeleton-directory
            %base-groups %base-user-accounts %root-account crypt))

;; The login shell of accounts that do not name one (Guix's: Bash).
(define default-shell (make-parameter (file-append bash "/bin/bash")))

(define (validate-name what)
  (lambda (name)
    (unless (string? name)
      (raise-config-error (format #f "~a name (~s) must be a string" what name)))
    name))

(define-record-type* <user-account> user-account make-user-account
  user-account?
  this-user-account
  (name          user-account-name (sanitize (validate-name "user")))
  (password      user-account-password (default #f))   ;a crypt(3) hash, "" or #f
  (uid           user-account-uid (default #f))        ;#f: allocated
  (group         user-account-group)                   ;primary group name
  (supplementary-groups user-account-supplementary-groups (default '()))
  (comment       user-account-comment (default ""))
  (home-directory user-account-home-directory
                  (default (string-append "/home/" (user-account-name this-user-account)))
                  (thunked))
  (create-home-directory? user-account-create-home-directory? (default #t))
  (shell         user-account-shell (default (default-shell)))
  (system?       user-account-system? (default #f)))

(define-record-type* <user-group> user-group make-user-group
  user-group?
  (name     user-group-name (sanitize (validate-name "group")))
  (password user-group-password (default #f))
  (id       user-group-id (default #f))
  (system?  user-group-system? (default #f)))

;; (crypt "alice" "$6$abc"): Guix hashes at evaluation time; pyguix keeps the
;; request and hashes when it writes /etc/shadow.
(define (crypt password salt)
  (%crypt-request password salt))

(define (default-skeletons) '())
(define (skeleton-directory skeletons) #f)

(define %root-account
  (user-account
   (name "root")
   (password "")
   (uid 0)
   (group "root")
   (comment "System administrator")
   (home-directory "/root")))

(define* (system-group name #:optional id)
  (user-group (name name) (id id) (system? #t)))

(define %base-groups
  ;; Guix's system groups, with the same fixed IDs.
  (list (system-group "root" 0)
        (system-group "wheel")
        (system-group "users" 100)
        (system-group "nogroup" 65534)
        (system-group "tty" 996)
        (system-group "dialout")
        (system-group "kmem")
        (system-group "input")
        (system-group "video")
        (system-group "audio")
        (system-group "netdev")
        (system-group "lp")
        (system-group "disk")
        (system-group "floppy")
        (system-group "cdrom")
        (system-group "tape")
        (system-group "kvm")
        (system-group "sgx")))

(define %base-user-accounts
  ;; Root is implicit; nobody is the only base account.
  (list (user-account
         (name "nobody")
         (uid 65534)
         (group "nogroup")
         (shell (file-append shadow "/sbin/nologin"))
         (home-directory "/nonexistent")
         (create-home-directory? #f)
         (system? #t))))
