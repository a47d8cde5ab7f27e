;; guix 1.5.0 (GUIX_ORACLE=1.5): run.sh tests/configs/legacy-2020.scm => exit 1
;; stderr: /work/main/tests/configs/legacy-2020.scm:32:35: warning: 'dhcp-client-service-type' is deprecated, use 'dhcpcd-service-type' instead
;; stderr: /work/main/tests/configs/legacy-2020.scm:14:23: warning: the 'target' field is deprecated, please use 'targets' instead
;; stderr: /work/main/tests/configs/legacy-2020.scm:30:19: error: nss-certs: unbound variable
;; stderr: hint: Did you forget `(use-modules (gnu packages nss))' or `#:use-module (gnu
;; stderr: packages nss)'?
;; stderr: 
