rule r8 {
  strings:
    $a = /foo+bar|qu[aeiou]x{2,3}z/
  condition:
    $a
}

----
fobar quxxy