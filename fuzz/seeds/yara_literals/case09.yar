rule r9 {
  strings:
    $a = /[]x]yz[^a]abc\x41\./
  condition:
    $a
}

----
]yQabcA.