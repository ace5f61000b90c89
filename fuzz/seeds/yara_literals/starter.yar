// Command lines that fetch or decode a second stage. They turn up in LNK string
// data, scripts, HTA files and Office macros alike, so the rules look for the
// text in ASCII and UTF-16LE and do not care which container held it. The LNK
// and script analysers weigh these command lines too (lnk.*, script.*), so the
// scores here are modest: corroboration, not a second full count.

rule Sluice_PowerShell_Encoded_Command
{
    meta:
        author = "Sluice project"
        description = "powershell started with an encoded (base64) command line"
        score = 25

    strings:
        // -e, -en, -enc ... -EncodedCommand are all prefixes PowerShell accepts.
        // A shortcut keeps the program and its arguments in separate strings,
        // so the switch is matched on its own as well, beside "powershell".
        $inline = /powershell(\.exe)?["']?\s+(-[a-z]+\s+)*-e(n(c(o(d(e(d(c(o(m(m(a(n(d)?)?)?)?)?)?)?)?)?)?)?)?)?\s+[A-Za-z0-9+\/=]{16}/ nocase ascii wide
        $ps = "powershell" nocase ascii wide
        $enc = /\s-e(n(c(o(d(e(d(c(o(m(m(a(n(d)?)?)?)?)?)?)?)?)?)?)?)?)?\s+[A-Za-z0-9+\/=]{16}/ nocase ascii wide

    condition:
        $inline or ($ps and $enc)
}

rule Sluice_Mshta_Remote_Script
{
    meta:
        author = "Sluice project"
        description = "mshta asked to run a script from a URL or inline VBScript/JavaScript"
        score = 30

    strings:
        $mshta = /mshta(\.exe)?["']?\s+["']?(https?:\/\/|vbscript:|javascript:)/ nocase ascii wide

    condition:
        $mshta
}

rule Sluice_Lnk_Cmd_Shell
{
    meta:
        author = "Sluice project"
        description = "Windows shortcut that runs a command through cmd.exe /c"
        score = 20

    strings:
        $inline = /cmd(\.exe)?["']?\s+\/[ck]\s/ nocase ascii wide
        // A shortcut stores its target and its arguments as separate strings.
        $cmd_exe = "\\cmd.exe" nocase ascii wide
        $switch_c = "/c " nocase ascii wide
        $switch_k = "/k " nocase ascii wide

    condition:
        // ShellLinkHeader: HeaderSize 0x4C, then the LinkCLSID
        // 00021401-0000-0000-C000-000000000046.
        uint32(0) == 0x0000004C and uint32(4) == 0x00021401 and
        uint32(8) == 0x00000000 and uint32(12) == 0x000000C0 and
        uint32(16) == 0x46000000 and ($inline or ($cmd_exe and any of ($switch_*)))
}
rule Sluice_EICAR_Test_File : test
{
    meta:
        author = "Sluice project"
        description = "EICAR anti-virus test string: someone is testing the gateway"
        score = 80

    strings:
        // The 68-byte EICAR string, in hex so this file is not itself a test file.
        $eicar = { 58 35 4F 21 50 25 40 41 50 5B 34 5C 50 5A 58 35 34
                  28 50 5E 29 37 43 43 29 37 7D 24 45 49 43 41 52 2D
                  53 54 41 4E 44 41 52 44 2D 41 4E 54 49 56 49 52 55
                  53 2D 54 45 53 54 2D 46 49 4C 45 21 24 48 2B 48 2A }

    condition:
        $eicar
}
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

----
From: a@example.com
Subject: minutes

The minutes are attached; run cm /c and powershel -en.
