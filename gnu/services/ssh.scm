;;; (gnu services ssh) -- the OpenSSH server.
;;;
;;; How a configuration like
;;;
;;;   (service openssh-service-type
;;;            (openssh-configuration
;;;             (port-number 2222)
;;;             (permit-root-login 'prohibit-password)
;;;             (authorized-keys `(("alice" ,(local-file "alice.pub"))))))
;;;
;;; becomes a running sshd: openssh-service-type extends
;;;   - shepherd-root-service-type with a Shepherd service running
;;;     `sshd -D -e -f CONFIG' (foreground, logging to stderr);
;;;   - account-service-type with the "sshd" user sshd drops privileges to;
;;;   - etc-service-type with each user's authorized keys,
;;;     /etc/ssh/authorized_keys.d/USER;
;;;   - activation-service-type with what sshd needs at every boot: the
;;;     /run/sshd directory, /etc/ssh/sshd_config (a link to the
;;;     configuration file the service runs sshd with) and, on the first
;;;     boot, the host keys (they are never in the image: each machine
;;;     makes its own);
;;;   - profile-service-type with the openssh package (ssh, scp...).

(define-module (gnu services ssh)
  #:use-module (srfi srfi-1)
  #:use-module (gnu services)
  #:use-module (gnu services shepherd)
  #:use-module (gnu system shadow)
  #:use-module (guix gexp)
  #:use-module ((gnu packages ssh) #:select (openssh))
  #:export (openssh-service-type openssh-configuration openssh-configuration?
            openssh-configuration-openssh openssh-configuration-pid-file
            openssh-configuration-port-number openssh-configuration-permit-root-login
            openssh-configuration-allow-empty-passwords?
            openssh-configuration-password-authentication?
            openssh-configuration-authorized-keys
            openssh-configuration-extra-content
            dropbear-service-type dropbear-configuration lsh-service-type))

;;; Checks: each of these values becomes a line of sshd_config or a file
;;; name, so a stray newline or slash is refused where it is written.

(define (one-line? text)
  (and (string? text) (not (string-index text #\newline)) (not (string-index text #\nul))))

(define (validate-port-number port)
  (unless (or (and (integer? port) (exact? port) (< 0 port 65536))
              (and (one-line? port) (string->number port)
                   (integer? (string->number port)) (< 0 (string->number port) 65536)))
    (raise-config-error
     (format #f "port-number must be a TCP port number (1 to 65535), not ~s" port)))
  port)

(define (validate-permit-root-login value)
  (unless (memq value '(#t #f prohibit-password without-password forced-commands-only))
    (raise-config-error
     (format #f "permit-root-login must be #t, #f, 'prohibit-password or 'forced-commands-only, not ~s"
             value)))
  value)

(define (validate-one-line what)
  (lambda (value)
    (unless (one-line? value)
      (raise-config-error (format #f "~a must be a string on one line, not ~s" what value)))
    value))

(define (validate-strings what)
  (lambda (value)
    (unless (and (list? value) (every one-line? value))
      (raise-config-error (format #f "~a must be a list of one-line strings, not ~s" what value)))
    value))

(define (validate-subsystems subsystems)
  (unless (and (list? subsystems)
               (every (lambda (s) (and (list? s) (= (length s) 2) (every one-line? s)
                                       (not (string-index (car s) #\space))))
                      subsystems))
    (raise-config-error
     (format #f "subsystems must be a list of (NAME COMMAND) strings, not ~s" subsystems)))
  subsystems)

;; A user name becomes the file /etc/ssh/authorized_keys.d/NAME.
(define (valid-user-name? name)
  (and (one-line? name) (not (string-null? name))
       (not (string-index name #\/))
       (not (member name '("." "..")))))

(define (validate-authorized-keys keys)
  (unless (list? keys)
    (raise-config-error (format #f "authorized-keys must be a list of (USER FILE ...), not ~s" keys)))
  (for-each (lambda (entry)
              (unless (and (pair? entry) (list? entry) (pair? (cdr entry)))
                (raise-config-error
                 (format #f "authorized-keys entry ~s is not (USER FILE ...)" entry)))
              (unless (valid-user-name? (car entry))
                (raise-config-error
                 (format #f "authorized-keys: ~s is not a user name" (car entry)))))
            keys)
  keys)

(define-record-type* <openssh-configuration> openssh-configuration
  make-openssh-configuration
  openssh-configuration?
  (openssh                   openssh-configuration-openssh (default openssh))
  (pid-file                  openssh-configuration-pid-file (default "/var/run/sshd.pid")
                             (sanitize (validate-one-line "pid-file")))
  (port-number               openssh-configuration-port-number (default 22)
                             (sanitize validate-port-number))
  ;; Guix uses it when sshd is started inetd-style; pyguix runs sshd itself.
  (max-connections           openssh-configuration-max-connections (default 200))
  (permit-root-login         openssh-configuration-permit-root-login (default #f)
                             (sanitize validate-permit-root-login))
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
  (subsystems                openssh-configuration-subsystems (default '(("sftp" "internal-sftp")))
                             (sanitize validate-subsystems))
  (accepted-environment      openssh-configuration-accepted-environment (default '())
                             (sanitize (validate-strings "accepted-environment")))
  (log-level                 openssh-configuration-log-level (default 'info))
  (extra-content             openssh-configuration-extra-content (default ""))
  (authorized-keys           openssh-configuration-authorized-keys (default '())
                             (sanitize validate-authorized-keys))
  (generate-host-keys?       openssh-configuration-generate-host-keys? (default #t))
  (auto-start?               openssh-configuration-auto-start? (default #t)))

;;; sshd_config, written from the configuration's fields.

(define (yes/no value)
  (if value "yes" "no"))

(define (openssh-config-file config)
  (define (line keyword value)
    (string-append keyword " " value "\n"))
  (let ((port (openssh-configuration-port-number config))
        (root (openssh-configuration-permit-root-login config)))
    (plain-file
     "sshd_config"
     (apply string-append
            "# Generated from the openssh-configuration of the operating system.\n"
            (line "Port" (if (number? port) (number->string port) port))
            (line "PermitRootLogin" (if (symbol? root) (symbol->string root) (yes/no root)))
            (line "PermitEmptyPasswords" (yes/no (openssh-configuration-allow-empty-passwords? config)))
            (line "PasswordAuthentication"
                  (yes/no (openssh-configuration-password-authentication? config)))
            (line "PubkeyAuthentication"
                  (yes/no (openssh-configuration-public-key-authentication? config)))
            (line "X11Forwarding" (yes/no (openssh-configuration-x11-forwarding? config)))
            (line "AllowAgentForwarding" (yes/no (openssh-configuration-allow-agent-forwarding? config)))
            (line "AllowTcpForwarding" (yes/no (openssh-configuration-allow-tcp-forwarding? config)))
            (line "GatewayPorts" (yes/no (openssh-configuration-gateway-ports? config)))
            (line "PidFile" (openssh-configuration-pid-file config))
            (line "KbdInteractiveAuthentication"
                  (yes/no (openssh-configuration-challenge-response-authentication? config)))
            (line "UsePAM" (yes/no (openssh-configuration-use-pam? config)))
            (line "PrintLastLog" (yes/no (openssh-configuration-print-last-log? config)))
            (line "LogLevel" (string-upcase
                              (symbol->string (openssh-configuration-log-level config))))
            ;; Keys from the users' homes, and those the configuration lists.
            (line "AuthorizedKeysFile"
                  ".ssh/authorized_keys .ssh/authorized_keys2 /etc/ssh/authorized_keys.d/%u")
            (append
             (map (lambda (variable) (line "AcceptEnv" variable))
                  (openssh-configuration-accepted-environment config))
             (map (lambda (subsystem)
                    (string-append "Subsystem\t" (car subsystem) "\t" (cadr subsystem) "\n"))
                  (openssh-configuration-subsystems config))
             (list (openssh-configuration-extra-content config) "\n"))))))

;;; Authorized keys: one file per user, /etc/ssh/authorized_keys.d/USER.

;; ((USER FILE ...) ...) with each USER once, its files in order.
(define (keys-by-user keys)
  (fold (lambda (entry result)
          (let ((known (assoc (car entry) result)))
            (if known
                (map (lambda (e)
                       (if (eq? e known) (append e (cdr entry)) e))
                     result)
                (append result (list entry)))))
        '()
        keys))

(define (authorized-keys-etc-files keys)
  (map (lambda (entry)
         (let ((user (car entry))
               (files (cdr entry)))
           (unless (valid-user-name? user)
             (raise-config-error (format #f "authorized-keys: ~s is not a user name" user)))
           (list (string-append "ssh/authorized_keys.d/" user)
                 (if (= (length files) 1)
                     (car files)
                     ;; Guix joins the files with Guile code run at build
                     ;; time (a computed-file); pyguix has no build step and
                     ;; joins them itself, from this list of the files.
                     (computed-file user (cons 'concatenated-files files))))))
       (keys-by-user keys)))

(define (openssh-etc-files config)
  (authorized-keys-etc-files (openssh-configuration-authorized-keys config)))

;;; What runs.

(define (openssh-shepherd-service config)
  (let ((config-file (openssh-config-file config)))
    (list (shepherd-service
           (documentation "OpenSSH server.")
           (requirement '(user-processes pam syslogd loopback networking))
           (provision '(ssh-daemon ssh sshd))
           (start #~(lambda args
                      ;; Make the host keys that are missing (all of them, on
                      ;; the first boot): `ssh-keygen -A' leaves existing keys
                      ;; alone.  Guix makes them in the activation, before any
                      ;; service starts; here sshd's start makes them, so that
                      ;; the seconds this takes under emulation hold up sshd
                      ;; alone, not the whole boot.
                      (when #$(openssh-configuration-generate-host-keys? config)
                        (system* #$(file-append (openssh-configuration-openssh config) "/bin/ssh-keygen")
                                 "-A"))
                      ;; -D: stay in the foreground; -e: log to stderr, which
                      ;; the Shepherd collects.
                      (apply (make-forkexec-constructor
                              (list #$(file-append (openssh-configuration-openssh config) "/sbin/sshd")
                                    "-D" "-e" "-f" #$config-file))
                             args)))
           (stop #~(make-kill-destructor))
           (actions (list (shepherd-configuration-action config-file)))
           (auto-start? (openssh-configuration-auto-start? config))))))

(define (openssh-activation config)
  #~(begin
      ;; sshd refuses to start without its privilege separation directory,
      ;; and /run is empty at every boot.
      (unless (file-exists? "/run/sshd")
        (mkdir "/run/sshd" #o755))
      ;; Where people look for it (Debian's own file is replaced).
      (false-if-exception (delete-file "/etc/ssh/sshd_config"))
      (symlink #$(openssh-config-file config) "/etc/ssh/sshd_config")))

(define %openssh-accounts
  (list (user-group (name "sshd") (system? #t))
        (user-account
         (name "sshd")
         (group "sshd")
         (system? #t)
         (comment "sshd privilege separation user")
         (home-directory "/var/run/sshd")
         (create-home-directory? #f)
         (shell (file-append (@ (gnu packages admin) shadow) "/sbin/nologin")))))

(define openssh-service-type
  (service-type
   (name 'openssh)
   (extensions
    (list (service-extension shepherd-root-service-type openssh-shepherd-service)
          (service-extension account-service-type (const %openssh-accounts))
          (service-extension activation-service-type openssh-activation)
          (service-extension etc-service-type openssh-etc-files)
          (service-extension profile-service-type
                             (lambda (config)
                               (list (openssh-configuration-openssh config))))))
   ;; Other services may add authorized keys: lists of (USER FILE ...).
   (compose concatenate)
   (extend (lambda (config keys)
             (openssh-configuration
              (inherit config)
              (authorized-keys (append (openssh-configuration-authorized-keys config) keys)))))
   (default-value (openssh-configuration))
   (description "Run the OpenSSH secure shell daemon.")))

;; No Shepherd service: Dropbear and lsh are not realized by pyguix yet
;; (Debian has Dropbear, as dropbear-bin; lsh is gone from Debian).
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
