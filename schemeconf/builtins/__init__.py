"""The primitive procedure library: Guile core procedures and a few library modules.

| file        | provides                                                          |
|-------------|-------------------------------------------------------------------|
| lists.py    | pairs and lists: constructors, selectors, searching, (srfi srfi-1)  |
| higher.py   | fold, filter, find, any/every, lset-*, sort: higher-order lists     |
| strings.py  | strings, symbols, keywords                                          |
| chars.py    | characters and char-sets                                            |
| output.py   | format, simple-format, display, write, newline, object->string      |
| numbers.py  | arithmetic, comparison, number<->string                             |
| control.py  | equality, type predicates, apply/map/values, errors, promises      |
| vectors.py  | vectors and bytevectors                                             |
| misc.py     | association lists, hash tables, getenv, basename/dirname            |

The helpers the submodules share (type checks that name the procedure,
conversion of Scheme lists, `write`/`display` text) are in common.py.
Importing the package registers everything in primitives.PRIMITIVE_MODULES.
"""

from . import chars, control, higher, lists, misc, numbers, output, strings, vectors  # noqa: F401  (registration)
