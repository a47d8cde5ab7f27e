;;; (guix platforms x86) -- Intel-compatible platforms, GNU/Linux and GNU/Hurd.

(define-module (guix platforms x86)
  #:use-module (guix platform)
  #:export (i686-linux x86_64-linux i586-gnu x86_64-gnu %x86-platforms))

(define i686-linux
  (platform
   (target "i686-linux-gnu")
   (system "i686-linux")
   (linux-architecture "i386")
   (glibc-dynamic-linker "/lib/ld-linux.so.2")))

(define x86_64-linux
  (platform
   (target "x86_64-linux-gnu")
   (system "x86_64-linux")
   (linux-architecture "x86_64")
   (glibc-dynamic-linker "/lib/ld-linux-x86-64.so.2")))

;; The Hurd: a GNU system on the GNU Mach microkernel (32-bit, then 64-bit).
(define i586-gnu
  (platform
   (target "i586-pc-gnu")
   (system "i586-gnu")
   (glibc-dynamic-linker "/lib/ld.so.1")))

(define x86_64-gnu
  (platform
   (target "x86_64-pc-gnu")
   (system "x86_64-gnu")
   (glibc-dynamic-linker "/lib/ld-x86-64.so.1")))

(define %x86-platforms (list i686-linux x86_64-linux i586-gnu x86_64-gnu))
