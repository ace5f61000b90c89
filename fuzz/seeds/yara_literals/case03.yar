rule r3 {
  strings:
    $a = { 45 56 ( 49 | 4F ) 4C 21 21 }
  condition:
    $a
}

----
EVIL! EVOL!