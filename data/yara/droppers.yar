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
