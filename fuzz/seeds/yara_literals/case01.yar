rule r1 {
  strings:
    $a = "\\cmd.exe" nocase wide
  condition:
    $a
}

----
C:\Windows\cmd.ex