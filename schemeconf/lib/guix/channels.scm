;;; (guix channels) -- channel declarations, as in ~/.config/guix/channels.scm.
;;;
;;; System configurations use them to give the Guix daemon service the
;;; channels it pulls from (guix-configuration's `channels' field).  pyguix
;;; keeps the declarations; it does not fetch channels.

(define-module (guix channels)
  #:export (channel channel? channel-name channel-url channel-branch
            channel-commit channel-introduction channel-location
            make-channel-introduction channel-introduction?
            channel-introduction-first-signed-commit
            channel-introduction-first-commit-signer
            openpgp-fingerprint openpgp-fingerprint->bytevector
            %default-guix-channel %default-channels %guix-channel-introduction
            guix-channel?))

(define-record-type* <channel> channel make-channel
  channel?
  (name          channel-name)                        ;a symbol: 'guix, 'nonguix...
  (url           channel-url)                         ;a Git URL
  (branch        channel-branch (default "master"))
  (commit        channel-commit (default #f))         ;pinned commit, or #f
  (introduction  channel-introduction (default #f))   ;for authentication, or #f
  (location      channel-location (default #f)))

;; Where authentication of a channel starts: its first signed commit and
;; the OpenPGP fingerprint of that commit's signer.
(define-record-type <channel-introduction>
  (make-channel-introduction first-signed-commit first-commit-signer)
  channel-introduction?
  (first-signed-commit channel-introduction-first-signed-commit)
  (first-commit-signer channel-introduction-first-commit-signer))

;; "2A39 3FFF ..." (spaces allowed) -> the fingerprint; kept as its hex
;; digits, which is all pyguix needs of it.
(define (openpgp-fingerprint text)
  (string-downcase
   (list->string (filter (lambda (c) (not (char=? c #\space))) (string->list text)))))
(define openpgp-fingerprint->bytevector openpgp-fingerprint)

(define %guix-channel-introduction
  (make-channel-introduction
   "9edb3f66fd807b096b48283debdcddccfea34bad"
   (openpgp-fingerprint "BBB0 2DDF 2CEA F6A8 0D1D  E643 A2A0 6DF2 A33A 54FA")))

(define %default-guix-channel
  (channel (name 'guix)
           (url "https://git.guix.gnu.org/guix.git")
           (introduction %guix-channel-introduction)))

(define %default-channels (list %default-guix-channel))

(define (guix-channel? ch)
  (eq? (channel-name ch) 'guix))
