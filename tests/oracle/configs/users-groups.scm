;; Accounts: users with explicit home directories, uids, shells and
;; supplementary groups, groups of our own with fixed ids, a system user.
(use-modules (gnu))
(use-package-modules admin shells)

(operating-system
  (host-name "accounts")
  (timezone "Europe/Madrid")
  (locale "es_ES.utf8")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (groups (append (list (user-group (name "developers") (id 2000))
                        (user-group (name "backup") (system? #t)))
                  %base-groups))
  (users (append (list (user-account
                        (name "carmen")
                        (comment "Carmen G.")
                        (uid 1500)
                        (group "users")
                        (home-directory "/home/carmen")
                        (shell (file-append zsh "/bin/zsh"))
                        (supplementary-groups '("wheel" "developers" "audio")))
                       (user-account
                        (name "pablo")
                        (group "developers")
                        (home-directory "/srv/pablo")
                        (supplementary-groups '("users")))
                       (user-account
                        (name "backup")
                        (group "backup")
                        (system? #t)
                        (home-directory "/var/empty")
                        (create-home-directory? #f)
                        (shell (file-append shadow "/sbin/nologin"))))
                 %base-user-accounts)))
