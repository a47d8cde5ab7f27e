;;; (guix platforms riscv) -- 64-bit RISC-V.

(define-module (guix platforms riscv)
  #:use-module (guix platform)
  #:export (riscv64-linux %riscv-platforms))

(define riscv64-linux
  (platform
   (target "riscv64-linux-gnu")
   (system "riscv64-linux")
   (linux-architecture "riscv")
   (glibc-dynamic-linker "/lib/ld-linux-riscv64-lp64d.so.1")))

(define %riscv-platforms (list riscv64-linux))
