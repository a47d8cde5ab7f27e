;;; (gnu services base) -- the services every Guix system runs.
;;;
;;; %base-services, at the end of this file, is the list most
;;; configurations start from.  Each service type below says, through its
;;; extensions, what it adds to the system: usually a Shepherd service (the
;;; daemon and how to run it), sometimes /etc files, accounts or code run at
;;; boot.  See (gnu services) for how the graph of extensions is folded.
;;;
;;; The daemons come from Debian: a package in a G-expression, such as
;;; #$(file-append util-linux "/sbin/agetty"), names the file where Debian
;;; installs it, here /usr/sbin/agetty.

(define-module (gnu services base)
  #:use-module (srfi srfi-1)
  #:use-module (gnu services)
  #:use-module (gnu services shepherd)
  #:use-module ((gnu packages) #:select (package?))
  #:use-module (gnu packages base)
  #:use-module (gnu packages linux)
  #:use-module (guix gexp)
  #:use-module (gnu services sysctl)
  #:use-module (gnu services admin)
  #:use-module (gnu system file-systems)
  #:use-module (gnu system shadow)
  #:re-export (sysctl-service-type sysctl-configuration %default-sysctl-settings
               user-processes-service-type shepherd-system-log-service-type
               shepherd-timer-service-type shepherd-transient-service-type
               log-rotation-service-type log-cleanup-service-type special-files-service-type)
  #:export (agetty-configuration agetty-configuration? <agetty-configuration>
            agetty-configuration-tty agetty-configuration-baud-rate
            agetty-configuration-term agetty-configuration-extra-options
            agetty-configuration-auto-login agetty-configuration-login-program
            agetty-configuration-local-line
            agetty-service-type agetty-service

            mingetty-configuration mingetty-configuration? <mingetty-configuration>
            mingetty-configuration-tty mingetty-configuration-auto-login
            mingetty-service-type mingetty-service

            host-name-service-type root-file-system-service-type
            file-system-service-type file-system-shepherd-service-name

            login-service-type virtual-terminal-service-type console-font-service-type
            syslog-service-type syslog-configuration syslog-configuration?
            %default-syslog.conf urandom-seed-service-type
            guix-service-type guix-configuration guix-configuration?
            guix-configuration-authorized-keys guix-configuration-substitute-urls
            nscd-service-type nscd-configuration nscd-configuration? nscd-cache nscd-cache?
            %nscd-default-caches %nscd-default-configuration rottlog-service-type
            udev-service-type udev-configuration udev-configuration?
            udev-configuration-udev udev-configuration-rules udev-configuration-hardware
            udev-rule file->udev-rule udev-rules-service udev-hardware-service
            static-networking-service-type static-networking static-networking?
            network-address network-address? network-route network-route?
            network-link network-link? %loopback-static-networking
            etc-bashrc-d-service-type gpm-service-type pam-limits-service-type
            %default-authorized-guix-keys %default-substitute-urls
            %base-services))

;; Guix packages are from modules that pyguix knows by their index only.
(define shadow (@ (gnu packages admin) shadow))
(define mingetty (@ (gnu packages admin) mingetty))
(define glibc (@ (gnu packages base) glibc))

;;; The host name: set at boot, from the operating-system's host-name.
;;; (The image also has it in /etc/hostname.)

