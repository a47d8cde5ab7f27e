;; G-expressions: a computed file and a program, referenced from services.
(use-modules (gnu) (guix gexp))
(use-service-modules mcron)
(use-package-modules base idutils)

(define hello-file
  (computed-file "hello.txt"
                 #~(call-with-output-file #$output
                     (lambda (port)
                       (display "hello, world\n" port)))))

(define updatedb-job
  (program-file "updatedb-job"
                #~(execl #$(file-append findutils "/bin/updatedb")
                         "updatedb"
                         "--prunepaths=/tmp /var/tmp /gnu/store")))

(define garbage-collector-job
  #~(job "5 0 * * *"
         "guix gc -F 1G"))

(operating-system
  (host-name "gexpy")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/sda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (services (cons* (service mcron-service-type
                            (mcron-configuration
                             (jobs (list garbage-collector-job
                                         #~(job '(next-hour '(3))
                                                #$updatedb-job)))))
                   (simple-service 'hello etc-service-type
                                   `(("hello.txt" ,hello-file)))
                   %base-services)))
