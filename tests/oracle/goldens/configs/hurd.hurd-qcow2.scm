;; guix 1.5.0 (GUIX_ORACLE=1.5): run.sh tests/configs/hurd.scm hurd-qcow2 => exit 1
;; stderr: /work/main/tests/configs/hurd.scm:25:19: error: gdb-minimal: unbound variable
;; stderr: hint: Did you forget `(use-modules (gnu packages gdb))' or `#:use-module (gnu
;; stderr: packages gdb)'?
;; stderr: 
