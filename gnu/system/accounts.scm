;;; (gnu system accounts) -- the account records, without the rest of shadow.
;;;
;;; Guix defines user-account and user-group here and (gnu system shadow)
;;; re-exports them; pyguix keeps them in shadow and forwards them.  The
;;; subordinate ID ranges (for rootless containers) live here only.

(define-module (gnu system accounts)
  #:use-module (gnu system shadow)
  #:re-export (user-account user-account? user-account-name user-account-password
               user-account-uid user-account-group user-account-supplementary-groups
               user-account-comment user-account-home-directory
               user-account-create-home-directory? user-account-shell user-account-system?
               user-group user-group? user-group-name user-group-password
               user-group-id user-group-system? default-shell)
  #:export (subid-range subid-range? subid-range-name subid-range-start
            subid-range-count %subordinate-id-count))

;; How many subordinate UIDs or GIDs a range gets when its count is not given.
(define %subordinate-id-count 65536)

;; A range of subordinate IDs for NAME (a user or group name), written to
;; /etc/subuid or /etc/subgid; START #f lets the system choose it.
(define-record-type* <subid-range> subid-range make-subid-range
  subid-range?
  (name   subid-range-name)
  (start  subid-range-start (default #f))
  (count  subid-range-count (default %subordinate-id-count)))
