;;; (guix platforms arm) -- ARM platforms: 32-bit ARMv7 and 64-bit AArch64.

(define-module (guix platforms arm)
  #:use-module (guix platform)
  #:export (armv7-linux aarch64-linux %arm-platforms))

(define armv7-linux
  (platform
   (target "arm-linux-gnueabihf")
   (system "armhf-linux")
   (linux-architecture "arm")
   (glibc-dynamic-linker "/lib/ld-linux-armhf.so.3")))

(define aarch64-linux
  (platform
   (target "aarch64-linux-gnu")
   (system "aarch64-linux")
   (linux-architecture "arm64")
   (glibc-dynamic-linker "/lib/ld-linux-aarch64.so.1")))

(define %arm-platforms (list armv7-linux aarch64-linux))
