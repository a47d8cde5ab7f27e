;;; (gnu services ssh) -- the OpenSSH server.

(define-module (gnu services ssh)
  #:use-module (gnu services)
  #:export (openssh-service-type openssh-configuration openssh-configuration?
            openssh-configuration-port-number openssh-configuration-permit-root-login
            openssh-configuration-allow-empty-passwords?
            openssh-configuration-password-authentication?
            openssh-configuration-authorized-keys
            dropbear-service-type dropbear-configuration lsh-service-type))

(define-record-type* <openssh-configuration> openssh-configuration
  make-openssh-configuration
  openssh-configuration?
  (openssh                   openssh-configuration-openssh (default #f))
  (pid-file                  openssh-configuration-pid-file (default "/var/run/sshd.pid"))
  (port-number               openssh-configuration-port-number (default 22))
  (max-connections           openssh-configuration-max-connections (default 200))
  (permit-root-login         openssh-configuration-permit-root-login (default #f))
  (allow-empty-passwords?    openssh-configuration-allow-empty-passwords? (default #f))
  (password-authentication?  openssh-configuration-password-authentication? (default #t))
  (public-key-authentication? openssh-configuration-public-key-authentication? (default #t))
  (x11-forwarding?           openssh-configuration-x11-forwarding? (default #f))
  (allow-agent-forwarding?   openssh-configuration-allow-agent-forwarding? (default #t))
  (allow-tcp-forwarding?     openssh-configuration-allow-tcp-forwarding? (default #t))
  (gateway-ports?            openssh-configuration-gateway-ports? (default #f))
  (challenge-response-authentication? openssh-configuration-challenge-response-authentication? (default #f))
  (use-pam?                  openssh-configuration-use-pam? (default #t))
  (print-last-log?           openssh-configuration-print-last-log? (default #t))
  (subsystems                openssh-configuration-subsystems (default '(("sftp" "internal-sftp"))))
  (accepted-environment      openssh-configuration-accepted-environment (default '()))
  (log-level                 openssh-configuration-log-level (default 'info))
  (extra-content             openssh-configuration-extra-content (default ""))
  (authorized-keys           openssh-configuration-authorized-keys (default '()))
  (generate-host-keys?       openssh-configuration-generate-host-keys? (default #t)))

(define openssh-service-type
  (service-type
   (name 'openssh)
   (default-value (openssh-configuration))
   (description "Run the OpenSSH secure shell daemon.")))

(define dropbear-service-type
  (service-type (name 'dropbear) (default-value #f) (description "Run Dropbear SSH.")))
(define lsh-service-type
  (service-type (name 'lsh) (default-value #f) (description "Run lshd.")))
(define-record-type* <dropbear-configuration> dropbear-configuration
  make-dropbear-configuration dropbear-configuration?
  (port-number dropbear-configuration-port-number (default 22))
  (root-login? dropbear-configuration-root-login? (default #f))
  (allow-empty-passwords? dropbear-configuration-allow-empty-passwords? (default #f))
  (password-authentication? dropbear-configuration-password-authentication? (default #t)))
