// Installers and self-extractors that attackers use to wrap a payload. Legitimate
// software ships this way too, so these weigh little: context (a disk image, a
// lure) decides.

rule Sluice_AutoIt_Compiled_Script
{
    meta:
        author = "Sluice project"
        description = "Windows executable carrying a compiled AutoIt v3 script"
        score = 25

    strings:
        // The marker in front of a compiled script's data: EA06 in current
        // AutoIt 3 builds, EA05 in older ones.
        $ea06 = "AU3!EA06"
        $ea05 = "AU3!EA05"

    condition:
        uint16(0) == 0x5A4D and any of them
}

rule Sluice_NSIS_Installer
{
    meta:
        author = "Sluice project"
        description = "Nullsoft (NSIS) installer: a loader wrapper as often as a real setup"
        score = 10

    strings:
        // The first header of the NSIS data block: flags, then the signature.
        $nsis = { EF BE AD DE 4E 75 6C 6C 73 6F 66 74 49 6E 73 74 }

    condition:
        uint16(0) == 0x5A4D and $nsis
}

rule Sluice_ISO_Autorun
{
    meta:
        author = "Sluice project"
        description = "ISO 9660 image with an AUTORUN.INF: a disc that asks to run something"
        score = 15

    strings:
        $autorun = "AUTORUN.INF" nocase
        // Joliet names are UTF-16 big-endian.
        $autorun_joliet = { 00 61 00 75 00 74 00 6F 00 72 00 75 00 6E 00 2E 00 69 00 6E 00 66 }
        $autorun_joliet_upper = { 00 41 00 55 00 54 00 4F 00 52 00 55 00 4E 00 2E 00 49 00 4E 00 46 }

    condition:
        uint32(0x8001) == 0x30304443 and uint8(0x8005) == 0x31 and any of them
}
