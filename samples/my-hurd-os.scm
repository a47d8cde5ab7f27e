;; A GNU/Hurd system, based on the Hurd's barebones system.
;;   pyguix system disk-image -t hurd-qcow2 samples/my-hurd-os.scm
(use-modules (gnu) (gnu system hurd) (gnu system images hurd))
(use-service-modules ssh)

(operating-system
  (inherit hurd-barebones-os)
  (host-name "my-hurd")
  (timezone "Europe/Amsterdam")
  (users (cons (user-account
                (name "alice")
                (comment "Alice")
                (group "users")
                (supplementary-groups '("wheel"))
                (password ""))             ;no password: log in at once
               %base-user-accounts)))
