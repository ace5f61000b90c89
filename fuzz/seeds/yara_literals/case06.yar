rule r6 {
  strings:
    $a = /cmd(\.exe)?["']?\s+\/[ck]\s/ nocase ascii wide
  condition:
    $a
}

----
cm /c dir