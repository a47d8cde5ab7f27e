;; A server that adds its own Shepherd service and runs a container as a
;; rootless user: shepherd-service records, subordinate ID ranges from
;; (gnu system accounts), an oci-extension of the OCI service, and one
;; more kernel parameter on top of Guix's default ones.
(use-modules (gnu)
             (gnu system accounts)
             (gnu services shepherd)
             (gnu services sysctl))
(use-service-modules containers networking)
(use-package-modules admin)

(operating-system
  (host-name "kontejner")
  (timezone "Etc/UTC")
  (bootloader (bootloader-configuration
               (bootloader grub-bootloader)
               (targets '("/dev/vda"))))
  (file-systems (cons (file-system
                        (device (file-system-label "root"))
                        (mount-point "/")
                        (type "ext4"))
                      %base-file-systems))
  (users (cons (user-account (name "ops") (group "users"))
               %base-user-accounts))
  (services
   (cons* (service dhcpcd-service-type)
          (simple-service 'heartbeat shepherd-root-service-type
                          (list (shepherd-service
                                 (provision '(heartbeat))
                                 (requirement '(networking))
                                 (start #~(make-forkexec-constructor
                                           (list #$(file-append inetutils "/bin/ping")
                                                 "-i" "60" "example.org")))
                                 (stop #~(make-kill-destructor)))))
          (service rootless-podman-service-type
                   (rootless-podman-configuration
                    (subuids (list (subid-range (name "ops"))))
                    (subgids (list (subid-range (name "ops") (start 200000))))))
          (simple-service 'web-containers oci-service-type
                          (oci-extension
                           (containers
                            (list (oci-container-configuration
                                   (image "docker.io/library/nginx:stable")
                                   (ports '(("8080" . "80"))))))))
          (modify-services %base-services
            (sysctl-service-type config =>
                                 (sysctl-configuration
                                  (inherit config)
                                  (settings (cons '("vm.swappiness" . "10")
                                                  %default-sysctl-settings))))))))
