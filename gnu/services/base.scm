;;; (gnu services base) -- the services every Guix system runs.
;;;
;;; Getty services are modelled field by field (the image builder turns
;;; them into login prompts on the right consoles); the other services of
;;; %base-services are known by name.

(define-module (gnu services base)
  #:use-module (gnu services)
  #:use-module (gnu packages base)
  #:use-module (gnu packages linux)
  #:use-module (guix gexp)
  #:use-module (gnu services sysctl)
  #:re-export (sysctl-service-type sysctl-configuration %default-sysctl-settings)
  #:export (agetty-configuration agetty-configuration? <agetty-configuration>
            agetty-configuration-tty agetty-configuration-baud-rate
            agetty-configuration-term agetty-configuration-extra-options
            agetty-configuration-auto-login agetty-configuration-login-program
            agetty-configuration-local-line
            agetty-service-type agetty-service

            mingetty-configuration mingetty-configuration? <mingetty-configuration>
            mingetty-configuration-tty mingetty-configuration-auto-login
            mingetty-service-type mingetty-service

            login-service-type virtual-terminal-service-type console-font-service-type
            syslog-service-type shepherd-system-log-service-type urandom-seed-service-type
            guix-service-type guix-configuration guix-configuration?
            guix-configuration-authorized-keys guix-configuration-substitute-urls
            nscd-service-type log-rotation-service-type rottlog-service-type
            shepherd-timer-service-type shepherd-transient-service-type
            log-cleanup-service-type
            udev-service-type udev-configuration udev-configuration?
            udev-configuration-udev udev-configuration-rules udev-configuration-hardware
            udev-rule file->udev-rule udev-rules-service udev-hardware-service
            special-files-service-type static-networking-service-type
            etc-bashrc-d-service-type gpm-service-type pam-limits-service-type
            %default-authorized-guix-keys %default-substitute-urls
            %base-services %loopback-static-networking))

;;; Gettys: login prompts on consoles.

