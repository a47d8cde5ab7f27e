;; guix 1.5.0 (GUIX_ORACLE=1.5): run.sh tests/oracle/configs/unknown-field-nested.scm => exit 1
;; stderr: /work/main/tests/oracle/configs/unknown-field-nested.scm:6:2: error: (file-system (mount-point "/srv") (device (file-system-label "data")) (typ "ext4")): extraneous field initializers (typ)
