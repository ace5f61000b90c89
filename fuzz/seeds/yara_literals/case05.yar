rule r5 {
  strings:
    $a = /\s-e(n(c(o(d(e)?)?)?)?)?\s+[A-Za-z0-9+\/=]{16}/ nocase ascii wide
  condition:
    $a
}

----
x-E QUJDREVGR0hJSktMTU5PUA==