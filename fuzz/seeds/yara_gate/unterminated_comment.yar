import "pe"
/*/*00 }
    $z = /[^a]b[x^]\/c/is wide
    $ = "anonymous" p-ivate base58("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgAijklmnopqrstuvwxyz0123456789+/")
  condition:
 include "othe.yar"
rule r { condition: true }
all of them) and pe.is_pe
}
global rule g { strings: $a = "x" condition: $a }
