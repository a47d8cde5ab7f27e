"""schemeconf: read and evaluate Guile Scheme configuration files in Python.

    from schemeconf.interpreter import Interpreter
    value = Interpreter(load_path=[]).load_file(path)

Layers: source.py (spans) -> lexical.py (how atoms are spelled, read and
written) -> reader.py + scheme.lark (text -> datums) ->
evaluator.py, derived.py, match.py, syntax_rules.py (datums -> values) ->
records.py, modules.py, vocabulary.py (Guix's records, modules and open
vocabularies) -> printer.py (values -> text).  budget.py holds the resource
limits every growing constructor checks (configurations are untrusted input).
"""
