rule r4 {
  strings:
    $a = /powershell(\.exe)?["']?\s+(-[a-z]+\s+)*-e(n(c)?)?\s+[A-Za-z0-9+\/=]{16}/ nocase ascii wide
  condition:
    $a
}

----
powershel -enc SQBFAFgAIAAoAE4AZQB3