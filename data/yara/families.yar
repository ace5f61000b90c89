// Strings a family's builder leaves in every sample. Ours, from public write-ups
// of the families, checked against the harmless look-alikes in tests/fixtures.
// Sluice's own family detector (src/families) weighs the same Remcos strings as
// family.remcos_strings and decodes the config: this rule only corroborates, so
// its score is low and the same evidence is not counted twice.

rule Sluice_Remcos_Strings
{
    meta:
        author = "Sluice project"
        description = "Remcos RAT: its mutex name or its vendor's name in the binary"
        score = 10

    strings:
        $mutex = "Remcos_Mutex_Inj" ascii wide
        $vendor = "Breaking-Security.Net" nocase ascii wide
        $agent = "Remcos Agent initialized" ascii wide

    condition:
        any of them
}
