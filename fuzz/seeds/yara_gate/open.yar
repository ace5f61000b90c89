rule open { strings: $a = /^MZ/ condition: $a or filesize < 10 or not $a or #a > 2 or $a at 0 or for any of them : ($ at 0) }
rule m { condition: pe.sections[0].name matches /x(/ }
