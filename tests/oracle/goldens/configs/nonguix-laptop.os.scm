;; guix 1.5.0 (GUIX_ORACLE=1.5): run.sh tests/configs/nonguix-laptop.scm => exit 1
;; stderr: guix repl: error: failed to load '/work/main/tests/configs/nonguix-laptop.scm':
;; stderr: ice-9/boot-9.scm:3384:6: In procedure resolve-interface:
;; stderr: no code for module (nongnu packages linux)