(define host-name-service-type
  (service-type
   (name 'host-name)
   (extensions
    (list (service-extension
           shepherd-root-service-type
           (lambda (name)
             (list (shepherd-service
                    (documentation "Set the machine's host name.")
                    (provision '(host-name))
                    (one-shot? #t)
                    (start #~(lambda _
                               (sethostname #$name)
                               #t))))))))
   (description "Set the host name of the machine at boot.")))

;;; The root file system: the last service to stop.
;;;
;;; It is always "running".  When it is stopped, after everything else
;;; (user-processes killed what was left), it writes the disk caches out
;;; and remounts / read-only, so that `halt' and `reboot' leave a clean
;;; file system behind: the Shepherd itself does neither.

(define root-file-system-service-type
  (service-type
   (name 'root-file-system)
   (extensions
    (list (service-extension
           shepherd-root-service-type
           (const
            (list (shepherd-service
                   (documentation "Take care of the root file system.")
                   (provision '(root-file-system))
                   (respawn? #f)
                   (start #~(const #t))
                   (stop #~(lambda _
                             (sync)
                             ;; The remount fails while a process still writes:
                             ;; try a few times.
                             (let loop ((tries 5))
                               (unless (or (zero? tries)
                                           (zero? (system* #$(file-append util-linux "/bin/mount")
                                                           "-o" "remount,ro" "/")))
                                 (sleep 1)
                                 (loop (- tries 1))))
                             #f))))))))
   (default-value #t)
   (description "Sync and remount the root file system read-only at shutdown.")))

;;; The other file systems: one Shepherd service each.
;;;
;;; "file-system-/dev/pts" mounts /dev/pts when it starts and unmounts it
;;; when it stops; the "file-systems" service requires them all, and
;;; user-processes requires "file-systems".  A file system that is already
;;; mounted (the initrd mounts some) is left as it is.

(define (file-system-shepherd-service-name fs)
  (symbol-append 'file-system- (string->symbol (file-system-mount-point fs))))

;; The mount(8) options of FS: its flags and its options string.
(define (file-system-mount-options fs)
  (define names
    '((read-only . "ro") (bind-mount . "bind") (no-suid . "nosuid") (no-dev . "nodev")
      (no-exec . "noexec") (no-atime . "noatime") (no-diratime . "nodiratime")
      (strict-atime . "strictatime") (lazy-time . "lazytime") (shared . "shared")))
  (let ((flags (filter-map (lambda (flag)
                             (let ((name (assq flag names)))
                               (and name (cdr name))))
                           (file-system-flags fs)))
        (options (file-system-options fs)))
    (string-join (if (string? options) (append flags (list options)) flags) ",")))

;; The device as mount(8) takes it: a path, LABEL=... or UUID=....
(define (file-system-mount-device fs)
  (let ((device (file-system-device fs)))
    (cond ((file-system-label? device)
           (string-append "LABEL=" (file-system-label->string device)))
          ((uuid? device) (string-append "UUID=" (uuid->string device)))
          (else device))))

(define (file-system-shepherd-service fs)
  (let ((mount-point (file-system-mount-point fs))
        (device (file-system-mount-device fs))
        (options (file-system-mount-options fs))
        (bind? (and (memq 'bind-mount (file-system-flags fs)) #t))
        (may-fail? (file-system-mount-may-fail? fs))
        (mount (file-append util-linux "/bin/mount"))
        (umount (file-append util-linux "/bin/umount")))
    (shepherd-service
     (documentation "Mount and unmount a file system.")
     (provision (list (file-system-shepherd-service-name fs)))
     (requirement (append '(root-file-system udev)
                          (file-system-shepherd-requirements fs)))
     (respawn? #f)
     (start #~(lambda _
                (define (mounted? directory)   ;listed in /proc/self/mounts?
                  (any (lambda (line)
                         (let ((fields (string-split line #\space)))
                           (and (pair? fields) (pair? (cdr fields))
                                (string=? (cadr fields) directory))))
                       (string-split (call-with-input-file "/proc/self/mounts" read-string)
                                     #\newline)))
                (cond ((mounted? #$mount-point) #t)
                      ;; A bind mount of something the image does not have
                      ;; (Guix's /gnu/store) is left out.
                      ((and #$bind? (not (file-exists? #$device))) #t)
                      (else
                       (or (and (false-if-exception
                                 (begin
                                   (unless (file-exists? #$mount-point)
                                     (mkdir #$mount-point))
                                   #t))
                                (zero? (system* #$mount "-t" #$(file-system-type fs)
                                                #$@(if (string-null? options) '() (list "-o" options))
                                                #$device #$mount-point)))
                           ;; e.g. efivarfs on a machine booted without UEFI
                           #$may-fail?)))))
     (stop #~(lambda _
               (system* #$umount #$mount-point)
               #f))
     (modules '((shepherd service) (srfi srfi-1) (ice-9 rdelim))))))

;; Its value is the list of <file-system> records to mount; the OS's
;; file-systems field gives them (the root, mounted by the initrd, and
;; the ones with (mount? #f) excepted).
(define (file-systems-shepherd-services file-systems)
  (let ((mountable (remove (lambda (fs)
                             (or (string=? (file-system-mount-point fs) "/")
                                 (not (file-system-mount? fs))))
                           file-systems)))
    (cons (shepherd-service
           (documentation "Target for all the initially-mounted file systems.")
           (provision '(file-systems))
           (requirement (cons 'root-file-system
                              (map file-system-shepherd-service-name mountable)))
           (respawn? #f)
           (start #~(const #t))
           (stop #~(const #f)))
          (map file-system-shepherd-service mountable))))

(define file-system-service-type
  (service-type
   (name 'file-systems)
   (extensions
    (list (service-extension shepherd-root-service-type file-systems-shepherd-services)
          (service-extension user-processes-service-type (const '(file-systems)))))
   (compose concatenate)
   (extend append)
   (default-value '())
   (description "Mount the file systems of the operating system.")))

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

;; The agetty options CONFIG asks for, in agetty's own spelling.
(define (agetty-options config)
  (define (flag on? option)                   ;OPTION if ON?
    (if on? (list option) '()))
  (define (option value name)                 ;NAME VALUE if VALUE is given
    (cond ((not value) '())
          ((number? value) (list name (number->string value)))
          (else (list name value))))
  (let ((local-line (agetty-configuration-local-line config)))
    (append
     (agetty-configuration-extra-options config)
     (flag (agetty-configuration-eight-bits? config) "--8bits")
     (flag (agetty-configuration-no-reset? config) "--noreset")
     (flag (agetty-configuration-remote? config) "--remote")
     (flag (agetty-configuration-flow-control? config) "--flow-control")
     (option (agetty-configuration-host config) "--host")
     (flag (agetty-configuration-no-issue? config) "--noissue")
     (option (agetty-configuration-init-string config) "--init-string")
     (flag (agetty-configuration-no-clear? config) "--noclear")
     ;; local-line: 'always, 'never or 'auto.
     (if local-line
         (list (string-append "--local-line=" (symbol->string local-line)))
         '())
     (flag (agetty-configuration-extract-baud? config) "--extract-baud")
     (flag (agetty-configuration-skip-login? config) "--skip-login")
     (flag (agetty-configuration-no-newline? config) "--nonewline")
     (option (agetty-configuration-login-options config) "--login-options")
     (option (agetty-configuration-chroot config) "--chroot")
     (flag (agetty-configuration-hangup? config) "--hangup")
     ;; Without a speed, keep the one the kernel console already has.
     (flag (or (agetty-configuration-keep-baud? config)
               (not (agetty-configuration-baud-rate config)))
           "--keep-baud")
     (option (agetty-configuration-timeout config) "--timeout")
     (flag (agetty-configuration-detect-case? config) "--detect-case")
     (flag (agetty-configuration-wait-cr? config) "--wait-cr")
     (flag (agetty-configuration-no-hints? config) "--nohints")
     (flag (agetty-configuration-no-hostname? config) "--nohostname")
     (flag (agetty-configuration-long-hostname? config) "--long-hostname")
     (option (agetty-configuration-erase-characters config) "--erase-chars")
     (option (agetty-configuration-kill-characters config) "--kill-chars")
     (option (agetty-configuration-chdir config) "--chdir")
     (option (agetty-configuration-delay config) "--delay")
     (option (agetty-configuration-nice config) "--nice")
     (option (agetty-configuration-auto-login config) "--autologin")
     ;; #f: the login program of shadow, as in Guix.
     (list "--login-program"
           (or (agetty-configuration-login-program config)
               (file-append shadow "/bin/login")))
     (flag (agetty-configuration-login-pause? config) "--login-pause"))))

;; Code that finds, at boot, the serial console the kernel was started
;; with: the first agetty.tty=NAME or console=NAME[,SPEED] that is not a
;; virtual terminal ("ttyS0" from console=ttyS0,115200), else #f.
(define %serial-console
  #~(let* ((words (string-tokenize
                   (call-with-input-file "/proc/cmdline" read-line)))
           (values-of (lambda (prefix)
                        (filter-map (lambda (word)
                                      (and (string-prefix? prefix word)
                                           (substring word (string-length prefix))))
                                    words)))
           (virtual? (lambda (tty)
                       (and (string-prefix? "tty" tty)
                            (> (string-length tty) 3)
                            (char-numeric? (string-ref tty 3)))))
           (specs (append (values-of "agetty.tty=")
                          (remove virtual? (values-of "console=")))))
      (and (pair? specs)
           (car (string-split (car specs) #\,)))))

(define (agetty-shepherd-service config)
  (let* ((tty (agetty-configuration-tty config))
         (baud-rate (agetty-configuration-baud-rate config))
         (term (agetty-configuration-term config))
         (agetty (file-append (agetty-configuration-agetty config) "/sbin/agetty"))
         ;; What follows the terminal name on agetty's command line.
         (rest (append (if baud-rate
                           (list (if (number? baud-rate) (number->string baud-rate) baud-rate))
                           '())
                       (if term (list term) '()))))
    (list (shepherd-service
           (documentation "Run agetty on a terminal.")
           (provision (list (symbol-append 'term- (string->symbol (or tty "console")))))
           (requirement (append '(user-processes host-name udev)
                                (agetty-configuration-shepherd-requirement config)))
           (modules '((shepherd service) (srfi srfi-1) (ice-9 rdelim)))
           (start
            (if tty
                #~(make-forkexec-constructor
                   (list #$agetty #$@(agetty-options config) #$tty #$@rest))
                ;; The serial console named on the kernel command line, if
                ;; any; with none, the service does nothing.
                #~(lambda args
                    (let ((tty #$%serial-console))
                      (if tty
                          (apply (make-forkexec-constructor
                                  (list #$agetty #$@(agetty-options config) tty #$@rest))
                                 args)
                          (begin
                            (display "term-console: no serial console on the kernel command line\n")
                            'idle))))))
           (stop #~(lambda (running . args)
                     (if (eq? running 'idle)
                         #f
                         (apply (make-kill-destructor) running args))))))))

(define agetty-service-type
  (service-type
   (name 'agetty)
   (extensions
    (list (service-extension shepherd-root-service-type agetty-shepherd-service)))
   (description "Provide a login prompt on a console with agetty.")))

(define (agetty-service config)                       ;deprecated procedure
  (service agetty-service-type config))

(define-record-type* <mingetty-configuration> mingetty-configuration
  make-mingetty-configuration
  mingetty-configuration?
  (mingetty      mingetty-configuration-mingetty (default mingetty))
  (tty           mingetty-configuration-tty)           ;"tty1"
  (auto-login    mingetty-configuration-auto-login (default #f))
  (login-program mingetty-configuration-login-program (default #f))
  (login-pause?  mingetty-configuration-login-pause? (default #f))
  (clear-on-logout? mingetty-configuration-clear-on-logout? (default #t))
  (delay         mingetty-configuration-delay (default #f))
  (print-issue   mingetty-configuration-print-issue (default #t))
  (print-hostname mingetty-configuration-print-hostname (default #t)) ;#t, #f or 'long
  (nice          mingetty-configuration-nice (default #f))
  (working-directory mingetty-configuration-working-directory (default #f))
  (root-directory mingetty-configuration-root-directory (default #f))
  (shepherd-requirement mingetty-configuration-shepherd-requirement
                        (default '(user-processes host-name udev virtual-terminal))))

(define (mingetty-shepherd-service config)
  (define (option value name)
    (cond ((not value) '())
          ((number? value) (list name (number->string value)))
          (else (list name value))))
  (let ((tty (mingetty-configuration-tty config))
        (hostname (mingetty-configuration-print-hostname config)))
    (list (shepherd-service
           (documentation "Run mingetty on a virtual terminal.")
           (provision (list (symbol-append 'term- (string->symbol tty))))
           (requirement (mingetty-configuration-shepherd-requirement config))
           (start #~(make-forkexec-constructor
                     (list #$(file-append (mingetty-configuration-mingetty config) "/sbin/mingetty")
                           "--nohangup"
                           #$@(option (mingetty-configuration-auto-login config) "--autologin")
                           #$@(option (mingetty-configuration-login-program config) "--loginprog")
                           #$@(if (mingetty-configuration-login-pause? config) '("--loginpause") '())
                           #$@(if (mingetty-configuration-clear-on-logout? config) '() '("--noclear"))
                           #$@(option (mingetty-configuration-delay config) "--delay")
                           #$@(if (mingetty-configuration-print-issue config) '() '("--noissue"))
                           #$@(cond ((eq? hostname 'long) '("--long-hostname"))
                                    (hostname '())
                                    (else '("--nohostname")))
                           #$@(option (mingetty-configuration-nice config) "--nice")
                           #$@(option (mingetty-configuration-working-directory config) "--chdir")
                           #$@(option (mingetty-configuration-root-directory config) "--chroot")
                           #$tty)))
           (stop #~(make-kill-destructor))))))

(define mingetty-service-type
  (service-type
   (name 'mingetty)
   (extensions
    (list (service-extension shepherd-root-service-type mingetty-shepherd-service)))
   (description "Provide a login prompt on a virtual terminal with mingetty.")))

(define (mingetty-service config)
  (service mingetty-service-type config))

;;; Virtual terminals in UTF-8.

(define virtual-terminal-service-type
  (service-type
   (name 'virtual-terminal)
   (extensions
    (list (service-extension
           shepherd-root-service-type
           (lambda (utf8?)
             (list (shepherd-service
                    (documentation "Put the virtual terminals in UTF-8 mode.")
                    (provision '(virtual-terminal))
                    (requirement '(root-file-system))
                    (start #~(lambda _
                               (let ((knob "/sys/module/vt/parameters/default_utf8"))
                                 (when (and #$utf8? (file-exists? knob))
                                   (call-with-output-file knob
                                     (lambda (port) (display 1 port))))
                                 #t)))))))))
   (default-value #t)
   (description "Unicode virtual terminals.")))

;;; Services without a daemon of their own.

(define (named-service-type name default description)
  (service-type (name name) (default-value default) (description description)))

;; No Shepherd service: login runs from the gettys; the image builder
;; writes /etc/motd from this service's value.
(define login-service-type (named-service-type 'login #f "Provide a console log-in service."))
;; No Shepherd service: Guix's console fonts (LatGrkCyr-8x16, Unifont) come
;; with Guix's kbd and font packages; Debian's kbd has no console fonts
;; (console-setup's have other names), so the kernel's font stays.
(define console-font-service-type (named-service-type 'console-fonts '() "Install console fonts."))
;; No Shepherd service: Bash start-up snippets, and the mouse on the
;; console, are not set up by pyguix yet; resource limits need Guix's PAM.
(define etc-bashrc-d-service-type (named-service-type 'etc-bashrc-d #f "Bash start-up snippets."))
(define gpm-service-type (named-service-type 'gpm #f "Mouse support on the console."))
(define pam-limits-service-type (named-service-type 'pam-limits '() "Resource limits through PAM."))

;;; The system log daemon of inetutils (the Shepherd's own system log,
;;; shepherd-system-log-service-type, is the default since Guix 1.5).

(define %default-syslog.conf
  (plain-file "syslog.conf" "\
# What goes where (see syslog.conf(5)).
# Errors and authentication notices to the console.
*.alert;auth.notice;authpriv.none      -/dev/console

# Everything of level info or higher, but mail and private authentication.
*.info;mail.none;authpriv.none         -/var/log/messages

# Debugging messages, and nothing else.
*.=debug                               -/var/log/debug

# Authentication, including the private part, in a file of its own.
authpriv.*;auth.info                    /var/log/secure

# Mail.
mail.*                                 -/var/log/maillog
"))

(define-record-type* <syslog-configuration> syslog-configuration
  make-syslog-configuration syslog-configuration?
  (syslogd       syslog-configuration-syslogd
                 (default (file-append inetutils "/libexec/syslogd")))
  (config-file   syslog-configuration-config-file (default %default-syslog.conf))
  (extra-options syslog-configuration-extra-options (default '())))

(define (syslog-shepherd-service config)
  (list (shepherd-service
         (documentation "Run the syslog daemon (syslogd).")
         (provision '(syslogd))
         (requirement '(user-processes))
         ;; --no-detach: stay in the foreground, where the Shepherd watches it.
         (start #~(make-forkexec-constructor
                   (list #$(syslog-configuration-syslogd config)
                         "--no-detach"
                         "--rcfile" #$(syslog-configuration-config-file config)
                         #$@(syslog-configuration-extra-options config))))
         (stop #~(make-kill-destructor)))))

(define syslog-service-type
  (service-type
   (name 'syslog)
   (extensions
    (list (service-extension shepherd-root-service-type syslog-shepherd-service)
          (service-extension etc-service-type
                             (lambda (config)
                               `(("syslog.conf" ,(syslog-configuration-config-file config)))))))
   (default-value (syslog-configuration))
   (description "Run the syslog daemon of inetutils.")))

;;; Entropy: save a random seed at shutdown, feed it back at boot.

(define %random-seed-file "/var/lib/random-seed")

(define urandom-seed-service-type
  (service-type
   (name 'urandom-seed)
   (extensions
    (list (service-extension
           shepherd-root-service-type
           (lambda _
             (let ((dd (file-append coreutils "/bin/dd")))
               ;; Save 512 bytes of randomness for the next boot.
               (define save
                 #~(begin
                     (unless (file-exists? "/var/lib")
                       (mkdir "/var/lib"))
                     (system* #$dd "if=/dev/urandom" #$(string-append "of=" %random-seed-file)
                              "bs=512" "count=1" "status=none")
                     (chmod #$%random-seed-file #o600)))
               (list (shepherd-service
                      (documentation "Keep entropy across reboots for /dev/urandom.")
                      (provision '(urandom-seed))
                      (requirement '(file-systems udev))
                      (start #~(lambda _
                                 (when (file-exists? #$%random-seed-file)
                                   (system* #$dd #$(string-append "if=" %random-seed-file)
                                            "of=/dev/urandom" "bs=512" "count=1" "status=none"))
                                 #$save
                                 #t))
                      (stop #~(lambda _
                                #$save
                                #f)))))))
          ;; user-processes waits for it: the seed is read before anyone
          ;; needs random numbers, and saved before the processes are killed.
          (service-extension user-processes-service-type (const '(urandom-seed)))))
   (default-value #f)
   (description "Seed /dev/urandom at boot.")))

;;; nscd: the name service cache daemon of the C library.

(define-record-type* <nscd-cache> nscd-cache make-nscd-cache
  nscd-cache?
  (database              nscd-cache-database)              ;'hosts, 'passwd...
  (positive-time-to-live nscd-cache-positive-time-to-live)
  (negative-time-to-live nscd-cache-negative-time-to-live (default 20))
  (suggested-size        nscd-cache-suggested-size (default 211))
  (check-files?          nscd-cache-check-files? (default #t))
  (persistent?           nscd-cache-persistent? (default #t))
  (shared?               nscd-cache-shared? (default #t))
  (max-database-size     nscd-cache-max-database-size (default (* 32 1024 1024)))
  (auto-propagate?       nscd-cache-auto-propagate? (default #t)))

(define %nscd-default-caches
  (list (nscd-cache (database 'hosts)
                    (positive-time-to-live (* 3600 12))
                    (negative-time-to-live 20))
        (nscd-cache (database 'services)
                    (positive-time-to-live (* 3600 24))
                    (negative-time-to-live 3600))
        (nscd-cache (database 'passwd)
                    (positive-time-to-live 600)
                    (persistent? #f))
        (nscd-cache (database 'group)
                    (positive-time-to-live 600)
                    (persistent? #f))))

(define-record-type* <nscd-configuration> nscd-configuration
  make-nscd-configuration nscd-configuration?
  (log-file      nscd-configuration-log-file (default #f))
  (debug-level   nscd-configuration-debug-level (default 0))
  (caches        nscd-configuration-caches (default %nscd-default-caches))
  (name-services nscd-configuration-name-services (default '())) ;NSS plug-in packages
  (glibc         nscd-configuration-glibc (default glibc)))

(define %nscd-default-configuration (nscd-configuration))

;; nscd.conf(5), one line per setting and database.
(define (nscd.conf config)
  (define (yes-no value) (if value "yes" "no"))
  (define (cache-lines cache)
    (let ((db (symbol->string (nscd-cache-database cache))))
      (map (lambda (setting)
             (string-append (car setting) "\t" db "\t" (cadr setting) "\n"))
           `(("enable-cache" "yes")
             ("positive-time-to-live"
              ,(number->string (nscd-cache-positive-time-to-live cache)))
             ("negative-time-to-live"
              ,(number->string (nscd-cache-negative-time-to-live cache)))
             ("suggested-size" ,(number->string (nscd-cache-suggested-size cache)))
             ("check-files" ,(yes-no (nscd-cache-check-files? cache)))
             ("persistent" ,(yes-no (nscd-cache-persistent? cache)))
             ("shared" ,(yes-no (nscd-cache-shared? cache)))
             ("max-db-size" ,(number->string (nscd-cache-max-database-size cache)))
             ("auto-propagate" ,(yes-no (nscd-cache-auto-propagate? cache)))))))
  (let ((log-file (nscd-configuration-log-file config)))
    (plain-file "nscd.conf"
                (apply string-append
                       "# Generated from the nscd-configuration.\n"
                       (string-append "debug-level\t"
                                      (number->string (nscd-configuration-debug-level config))
                                      "\n")
                       (if log-file (string-append "logfile\t" log-file "\n") "")
                       (append-map cache-lines (nscd-configuration-caches config))))))

(define (nscd-shepherd-service config)
  (list (shepherd-service
         (documentation "Run the name service cache daemon (nscd).")
         (provision '(nscd))
         (requirement '(user-processes syslogd))
         (start #~(make-forkexec-constructor
                   (list #$(file-append (nscd-configuration-glibc config) "/sbin/nscd")
                         "-f" #$(nscd.conf config) "--foreground")))
         (stop #~(make-kill-destructor)))))

(define nscd-service-type
  (service-type
   (name 'nscd)
   (extensions
    (list (service-extension shepherd-root-service-type nscd-shepherd-service)
          (service-extension activation-service-type
                             (const #~(begin
                                        ;; Its socket, and the persistent databases.
                                        (unless (file-exists? "/var/run/nscd")
                                          (mkdir "/var/run/nscd" #o755))
                                        (unless (file-exists? "/var/cache/nscd")
                                          (mkdir "/var/cache/nscd" #o755)))))))
   (default-value %nscd-default-configuration)
   (description "Run the name service cache daemon.")))

;; No Shepherd service: rottlog is gone from Guix (log-rotation replaced it).
(define rottlog-service-type (named-service-type 'rottlog #f "Rotate log files (old)."))

;;; The Guix daemon.
;;;
;;; No Shepherd service: an image built from Debian's packages has no
;;; /gnu/store for a guix-daemon to build into, and no Guix to run one.

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

;; No Shepherd service: no /gnu/store and no Guix in a Debian-based image (above).
(define guix-service-type
  (service-type
   (name 'guix)
   (default-value (guix-configuration))
   (description "Run the build daemon of GNU Guix.")))

;;; udev: the device manager.
;;;
;;; systemd-udevd (Debian's udev) names devices, loads drivers and sets
;;; permissions by its rules.  Its rules come from packages (Debian's
;;; packages install theirs in /usr/lib/udev/rules.d) and from udev-rule
;;; files, written to /etc/udev/rules.d.

(define-record-type* <udev-configuration> udev-configuration make-udev-configuration
  udev-configuration?
  (udev     udev-configuration-udev (default eudev))
  (debug?   udev-configuration-debug? (default #f))
  (rules    udev-configuration-rules (default '()))     ;packages, or udev-rule files
  (hardware udev-configuration-hardware (default '()))) ;packages with lib/udev/hwdb.d

;; A rule file, FILE-NAME, with CONTENTS (a string) or made of FILE (a
;; file-like object).  Guix builds a package-like directory holding
;; lib/udev/rules.d/FILE-NAME with Guile code; pyguix, which runs no build
;; code, writes the file itself from the list given here.
(define (udev-rule file-name contents)
  (computed-file file-name (list 'udev-rule file-name contents)))

(define (file->udev-rule file-name file)
  (computed-file file-name (list 'udev-rule file-name file)))

(define (udev-shepherd-service config)
  (let ((udevd (file-append (udev-configuration-udev config) "/sbin/udevd")))
    (list (shepherd-service
           (documentation "Populate the /dev directory, dynamically.")
           (provision '(udev))
           (requirement '(root-file-system))
           (respawn? #f)
           (start #~(lambda _
                      ;; The devices the kernel found before the Shepherd ran
                      ;; are replayed by a udevd that the system's boot program
                      ;; starts, in the background while the Shepherd starts
                      ;; (as Debian's initramfs does; Guix triggers here, but
                      ;; with Debian's Shepherd 1.0.3 as PID 1 a trigger from
                      ;; this procedure left PID 1 unresponsive in our boot
                      ;; tests).  Wait until that replay is over (the boot
                      ;; program removes its marker), at most a minute...
                      (let wait ((tries 600))
                        (when (and (positive? tries)
                                   (file-exists? "/run/udev/coldplug-running"))
                          (sleep 0.1)
                          (wait (- tries 1))))
                      ;; ... then take that udevd over (its PID is the running
                      ;; value: 'herd stop udev' kills it), or start one.
                      (let* ((pid (false-if-exception
                                   (call-with-input-file "/run/udev/udevd.pid" read)))
                             (running (and (integer? pid)
                                           (false-if-exception (kill pid 0))
                                           pid)))
                        (false-if-exception (delete-file "/run/udev/udevd.pid"))
                        (or running
                            (let ((udevd ((make-forkexec-constructor
                                           (list #$udevd #$@(if (udev-configuration-debug? config)
                                                                '("--debug")
                                                                '()))))))
                              ;; Wait until it listens.
                              (let wait ((tries 50))
                                (unless (or (zero? tries) (file-exists? "/run/udev/control"))
                                  (sleep 0.1)
                                  (wait (- tries 1))))
                              udevd)))))
           (stop #~(make-kill-destructor))))))

;; The rule files of CONFIG, in /etc/udev/rules.d, where udevd reads them
;; after /usr/lib/udev/rules.d.  Guix puts a directory at /etc/udev; here the
;; directory is a list of files, each under its own name (the first of a name).
(define (udev-etc-files config)
  (let ((files (remove package? (udev-configuration-rules config))))
    (if (null? files)
        '()
        `(("udev/rules.d" ,(computed-file "rules.d" (cons 'directory files)))))))

(define udev-service-type
  (service-type
   (name 'udev)
   (extensions
    (list (service-extension shepherd-root-service-type udev-shepherd-service)
          (service-extension etc-service-type udev-etc-files)
          ;; Packages of rules go to the system profile.
          (service-extension profile-service-type
                             (lambda (config)
                               (filter package? (udev-configuration-rules config))))))
   ;; Other services extend it with lists of rules.
   (compose concatenate)
   (extend (lambda (config rules)
             (udev-configuration
              (inherit config)
              (rules (append (udev-configuration-rules config) rules)))))
   (default-value (udev-configuration))
   (description "Run udev, the device manager.")))

;; A service adding RULES (a package or udev-rule) to udev, and creating the
;; system GROUPS the rules mention.
(define* (udev-rules-service name rules #:key (groups '()))
  (service (service-type
            (name (symbol-append name '-udev-rules))
            (extensions
             (list (service-extension udev-service-type (const (list rules)))
                   (service-extension account-service-type
                                      (const (map (lambda (group)
                                                    (user-group (name group) (system? #t)))
                                                  groups)))))
            (description "Add udev rules."))
           #f))

;; No Shepherd service of its own: hardware database entries are left to
;; the packages' own files.
(define* (udev-hardware-service name hardware)
  (simple-service (symbol-append name '-udev-hardware) udev-service-type '()))

;;; Static networking: addresses and routes set with ip(8).

(define-record-type* <static-networking> static-networking make-static-networking
  static-networking?
  (addresses static-networking-addresses (default '()))  ;<network-address> records
  (links     static-networking-links (default '()))      ;<network-link> records
  (routes    static-networking-routes (default '()))     ;<network-route> records
  (provision static-networking-provision (default '(networking)))
  (requirement static-networking-requirement (default '(udev)))
  (name-servers static-networking-name-servers (default '()))) ;IP addresses, for /etc/resolv.conf

(define-record-type* <network-address> network-address make-network-address
  network-address?
  (device network-address-device)                       ;"eth0"
  (value  network-address-value)                        ;"10.0.2.15/24"
  (ipv6?  network-address-ipv6? (default #f)))

(define-record-type* <network-route> network-route make-network-route
  network-route?
  (destination network-route-destination)               ;"default" or "10.0.0.0/8"
  (source      network-route-source (default #f))
  (device      network-route-device (default #f))
  (ipv6?       network-route-ipv6? (default #f))
  (gateway     network-route-gateway (default #f)))

(define-record-type* <network-link> network-link make-network-link
  network-link?
  (name        network-link-name (default #f))          ;the link to create
  (type        network-link-type (default #f))          ;'bond, 'vlan...
  (mac-address network-link-mac-address (default #f))
  (arguments   network-link-arguments (default '())))   ;((mode . "802.3ad") ...)

;; The loopback interface, up with 127.0.0.1.  pyguix's value is the symbol
;; 'loopback (its busybox system reads that name), standing for Guix's
;; (static-networking (addresses (list (network-address (device "lo")
;; (value "127.0.0.1/8")))) (requirement '()) (provision '(loopback))).
(define %loopback-static-networking 'loopback)

;; pyguix's (gnu system hurd) names Guix's %qemu-static-networking
;; 'qemu-user-networking: QEMU's user-mode network, as QEMU's DHCP would set it.
(define (static-networking-record network)
  (case network
    ((loopback)
     (static-networking
      (addresses (list (network-address (device "lo") (value "127.0.0.1/8"))))
      (requirement '())
      (provision '(loopback))))
    ((qemu-user-networking)
     (static-networking
      (addresses (list (network-address (device "eth0") (value "10.0.2.15/24"))))
      (routes (list (network-route (destination "default") (gateway "10.0.2.2"))))
      (requirement '())
      (name-servers '("10.0.2.3"))))
    (else network)))

;; The <static-networking> records of NETWORKS (other values are left out).
(define (static-networking-records networks)
  (filter static-networking? (map static-networking-record networks)))

(define (static-networking-shepherd-service network)
  (let* ((ip (file-append iproute "/sbin/ip"))
         (addresses (static-networking-addresses network))
         (routes (static-networking-routes network))
         (devices (delete-duplicates (map network-address-device addresses)))
         ;; Each step is an `ip' command line; `replace' makes them work
         ;; again when the service is restarted.
         (up (append
              (map (lambda (link)
                     (append (list "link" "add" "name" (network-link-name link)
                                   "type" (symbol->string (network-link-type link)))
                             (append-map (lambda (argument)
                                           (list (symbol->string (car argument))
                                                 (let ((v (cdr argument)))
                                                   (if (number? v) (number->string v) v))))
                                         (network-link-arguments link))))
                   (filter network-link-type (static-networking-links network)))
              (map (lambda (device) (list "link" "set" device "up")) devices)
              (map (lambda (address)
                     (list "address" "replace" (network-address-value address)
                           "dev" (network-address-device address)))
                   addresses)
              (map (lambda (route)
                     (append (list "route" "replace" (network-route-destination route))
                             (if (network-route-gateway route)
                                 (list "via" (network-route-gateway route))
                                 '())
                             (if (network-route-device route)
                                 (list "dev" (network-route-device route))
                                 '())
                             (if (network-route-source route)
                                 (list "src" (network-route-source route))
                                 '())))
                   routes)))
         (down (append
                (map (lambda (route)
                       (list "route" "del" (network-route-destination route)))
                     routes)
                (map (lambda (address)
                       (list "address" "del" (network-address-value address)
                             "dev" (network-address-device address)))
                     addresses))))
    (shepherd-service
     (documentation "Set up network interfaces with static addresses and routes.")
     (provision (static-networking-provision network))
     (requirement (static-networking-requirement network))
     (respawn? #f)
     (start #~(lambda _
                (every (lambda (arguments)
                         (zero? (apply system* #$ip arguments)))
                       '#$up)))
     (stop #~(lambda _
               (for-each (lambda (arguments) (apply system* #$ip arguments))
                         '#$down)
               #f)))))

;; /etc/resolv.conf, when name servers are given.
(define (static-networking-etc-files networks)
  (let ((servers (append-map static-networking-name-servers networks)))
    (if (null? servers)
        '()
        `(("resolv.conf"
           ,(plain-file "resolv.conf"
                        (apply string-append
                               "# Generated from static-networking.\n"
                               (map (lambda (server) (string-append "nameserver " server "\n"))
                                    servers))))))))

(define static-networking-service-type
  (service-type
   (name 'static-networking)
   (extensions
    (list (service-extension shepherd-root-service-type
                             (lambda (networks)
                               (map static-networking-shepherd-service
                                    (static-networking-records networks))))
          (service-extension etc-service-type
                             (lambda (networks)
                               (static-networking-etc-files
                                (static-networking-records networks))))))
   (compose concatenate)
   (extend append)
   (default-value '())
   (description "Static network interfaces.")))

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
