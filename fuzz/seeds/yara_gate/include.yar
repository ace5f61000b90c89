include "other.yar"
rule r { condition: true }
