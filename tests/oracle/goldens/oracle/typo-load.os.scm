;; guix 1.5.0 (GUIX_ORACLE=1.5): run.sh tests/oracle/configs/typo-load.scm => exit 1
;; stderr: /work/main/tests/oracle/configs/typo-load.scm:15:22: error: %base-file-system: unbound variable
;; stderr: hint: Did you forget a `use-modules' form?
;; stderr: 