(define-record-type* <agetty-configuration> agetty-configuration
  make-agetty-configuration
  agetty-configuration?
  (agetty          agetty-configuration-agetty (default util-linux))
  (tty             agetty-configuration-tty)           ;"ttyS0", or #f: from console=
  (term            agetty-configuration-term (default #f))
  (baud-rate       agetty-configuration-baud-rate (default #f)) ;"115200"
  (auto-login      agetty-configuration-auto-login (default #f))
  (login-program   agetty-configuration-login-program (default #f))
  (login-pause?    agetty-configuration-login-pause? (default #f))
  (eight-bits?     agetty-configuration-eight-bits? (default #f))
  (no-reset?       agetty-configuration-no-reset? (default #f))
  (remote?         agetty-configuration-remote? (default #f))
  (flow-control?   agetty-configuration-flow-control? (default #f))
  (host            agetty-configuration-host (default #f))
  (no-issue?       agetty-configuration-no-issue? (default #f))
  (init-string     agetty-configuration-init-string (default #f))
  (no-clear?       agetty-configuration-no-clear? (default #f))
  (local-line      agetty-configuration-local-line (default #f))
  (extract-baud?   agetty-configuration-extract-baud? (default #f))
  (skip-login?     agetty-configuration-skip-login? (default #f))
  (no-newline?     agetty-configuration-no-newline? (default #f))
  (login-options   agetty-configuration-login-options (default #f))
  (chroot          agetty-configuration-chroot (default #f))
  (hangup?         agetty-configuration-hangup? (default #f))
  (keep-baud?      agetty-configuration-keep-baud? (default #f))
  (timeout         agetty-configuration-timeout (default #f))
  (detect-case?    agetty-configuration-detect-case? (default #f))
  (wait-cr?        agetty-configuration-wait-cr? (default #f))
  (no-hints?       agetty-configuration-no-hints? (default #f))
  (no-hostname?    agetty-configuration-no-hostname? (default #f))
  (long-hostname?  agetty-configuration-long-hostname? (default #f))
  (erase-characters agetty-configuration-erase-characters (default #f))
  (kill-characters agetty-configuration-kill-characters (default #f))
  (chdir           agetty-configuration-chdir (default #f))
  (delay           agetty-configuration-delay (default #f))
  (nice            agetty-configuration-nice (default #f))
  (extra-options   agetty-configuration-extra-options (default '())) ;e.g. '("-L")
  (shepherd-requirement agetty-configuration-shepherd-requirement (default '())))

(define agetty-service-type
  (service-type
   (name 'agetty)
   (description "Provide a login prompt on a console with agetty.")))

(define (agetty-service config)                       ;deprecated procedure
  (service agetty-service-type config))

(define-record-type* <mingetty-configuration> mingetty-configuration
  make-mingetty-configuration
  mingetty-configuration?
  (mingetty      mingetty-configuration-mingetty (default #f))
  (tty           mingetty-configuration-tty)           ;"tty1"
  (auto-login    mingetty-configuration-auto-login (default #f))
  (login-program mingetty-configuration-login-program (default #f))
  (login-pause?  mingetty-configuration-login-pause? (default #f))
  (clear-on-logout? mingetty-configuration-clear-on-logout? (default #t)))

(define mingetty-service-type
  (service-type
   (name 'mingetty)
   (description "Provide a login prompt on a virtual terminal with mingetty.")))

(define (mingetty-service config)
  (service mingetty-service-type config))

;;; The Guix daemon.

(define %default-substitute-urls
  '("https://bordeaux.guix.gnu.org" "https://ci.guix.gnu.org"))

(define %default-authorized-guix-keys '())

(define-record-type* <guix-configuration> guix-configuration make-guix-configuration
  guix-configuration?
  (guix                 guix-configuration-guix (default #f))
  (build-group          guix-configuration-build-group (default "guixbuild"))
  (build-accounts       guix-configuration-build-accounts (default 10))
  (authorize-key?       guix-configuration-authorize-key? (default #t))
  (authorized-keys      guix-configuration-authorized-keys (default %default-authorized-guix-keys))
  (use-substitutes?     guix-configuration-use-substitutes? (default #t))
  (substitute-urls      guix-configuration-substitute-urls (default %default-substitute-urls))
  (generate-substitute-key? guix-configuration-generate-substitute-key? (default #t))
  (channels             guix-configuration-channels (default #f))
  (chroot?              guix-configuration-chroot? (default 'default))
  (chroot-directories   guix-configuration-chroot-directories (default '()))
  (max-silent-time      guix-configuration-max-silent-time (default 3600))
  (timeout              guix-configuration-timeout (default (* 3600 24)))
  (log-compression      guix-configuration-log-compression (default 'gzip))
  (discover?            guix-configuration-discover? (default #f))
  (extra-options        guix-configuration-extra-options (default '()))
  (log-file             guix-configuration-log-file (default "/var/log/guix-daemon.log"))
  (http-proxy           guix-configuration-http-proxy (default #f))
  (tmpdir               guix-configuration-tmpdir (default #f))
  (environment          guix-configuration-environment (default '())))

(define guix-service-type
  (service-type
   (name 'guix)
   (default-value (guix-configuration))
   (description "Run the build daemon of GNU Guix.")))

;;; Services known by name.

(define (named-service-type name default description)
  (service-type (name name) (default-value default) (description description)))

(define login-service-type (named-service-type 'login #f "Provide a console log-in service."))
(define virtual-terminal-service-type (named-service-type 'virtual-terminal #t "Unicode virtual terminals."))
(define console-font-service-type (named-service-type 'console-fonts '() "Install console fonts."))
(define syslog-service-type (named-service-type 'syslog #f "Run the syslog daemon."))
(define shepherd-system-log-service-type (named-service-type 'shepherd-system-log #f "Shepherd's system log."))
(define urandom-seed-service-type (named-service-type 'urandom-seed #f "Seed /dev/urandom at boot."))
(define nscd-service-type (named-service-type 'nscd #f "Run the name service cache daemon."))
(define log-rotation-service-type (named-service-type 'log-rotation #f "Rotate log files."))
(define rottlog-service-type (named-service-type 'rottlog #f "Rotate log files (old)."))
(define shepherd-timer-service-type (named-service-type 'shepherd-timer #f "Shepherd timers."))
(define shepherd-transient-service-type (named-service-type 'shepherd-transient #f "Shepherd transient services."))
(define log-cleanup-service-type (named-service-type 'log-cleanup #f "Delete old log files."))
;; udev: the rules and hardware database entries are packages or files
;; (see udev-rule below) that other services and configurations add.
(define-record-type* <udev-configuration> udev-configuration make-udev-configuration
  udev-configuration?
  (udev     udev-configuration-udev (default eudev))
  (rules    udev-configuration-rules (default '()))     ;packages with lib/udev/rules.d
  (hardware udev-configuration-hardware (default '()))) ;packages with lib/udev/hwdb.d

(define udev-service-type
  (service-type (name 'udev)
                (default-value (udev-configuration))
                (description "Run udev, the device manager.")))

;; A package-like file holding one rule file lib/udev/rules.d/FILE-NAME.
(define (udev-rule file-name contents)
  (computed-file file-name (list 'udev-rule file-name contents)))

(define (file->udev-rule file-name file)
  (computed-file file-name (list 'udev-rule file-name file)))

;; A service adding RULES (a package or udev-rule) to udev, named NAME, and
;; creating the system GROUPS the rules mention.
(define* (udev-rules-service name rules #:key (groups '()))
  (simple-service (symbol-append name '-udev-rules) udev-service-type
                  (list rules groups)))

(define* (udev-hardware-service name hardware)
  (simple-service (symbol-append name '-udev-hardware) udev-service-type
                  (list hardware)))
(define etc-bashrc-d-service-type (named-service-type 'etc-bashrc-d #f "Bash start-up snippets."))
(define gpm-service-type (named-service-type 'gpm #f "Mouse support on the console."))
(define pam-limits-service-type (named-service-type 'pam-limits '() "Resource limits through PAM."))
(define static-networking-service-type (named-service-type 'static-networking '() "Static network interfaces."))

;; /bin/sh and /usr/bin/env, as (FILE TARGET) pairs.
(define special-files-service-type
  (named-service-type 'special-files '() "Create special files such as /bin/sh."))

(define %loopback-static-networking 'loopback)

(define %base-services
  ;; The current Guix list, in order.
  (append
   (list (service login-service-type)
         (service virtual-terminal-service-type)
         (service console-font-service-type
                  (map (lambda (tty) (cons tty "LatGrkCyr-8x16"))
                       '("tty1" "tty2" "tty3" "tty4" "tty5" "tty6")))
         (service shepherd-system-log-service-type)
         (service agetty-service-type
                  (agetty-configuration
                   (extra-options '("-L"))         ;no carrier detect
                   (term "vt100")
                   (tty #f)                       ;the serial console, from console=
                   (shepherd-requirement '(syslogd)))))
   (map (lambda (tty) (service mingetty-service-type (mingetty-configuration (tty tty))))
        '("tty1" "tty2" "tty3" "tty4" "tty5" "tty6"))
   (list (service etc-bashrc-d-service-type)
         (service static-networking-service-type (list %loopback-static-networking))
         (service urandom-seed-service-type)
         (service guix-service-type)
         (service nscd-service-type)
         (service log-rotation-service-type)
         (service shepherd-timer-service-type)
         (service shepherd-transient-service-type)
         (service log-cleanup-service-type)
         (service udev-service-type)
         (service sysctl-service-type)
         (service special-files-service-type
                  `(("/bin/sh" ,(file-append bash "/bin/sh"))
                    ("/usr/bin/env" ,(file-append coreutils "/bin/env")))))))
