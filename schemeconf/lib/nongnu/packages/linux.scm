;;; (nongnu packages linux) -- the best-known names of the nonguix channel.
;;;
;;; Nonguix (https://gitlab.com/nonguix/nonguix) is a third-party channel, not
;;; part of Guix.  So many personal configurations start with
;;;   (use-modules (nongnu packages linux) (nongnu system linux-initrd))
;;;   (operating-system (kernel linux) (firmware (list linux-firmware)) ...)
;;; that pyguix answers the channel's most used package names here, as plain
;;; package values (like every (gnu packages ...) name), so such files
;;; evaluate.  Nothing of the channel's code is reproduced: only names.
;;; A -L directory holding the real channel comes first on the load path
;;; and replaces this module.

(define-module (nongnu packages linux)
  #:use-module (gnu packages))

;; Kernels: the mainline kernel with its non-free parts, and its series.
(define-public linux (specification->package "linux"))
(define-public linux-lts (specification->package "linux-lts"))
(define-public linux-6.12 (specification->package "linux@6.12"))
(define-public linux-6.6 (specification->package "linux@6.6"))
(define-public linux-6.1 (specification->package "linux@6.1"))
(define-public linux-5.15 (specification->package "linux@5.15"))

;; Firmware: the full linux-firmware tree, and the per-vendor subsets.
(define-public linux-firmware (specification->package "linux-firmware"))
(define-public amdgpu-firmware (specification->package "amdgpu-firmware"))
(define-public radeon-firmware (specification->package "radeon-firmware"))
(define-public i915-firmware (specification->package "i915-firmware"))
(define-public iwlwifi-firmware (specification->package "iwlwifi-firmware"))
(define-public ibt-hw-firmware (specification->package "ibt-hw-firmware"))
(define-public realtek-firmware (specification->package "realtek-firmware"))
(define-public atheros-firmware (specification->package "atheros-firmware"))
(define-public mediatek-firmware (specification->package "mediatek-firmware"))
(define-public broadcom-bt-firmware (specification->package "broadcom-bt-firmware"))
(define-public broadcom-sta (specification->package "broadcom-sta"))
(define-public sof-firmware (specification->package "sof-firmware"))

;; CPU microcode, which (nongnu system linux-initrd) puts in the initrd.
(define-public amd-microcode (specification->package "amd-microcode"))
(define-public intel-microcode (specification->package "intel-microcode"))
