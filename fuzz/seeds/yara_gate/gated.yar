import "pe"
/* block */
private rule helper : tag1 tag2 {
  meta:
    author = "seed" // comment
    score = -5
  strings:
    $x = "a\"}b" xor(1-31) fullword
    $y = { 4D 5A ?? [2-4] 00 }
    $z = /[^a]b[x^]\/c/is wide
    $ = "anonymous" private base64("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
  condition:
    uint16(0) == 0x5A4D and (2 of ($x, $y*) or all of them) and pe.is_pe
}
global rule g { strings: $a = "x" condition: $a }
