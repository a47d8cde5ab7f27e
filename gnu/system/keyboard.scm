;;; (gnu system keyboard) -- keyboard layouts: (keyboard-layout "us" "altgr-intl").

(define-module (gnu system keyboard)
  #:export (keyboard-layout keyboard-layout? keyboard-layout-name
            keyboard-layout-variant keyboard-layout-model keyboard-layout-options))

(define-record-type <keyboard-layout>
  (%keyboard-layout name variant model options)
  keyboard-layout?
  (name    keyboard-layout-name)
  (variant keyboard-layout-variant)
  (model   keyboard-layout-model)
  (options keyboard-layout-options))

(define* (keyboard-layout name #:optional variant #:key model (options '()))
  (%keyboard-layout name variant model options))
