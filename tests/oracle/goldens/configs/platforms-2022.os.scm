;; guix 1.5.0 (GUIX_ORACLE=1.5): run.sh tests/configs/platforms-2022.scm => exit 1
;; stderr: guix repl: error: failed to load '/work/main/tests/configs/platforms-2022.scm':
;; stderr: ice-9/boot-9.scm:3384:6: In procedure resolve-interface:
;; stderr: no code for module (gnu platforms arm)
