;;; (nongnu system linux-initrd) -- the nonguix channel's initrd with CPU microcode.
;;;
;;; Written as (initrd microcode-initrd) in an operating-system: an initrd
;;; procedure like base-initrd, which in the channel prepends the AMD and
;;; Intel microcode updates.  pyguix builds its own initrd (see
;;; gnu/system/linux-initrd.scm), so this stands for that choice only.

(define-module (nongnu system linux-initrd)
  #:use-module (gnu system linux-initrd)
  #:use-module (nongnu packages linux)
  #:export (microcode-initrd))

(define* (microcode-initrd file-systems
                           #:key (initrd base-initrd)
                           (microcode-packages (list amd-microcode intel-microcode))
                           #:allow-other-keys)
  'microcode-initrd)
