;; A Pine64 LTS board: the barebones OS of (gnu system images pine64) with
;; a host name, a user and a serial getty of our own.
(use-modules (gnu)
             (gnu bootloader u-boot)
             (gnu system images pine64))
(use-service-modules networking)

(operating-system
  (inherit pine64-barebones-os)
  (host-name "pinecone")
  (timezone "Asia/Tokyo")
  (users (cons (user-account
                (name "kenji")
                (group "users")
                (supplementary-groups '("wheel" "dialout")))
               %base-user-accounts))
  (services (cons (service dhcpcd-service-type)
                  (operating-system-user-services pine64-barebones-os))))
