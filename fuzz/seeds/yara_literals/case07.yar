rule r7 {
  strings:
    $a = /[Hh]ello,? w[o0]rld/
  condition:
    $a
}

----
Hell world