rule r10 {
  strings:
    $a = /a.b\wcdef\b.gh/s
  condition:
    $a
}

----
a
b_cdeg gh