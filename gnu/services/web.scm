;;; (gnu services web) -- web servers: nginx.
;;;
;;; (service nginx-service-type
;;;          (nginx-configuration
;;;           (server-blocks
;;;            (list (nginx-server-configuration
;;;                   (server-name '("www.example.org"))
;;;                   (listen '("80"))
;;;                   (root "/srv/http"))))))
;;;
;;; becomes nginx.conf -- one `server { ... }' block per
;;; nginx-server-configuration -- and a Shepherd service running
;;; `nginx -c nginx.conf -g "daemon off;"' in the foreground.  The other
;;; service types of this module are known to pyguix by name.

(define-module (gnu services web)
  #:use-module (srfi srfi-1)
  #:use-module (gnu services)
  #:use-module (gnu services shepherd)
  #:use-module (gnu system shadow)
  #:use-module (guix gexp)
  #:export (nginx-service-type nginx-configuration nginx-configuration?
            nginx-configuration-nginx nginx-configuration-server-blocks
            nginx-configuration-upstream-blocks nginx-configuration-file
            nginx-server-configuration nginx-server-configuration?
            nginx-server-configuration-listen nginx-server-configuration-server-name
            nginx-server-configuration-root nginx-server-configuration-locations
            nginx-location-configuration nginx-location-configuration?
            nginx-named-location-configuration nginx-named-location-configuration?
            nginx-upstream-configuration nginx-upstream-configuration?))

(define nginx (@ (gnu packages web) nginx))
(define shadow (@ (gnu packages admin) shadow))

;; A value that becomes one nginx directive: one line, and no `;', `{' or
;; `}' that would end the directive or open a block.
(define (directive-text? value)
  (and (string? value)
       (not (string-any (lambda (c) (memv c '(#\newline #\; #\{ #\}))) value))))

(define (validate-directives what)
  (lambda (values)
    (unless (and (list? values)
                 (every (lambda (v) (or (symbol? v) (directive-text? v))) values))
      (raise-config-error
       (format #f "~a must be a list of strings without newlines, `;', `{' or `}', not ~s"
               what values)))
    values))

(define (validate-directive what)
  (lambda (value)
    (unless (or (not value) (directive-text? value))
      (raise-config-error
       (format #f "~a must be a string without newlines, `;', `{' or `}', not ~s" what value)))
    value))

(define-record-type* <nginx-server-configuration> nginx-server-configuration
  make-nginx-server-configuration nginx-server-configuration?
  (listen        nginx-server-configuration-listen (default '("80" "443 ssl"))
                 (sanitize (validate-directives "listen")))
  (server-name   nginx-server-configuration-server-name (default (list 'default))
                 (sanitize (validate-directives "server-name")))
  (root          nginx-server-configuration-root (default "/srv/http")
                 (sanitize (validate-directive "root")))
  (locations     nginx-server-configuration-locations (default '()))
  (index         nginx-server-configuration-index (default (list "index.html"))
                 (sanitize (validate-directives "index")))
  (try-files     nginx-server-configuration-try-files (default '())
                 (sanitize (validate-directives "try-files")))
  (ssl-certificate nginx-server-configuration-ssl-certificate (default #f)
                   (sanitize (validate-directive "ssl-certificate")))
  (ssl-certificate-key nginx-server-configuration-ssl-certificate-key (default #f)
                       (sanitize (validate-directive "ssl-certificate-key")))
  (server-tokens? nginx-server-configuration-server-tokens? (default #f))
  (raw-content   nginx-server-configuration-raw-content (default '()))) ;lines, as written

(define-record-type* <nginx-location-configuration> nginx-location-configuration
  make-nginx-location-configuration nginx-location-configuration?
  (uri  nginx-location-configuration-uri (default #f)
        (sanitize (validate-directive "uri")))
  (body nginx-location-configuration-body))               ;lines, as written

(define-record-type* <nginx-named-location-configuration> nginx-named-location-configuration
  make-nginx-named-location-configuration nginx-named-location-configuration?
  (name nginx-named-location-configuration-name (default #f)
        (sanitize (validate-directive "name")))
  (body nginx-named-location-configuration-body))

(define-record-type* <nginx-upstream-configuration> nginx-upstream-configuration
  make-nginx-upstream-configuration nginx-upstream-configuration?
  (name    nginx-upstream-configuration-name (sanitize (validate-directive "name")))
  (servers nginx-upstream-configuration-servers (sanitize (validate-directives "servers")))
  (extra-content nginx-upstream-configuration-extra-content (default '())))

(define-record-type* <nginx-configuration> nginx-configuration
  make-nginx-configuration nginx-configuration?
  (nginx         nginx-configuration-nginx (default nginx))
  (shepherd-requirement nginx-configuration-shepherd-requirement (default '()))
  (log-directory nginx-configuration-log-directory (default "/var/log/nginx")
                 (sanitize (validate-directive "log-directory")))
  (log-level     nginx-configuration-log-level (default 'error))
  (log-format    nginx-configuration-log-format (default 'combined))
  (log-formats   nginx-configuration-log-formats (default '()))
  (run-directory nginx-configuration-run-directory (default "/var/run/nginx")
                 (sanitize (validate-directive "run-directory")))
  (server-blocks nginx-configuration-server-blocks (default '()))
  (upstream-blocks nginx-configuration-upstream-blocks (default '()))
  (server-names-hash-bucket-size nginx-configuration-server-names-hash-bucket-size (default #f))
  (server-names-hash-bucket-max-size nginx-configuration-server-names-hash-bucket-max-size
                                     (default #f))
  (stream        nginx-configuration-stream (default #f))
  (modules       nginx-configuration-modules (default '()))
  (global-directives nginx-configuration-global-directives (default '((events))))
  (lua-package-path nginx-configuration-lua-package-path (default #f))
  (lua-package-cpath nginx-configuration-lua-package-cpath (default #f))
  (extra-content nginx-configuration-extra-content (default ""))
  (file          nginx-configuration-file (default #f)))  ;a file-like: nginx.conf as is

;;; nginx.conf, as text.  Lines of the configuration's own (bodies,
;;; raw-content, extra-content) are kept as they are written.

(define (text value)
  (cond ((string? value) value)
        ((symbol? value) (symbol->string value))
        ((number? value) (number->string value))
        (else (format #f "~a" value))))

;; Global directives: (KEY . VALUE) pairs; a list VALUE is a block.
(define (directives->string directives indent)
  (apply string-append
         (map (lambda (directive)
                (let ((key (text (car directive)))
                      (value (cdr directive)))
                  (if (list? value)
                      (string-append indent key " {\n"
                                     (directives->string value (string-append indent "    "))
                                     indent "}\n")
                      (string-append indent key " " (text value) ";\n"))))
              directives)))

(define (location->string location)
  (let ((head (if (nginx-location-configuration? location)
                  (nginx-location-configuration-uri location)
                  (string-append "@" (nginx-named-location-configuration-name location))))
        (body (if (nginx-location-configuration? location)
                  (nginx-location-configuration-body location)
                  (nginx-named-location-configuration-body location))))
    (string-append "      location " head " {\n"
                   (apply string-append
                          (map (lambda (line) (string-append "        " (text line) "\n")) body))
                   "      }\n")))

(define (server-block->string server)
  (define (names values)
    (string-join (map (lambda (v) (if (eq? v 'default) "_" (text v))) values) " "))
  (let ((certificate (nginx-server-configuration-ssl-certificate server))
        (key (nginx-server-configuration-ssl-certificate-key server))
        (try-files (nginx-server-configuration-try-files server)))
    (string-append
     "    server {\n"
     (apply string-append
            (map (lambda (listen) (string-append "      listen " listen ";\n"))
                 (nginx-server-configuration-listen server)))
     "      server_name " (names (nginx-server-configuration-server-name server)) ";\n"
     (if certificate (string-append "      ssl_certificate " certificate ";\n") "")
     (if key (string-append "      ssl_certificate_key " key ";\n") "")
     "      root " (nginx-server-configuration-root server) ";\n"
     "      index " (names (nginx-server-configuration-index server)) ";\n"
     (if (null? try-files) "" (string-append "      try_files " (names try-files) ";\n"))
     "      server_tokens " (if (nginx-server-configuration-server-tokens? server) "on" "off") ";\n"
     (apply string-append (map location->string (nginx-server-configuration-locations server)))
     (apply string-append
            (map (lambda (line) (string-append "      " (text line) "\n"))
                 (nginx-server-configuration-raw-content server)))
     "    }\n")))

(define (upstream-block->string upstream)
  (string-append "    upstream " (nginx-upstream-configuration-name upstream) " {\n"
                 (apply string-append
                        (map (lambda (server) (string-append "      server " server ";\n"))
                             (nginx-upstream-configuration-servers upstream)))
                 (apply string-append
                        (map (lambda (line) (string-append "      " (text line) "\n"))
                             (nginx-upstream-configuration-extra-content upstream)))
                 "    }\n"))

(define (nginx-config-file config)
  (or (nginx-configuration-file config)
      (let ((run (nginx-configuration-run-directory config))
            (logs (nginx-configuration-log-directory config))
            (extra (nginx-configuration-extra-content config))
            (bucket (nginx-configuration-server-names-hash-bucket-size config))
            (bucket-max (nginx-configuration-server-names-hash-bucket-max-size config)))
        (mixed-text-file
         "nginx.conf"
         "# Generated from the nginx-configuration.\n"
         "user nginx nginx;\n"
         "pid " run "/pid;\n"
         "error_log " logs "/error.log " (text (nginx-configuration-log-level config)) ";\n"
         (directives->string (nginx-configuration-global-directives config) "")
         "http {\n"
         "    client_body_temp_path " run "/client_body_temp;\n"
         "    proxy_temp_path " run "/proxy_temp;\n"
         "    fastcgi_temp_path " run "/fastcgi_temp;\n"
         "    uwsgi_temp_path " run "/uwsgi_temp;\n"
         "    scgi_temp_path " run "/scgi_temp;\n"
         "    access_log " logs "/access.log " (text (nginx-configuration-log-format config)) ";\n"
         ;; The MIME types nginx comes with.
         "    include " (file-append (nginx-configuration-nginx config)
                                     "/share/nginx/conf/mime.types") ";\n"
         (if bucket
             (string-append "    server_names_hash_bucket_size " (text bucket) ";\n")
             "")
         (if bucket-max
             (string-append "    server_names_hash_bucket_max_size " (text bucket-max) ";\n")
             "")
         "\n"
         (apply string-append
                (map upstream-block->string (nginx-configuration-upstream-blocks config)))
         (apply string-append
                (map server-block->string (nginx-configuration-server-blocks config)))
         (if (string? extra) extra "")
         "}\n"))))

(define (nginx-shepherd-service config)
  (let ((nginx (file-append (nginx-configuration-nginx config) "/sbin/nginx"))
        (config-file (nginx-config-file config)))
    (list (shepherd-service
           (documentation "Run the nginx web server.")
           (provision '(nginx))
           (requirement (append '(user-processes loopback)
                                (nginx-configuration-shepherd-requirement config)))
           ;; daemon off: stay in the foreground, where the Shepherd watches it.
           (start #~(make-forkexec-constructor
                     (list #$nginx "-c" #$config-file "-g" "daemon off;")))
           (stop #~(make-kill-destructor))
           (actions (list (shepherd-configuration-action config-file)))))))

;; The directories nginx writes: its logs, and its run directory with the
;; temporary files of request bodies and proxies.
(define (nginx-activation config)
  (let ((run (nginx-configuration-run-directory config))
        (logs (nginx-configuration-log-directory config)))
    #~(let ((user (getpwnam "nginx")))
        (for-each (lambda (directory)
                    (unless (file-exists? directory)
                      (mkdir directory #o750))
                    (chown directory (passwd:uid user) (passwd:gid user)))
                  (list #$logs #$run
                        #$@(map (lambda (name) (string-append run "/" name))
                                '("client_body_temp" "proxy_temp" "fastcgi_temp"
                                  "uwsgi_temp" "scgi_temp")))))))

(define %nginx-accounts
  (list (user-group (name "nginx") (system? #t))
        (user-account
         (name "nginx")
         (group "nginx")
         (system? #t)
         (comment "nginx server user")
         (home-directory "/var/empty")
         (create-home-directory? #f)
         (shell (file-append shadow "/sbin/nologin")))))

(define nginx-service-type
  (service-type
   (name 'nginx)
   (extensions
    (list (service-extension shepherd-root-service-type nginx-shepherd-service)
          (service-extension activation-service-type nginx-activation)
          (service-extension account-service-type (const %nginx-accounts))
          (service-extension profile-service-type
                             (lambda (config) (list (nginx-configuration-nginx config))))))
   ;; Other services may add server blocks.
   (compose concatenate)
   (extend (lambda (config servers)
             (nginx-configuration
              (inherit config)
              (server-blocks (append (nginx-configuration-server-blocks config) servers)))))
   (default-value (nginx-configuration))
   (description "Run the nginx web server.")))
